// WindowScorer.swift: a float model scored over whole clips with its windowed form, which equals
// the streaming form step for step once every layer's history is filled (SentryTests).

import Foundation
import HarkenAudio
import HarkenNN
import HarkenStream

/// A float Sentry's per-step probabilities over audio, for the DET sweep before quantization.
/// Its layers keep per-call buffers, so clips are scored one at a time (BLAS uses every core).
public struct WindowScorer: StreamScorer, @unchecked Sendable {
    public let model: SentryModel

    public init(model: SentryModel) { self.model = model }

    public var stepFrames: Int { model.spec.inputStride }

    public var scoresConcurrently: Bool { false }

    /// 0 while the history is still filling, as a freshly started device has no history either.
    public func scores(_ audio: Audio) throws -> ScoreTrace {
        let x = try SentryModel.features(audio)
        let s = model.spec.inputStride, f = model.spec.features
        let steps = x.shape[1] / s
        guard case .conv(_, let k, _, let d, _) = model.spec.blocks.first else { return .probabilities([]) }
        let lead = (k - 1) * d + 1 - s
        let padded = HarkenNN.Tensor(shape: [1, lead + steps * s, 1, f],
                                     data: [Float](repeating: 0, count: lead * f) + x.data.prefix(steps * s * f))
        guard padded.shape[1] >= model.spec.windowFrames else { return .probabilities([Float](repeating: 0, count: steps)) }
        let logits = model.forward(padded, training: false).data
        let warmup = steps - logits.count
        return .probabilities([Float](repeating: 0, count: warmup) + logits.map { 1 / (1 + exp(-$0)) })
    }
}
