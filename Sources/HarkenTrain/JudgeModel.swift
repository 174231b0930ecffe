// JudgeModel.swift: the cascade's second stage as a trainable model. A Judge is built from the
// same blocks as a Sentry (SentrySpec), but it sees one fixed window of the int8 features a Sentry
// hands over on a trigger and answers once: its int8 form has no state (SentryModel.windowGraph).
// The windows are the device's int8 features dequantized, so the float Judge, the int8 Judge and
// a Judge server all read the same numbers.

import Foundation
import HarkenGraph
import HarkenNN
import HarkenStream
import HarkenSupport

public enum JudgeSize: String, Codable, Sendable, CaseIterable {
    /// int8 on a second core or a bigger MCU: about 135 k parameters, 4.6 M MACs a decision.
    case device
    /// float on a server: about 620 k parameters.
    case server
}

extension SentrySpec {
    /// A Judge's blocks: a strided stem and dilated depthwise-separable blocks whose receptive field
    /// covers the window exactly (`windowFrames` = 180 = 1.5 s before the trigger + 0.3 s after),
    /// and a head over the last frames that knows where in the window the phrase sits.
    public static func judge(_ size: JudgeSize, features: Int = 40) -> SentrySpec {
        func block(_ kernels: [Int], _ d: Int, _ filters: Int) -> [SentryBlock] {
            [.depthwise(kernels: kernels, dilation: d, activation: .relu), .pointwise(filters: filters, activation: .relu)]
        }
        switch size {
        case .device:
            // Stem 6 frames at stride 3; contexts 4 + 8 + 16 + 16 + 4 + 4 = 52 steps, head 7: 6 + 3 · 58 = 180.
            let c = 128
            return SentrySpec(architecture: .mixedNet, features: features, blocks:
                [.conv(filters: c, kernel: 6, stride: 3, dilation: 1, activation: .relu)]
                + block([5], 1, c) + block([5], 2, c) + block([5], 4, c) + block([5], 4, c) + block([5], 1, c) + block([5], 1, c),
                headFrames: 7, dropout: 0.2)
        case .server:
            // Wider, MixConv kernels: contexts 8 + 16 + 16 + 12 + 4 = 56 steps, head 3: 6 + 3 · 58 = 180.
            let c = 256
            return SentrySpec(architecture: .mixedNet, features: features, blocks:
                [.conv(filters: c, kernel: 6, stride: 3, dilation: 1, activation: .relu)]
                + block([5, 9], 1, c) + block([5, 9], 2, c) + block([3, 5], 4, c) + block([5, 7], 2, c) + block([5], 1, c),
                headFrames: 3, dropout: 0.2)
        }
    }
}

/// A Judge: a non-streaming network over `framesBefore + framesAfter` feature frames.
public final class JudgeModel {
    public let net: SentryModel
    public let size: JudgeSize
    public let framesBefore: Int
    public let framesAfter: Int

    public init(size: JudgeSize, framesBefore: Int = JudgeStage.defaultFramesBefore, framesAfter: Int = JudgeStage.defaultFramesAfter,
                seed: UInt64) throws {
        let spec = SentrySpec.judge(size)
        guard framesBefore + framesAfter == spec.windowFrames else {
            throw TrainError.config("a \(size.rawValue) Judge reads \(spec.windowFrames) frames; frames before (\(framesBefore)) + after (\(framesAfter)) must add up to it")
        }
        self.size = size
        self.framesBefore = framesBefore
        self.framesAfter = framesAfter
        net = SentryModel(spec: spec, seed: seed)
    }

    /// Features as the Judge reads them: the Sentry's int8 input dequantized.
    public static func dequantize(_ q: Int8) -> Float {
        let input = SentryModel.inputQuantization
        return Float(Int(q) - Int(input.zeroPoint)) * input.scale
    }

    public static let dequantized: [Float] = (0..<256).map { dequantize(Int8(truncatingIfNeeded: $0 - 128)) }

    /// Windows [n, frames, 1, channels] for the float network.
    public static func tensor(_ windows: [[Int8]], frames: Int, channels: Int = 40) -> HarkenNN.Tensor {
        var data = [Float](repeating: 0, count: windows.count * frames * channels)
        var o = 0
        for w in windows { for q in w { data[o] = dequantized[Int(q) + 128]; o += 1 } }
        return HarkenNN.Tensor(shape: [windows.count, frames, 1, channels], data: data)
    }

    public var parameterCount: Int { net.parameters.map(\.value.count).reduce(0, +) }
}

extension JudgeModel: WakeModel, DistillationSource, QuantizableModel {
    public var role: ModelRole { .judge }
    public var windowFrames: Int { framesBefore + framesAfter }
    public func forward(_ x: HarkenNN.Tensor, training: Bool) -> HarkenNN.Tensor { net.forward(x, training: training) }
    public func backward(_ g: HarkenNN.Tensor) -> HarkenNN.Tensor { net.backward(g) }
    public var parameters: [Parameter] { net.parameters }
    public var namedTensors: [(name: String, value: HarkenNN.Tensor)] { net.namedTensors }
    public func zeroGradients() { net.zeroGradients() }
    public func applyConstraints() { net.applyConstraints() }
    public func load(_ tensors: [String: HarkenNN.Tensor]) throws { try net.load(tensors) }

    public func architectureJSON() throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return String(decoding: try e.encode(net.spec), as: UTF8.self)
    }

    public func calibrate(_ windows: HarkenNN.Tensor, into ranges: inout ActivationRanges) { net.calibrate(windows, into: &ranges) }

    public func int8Graph(ranges: ActivationRanges, description: String) throws -> Graph {
        try net.windowGraph(ranges: ranges, description: description)
    }
}

/// A float Judge scoring the device's windows (the server's Judge, and the float reference of the
/// int8 one). Its layers keep per-call buffers, so calls are serialised.
public final class FloatJudge: WindowJudge, @unchecked Sendable {
    public let model: JudgeModel
    private let lock = NSLock()

    public init(model: JudgeModel) { self.model = model }

    public var windowFrames: Int { model.windowFrames }
    public var channels: Int { model.net.spec.features }

    public func scores(_ windows: [[Int8]]) throws -> [Double] {
        let size = windowFrames * channels
        for (i, w) in windows.enumerated() where w.count != size { throw JudgeError.window(index: i, count: w.count, expected: size) }
        guard !windows.isEmpty else { return [] }
        lock.lock(); defer { lock.unlock() }
        var out: [Double] = []
        for lo in stride(from: 0, to: windows.count, by: 64) {
            let chunk = Array(windows[lo..<min(lo + 64, windows.count)])
            let logits = model.forward(JudgeModel.tensor(chunk, frames: windowFrames, channels: channels), training: false)
            out += logits.data.map { 1 / (1 + exp(-Double($0))) }
        }
        return out
    }
}

/// A Judge saved by `harken judge train`: its network, window, phrase and (once trained) the
/// activation ranges of its int8 form.
public struct SavedJudge {
    public var file: String
    public var model: JudgeModel
    public var phrase: String
    public var ranges: ActivationRanges?

    public static let format = "harken-judge"

    public static func load(_ path: String) throws -> SavedJudge {
        let file = SavedSentry.file(for: path)
        let (tensors, meta) = try Safetensors.read(file)
        guard meta["format"] == format, let sizeName = meta["judge_size"], let size = JudgeSize(rawValue: sizeName),
              let before = meta["frames_before"].flatMap(Int.init), let after = meta["frames_after"].flatMap(Int.init) else {
            throw TrainError.checkpoint("\(file): not a Harken Judge checkpoint (metadata format/judge_size/frames_before/frames_after missing)")
        }
        let model = try JudgeModel(size: size, framesBefore: before, framesAfter: after, seed: 0)
        try model.load(tensors)
        return SavedJudge(file: file, model: model, phrase: meta["phrase"] ?? "",
                          ranges: meta["activation_ranges"].flatMap(ActivationRanges.init(json:)))
    }

    /// Metadata a Judge checkpoint carries beside the Trainer's own.
    public static func metadata(_ m: JudgeModel) -> [String: String] {
        ["judge_size": m.size.rawValue, "frames_before": "\(m.framesBefore)", "frames_after": "\(m.framesAfter)"]
    }

    public func int8Graph() throws -> Graph {
        guard let ranges else { throw TrainError.checkpoint("\(file): no activation ranges (the Judge's training did not finish)") }
        return try model.int8Graph(ranges: ranges, description: file)
    }
}

extension JudgeModel {
    /// An untrained Judge with seeded BatchNorm statistics and its int8 graph calibrated on seeded
    /// random windows: for cost, firmware and bit-exactness checks before any Judge is trained.
    public static func probe(size: JudgeSize, seed: UInt64) throws -> (model: JudgeModel, graph: Graph) {
        let model = try JudgeModel(size: size, seed: seed)
        model.net.randomizeStatistics(seed: seed ^ 0x5EED)
        var rng = SplitMix64(seed: seed)
        let windows = (0..<8).map { _ in (0..<(model.windowFrames * 40)).map { _ in Int8(truncatingIfNeeded: Int(rng.next() % 200) - 128) } }
        var ranges = ActivationRanges()
        model.calibrate(JudgeModel.tensor(windows, frames: model.windowFrames), into: &ranges)
        return (model, try model.int8Graph(ranges: ranges, description: "harken judge probe (\(size.rawValue), untrained)"))
    }
}
