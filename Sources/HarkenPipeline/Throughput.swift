import Foundation
import HarkenNN
import HarkenTrain

public struct ThroughputReport: Codable, Sendable {
    public var schemaVersion = 1
    public var architecture: String
    public var batch: Int
    public var steps: Int
    public var threads: Int
    public var samplesPerSecond: Double
    public var peakRSSBytes: Int
}

extension Pipeline {
    /// Forward, backward and AdamW update of the preset's Sentry on random windows, timed after two
    /// warm-up steps (for the benchmark against other training stacks).
    public static func trainingThroughput(config: TrainConfig, steps: Int, batch: Int?) throws -> ThroughputReport {
        let spec = SentrySpec.standard(config.architecture)
        let model = SentryModel(spec: spec, seed: config.seed)
        let optimizer = Adam.adamW(weightDecay: config.weightDecay)
        let n = batch ?? config.batchSize
        var rng = SeededGenerator(seed: 7)
        let x = HarkenNN.Tensor.uniform([n, spec.windowFrames, 1, spec.features], low: 0, high: 26, using: &rng)
        let y = HarkenNN.Tensor(shape: [n, 1], data: (0..<n).map { Float($0 % 2) })
        func step() {
            let logits = model.forward(x, training: true).reshaped([n, 1])
            let (_, grad) = Loss.binaryCrossEntropy(logits: logits, targets: y)
            model.zeroGradients()
            _ = model.backward(grad.reshaped([n, 1, 1, 1]))
            model.applyConstraints()
            optimizer.update(model.parameters, lr: 0.001)
        }
        step(); step()
        let t0 = Date()
        for _ in 0..<steps { step() }
        let seconds = Date().timeIntervalSince(t0)
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return ThroughputReport(architecture: config.architecture.rawValue, batch: n, steps: steps,
                                threads: ProcessInfo.processInfo.activeProcessorCount,
                                samplesPerSecond: Double(n * steps) / seconds, peakRSSBytes: usage.ru_maxrss * 1024)
    }
}
