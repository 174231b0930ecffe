import Foundation
import HarkenData
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
    /// The real loop (`TrainingData.batch` + step on a corpus), one entry per data path, when
    /// `HARKEN_THROUGHPUT_CORPUS` names a corpus folder.
    public var loop: [LoopThroughput]?
}

/// Windows per second of the training loop as `harken train` runs it: batches made from the corpus
/// (augmentation and frontend) plus forward, backward and AdamW update.
public struct LoopThroughput: Codable, Sendable {
    public var dataPath: String
    /// Windows timed (the first batches of epoch 1) and an epoch's windows.
    public var windows: Int
    public var epochWindows: Int
    public var epochs: Int
    /// The banks made for the run's first epoch, and the renewal before each later one (cached path).
    public var preparationSeconds: Double
    public var refreshSeconds: Double
    public var batchSeconds: Double
    public var stepSeconds: Double
    /// A whole run of the preset: epochs × epoch windows over the first preparation, the renewals
    /// and the batches and steps at the timed rate.
    public var windowsPerSecond: Double
    /// One epoch after the first: its renewal, batches and steps.
    public var epochWindowsPerSecond: Double
    /// `TrainingData.batch` alone (renewal shared out over the epoch), no training step.
    public var dataWindowsPerSecond: Double
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
        var report = ThroughputReport(architecture: config.architecture.rawValue, batch: n, steps: steps,
                                      threads: ProcessInfo.processInfo.activeProcessorCount,
                                      samplesPerSecond: Double(n * steps) / seconds, peakRSSBytes: 0)
        let env = ProcessInfo.processInfo.environment
        if let dir = env["HARKEN_THROUGHPUT_CORPUS"], !dir.isEmpty {
            var loopConfig = config
            loopConfig.batchSize = n
            let names = (env["HARKEN_THROUGHPUT_DATA_PATHS"] ?? "on-the-fly,cached").split(separator: ",").map(String.init)
            let paths = try names.map { name -> TrainingData.DataPath in
                guard let p = TrainingData.DataPath(rawValue: name) else {
                    throw TrainError.config("HARKEN_THROUGHPUT_DATA_PATHS: unknown data path '\(name)' (on-the-fly, cached)")
                }
                return p
            }
            report.loop = try loopThroughput(config: loopConfig, corpusDir: dir, batches: steps, paths: paths)
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        report.peakRSSBytes = usage.ru_maxrss * 1024
        return report
    }

    /// The first `batches` batches of epoch 1 as the trainer makes them (after the banks are made for
    /// epoch 0 and renewed for epoch 1, both timed), once per data path, on the same corpus; a new
    /// model per path so each starts from the same weights.
    public static func loopThroughput(config: TrainConfig, corpusDir: String, batches: Int,
                                      paths: [TrainingData.DataPath]) throws -> [LoopThroughput] {
        let spec = SentrySpec.standard(config.architecture)
        let corpus = try Corpus.load(corpusDir)
        let data = try TrainingData(corpus: corpus, windowFrames: spec.windowFrames, config: config)
        let items = data.plan(epoch: 1)
        let n = config.batchSize
        let count = min(batches, (items.count + n - 1) / n)
        return try paths.map { path in
            data.dataPath = path
            let model = SentryModel(spec: spec, seed: config.seed)
            let optimizer = Adam.adamW(weightDecay: config.weightDecay)
            let t0 = Date()
            try data.prepare(epoch: 0)
            let t1 = Date()
            try data.prepare(epoch: 1)
            let preparation = t1.timeIntervalSince(t0), refresh = Date().timeIntervalSince(t1)
            var batchSeconds = 0.0, stepSeconds = 0.0, windows = 0
            for b in 0..<count {
                let t1 = Date()
                let batch = try data.batch(items[(b * n)..<min((b + 1) * n, items.count)], epoch: 1,
                                           batchSeed: config.seed &+ UInt64(100_003 + b) &* 0x2545_F491_4F6C_DD1D)
                let t2 = Date()
                let m = batch.y.count
                let logits = model.forward(batch.x, training: true).reshaped([m, 1])
                let (_, grad) = Loss.binaryCrossEntropy(logits: logits, targets: batch.y, weights: batch.w)
                model.zeroGradients()
                _ = model.backward(grad.reshaped([m, 1, 1, 1]))
                model.applyConstraints()
                optimizer.update(model.parameters, lr: 0.001)
                batchSeconds += t2.timeIntervalSince(t1)
                stepSeconds += Date().timeIntervalSince(t2)
                windows += m
            }
            let perWindow = (batchSeconds + stepSeconds) / Double(windows)
            let e = Double(config.epochs), epochWindows = Double(items.count)
            let run = preparation + (e - 1) * refresh + e * epochWindows * perWindow
            return LoopThroughput(dataPath: path.rawValue, windows: windows, epochWindows: items.count, epochs: config.epochs,
                                  preparationSeconds: preparation, refreshSeconds: refresh,
                                  batchSeconds: batchSeconds, stepSeconds: stepSeconds,
                                  windowsPerSecond: e * epochWindows / run,
                                  epochWindowsPerSecond: epochWindows / (refresh + epochWindows * perWindow),
                                  dataWindowsPerSecond: epochWindows / (refresh + epochWindows * batchSeconds / Double(windows)))
        }
    }
}
