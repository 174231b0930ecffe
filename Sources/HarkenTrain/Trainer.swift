// Trainer.swift: the training loop: batches made on the fly, AdamW under a cosine schedule with
// warm-up, gradient clipping, per-epoch validation, metrics in JSONL, and checkpoints after every
// epoch (atomic), so a killed run resumes losing at most the epoch it was in.

import Foundation
import HarkenGraph
import HarkenNN
import HarkenSupport

public struct EpochMetrics: Codable, Sendable {
    /// Optional so that metrics written before it existed still resume.
    public var schemaVersion: Int? = 1
    public var epoch: Int
    public var loss: Double
    public var accuracy: Double
    public var validationLoss: Double
    public var validationAccuracy: Double
    public var validationRecall: Double
    public var learningRate: Double
    public var seconds: Double
    public var samplesPerSecond: Double
    /// The detector's false rejects and false accepts per hour at cutoff 0.5 on (part of) the
    /// validation voices' clips and running speech, when the run measures them each epoch.
    public var validationFrr: Double? = nil
    public var validationFaPerHour: Double? = nil
}

/// Where the Trainer's windows come from: the corpus's augmented windows for a Sentry
/// (TrainingData), the windows a Sentry hands over for a Judge (JudgeData).
public protocol WindowSource: AnyObject {
    /// The examples of an epoch, in order.
    func plan(epoch: Int) -> [TrainingData.Item]
    /// Features [n, frames, 1, channels], targets and loss weights [n, 1].
    func batch(_ items: ArraySlice<TrainingData.Item>, epoch: Int, batchSeed: UInt64) throws
        -> (x: HarkenNN.Tensor, y: HarkenNN.Tensor, w: HarkenNN.Tensor)
    /// Fixed windows and labels, scored after every epoch.
    var validation: (x: HarkenNN.Tensor, y: HarkenNN.Tensor) { get }
}

extension TrainingData: WindowSource {}

public final class Trainer {
    public let config: TrainConfig
    public let data: any WindowSource
    public let model: any WakeModel
    public let outDir: String
    public let phrase: String
    let optimizer: Adam

    public var lastPath: String { (outDir as NSString).appendingPathComponent("last.safetensors") }
    public var modelPath: String { (outDir as NSString).appendingPathComponent("model.safetensors") }
    var metricsPath: String { (outDir as NSString).appendingPathComponent("metrics.jsonl") }

    /// Called before each epoch with its 0-based index (QAT freezes its ranges this way).
    public var beforeEpoch: (Int) -> Void = { _ in }
    /// Measures the model after each epoch: (FRR, false accepts per hour), or nil.
    public var afterEpoch: (any WakeModel) throws -> (frr: Double, faPerHour: Double)? = { _ in nil }

    /// Learn from a teacher as well as the labels (QAT keeps the int8 model's decisions near the
    /// float model's this way).
    public var distillation: Distillation?

    /// A new Sentry of the configured architecture, or `model` (another kind, or one to continue: fine-tuning, QAT).
    public init(config: TrainConfig, data: any WindowSource, outDir: String, phrase: String, model: (any WakeModel)? = nil) {
        self.config = config
        self.data = data
        self.outDir = outDir
        self.phrase = phrase
        var spec = SentrySpec.standard(config.architecture)
        spec.dropout = config.dropout
        self.model = model ?? SentryModel(spec: spec, seed: config.seed)
        optimizer = Adam.adamW(weightDecay: config.weightDecay)
    }

    /// Trains the remaining epochs, reporting progress after every batch (stage "train") and
    /// stopping at the next batch once the job is cancelled (the last finished epoch's checkpoint
    /// stays, so `resume` continues from it).
    @discardableResult
    public func run(resume: Bool, job: Job = .silent) throws -> [EpochMetrics] {
        let progress = job.stage("train"), log = job.log
        try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
        var start = 0
        var history: [EpochMetrics] = []
        var best = Double.infinity
        if resume, FileManager.default.fileExists(atPath: lastPath) {
            (start, best) = try restore()
            history = try readMetrics().filter { $0.epoch < start }
            log("resuming after epoch \(start) of \(config.epochs)")
        } else if resume {
            log("nothing to resume in \(outDir); starting from epoch 1")
        }
        let stepsPerEpoch = (data.plan(epoch: 0).count + config.batchSize - 1) / config.batchSize
        // Warm-up never takes the whole run (one epoch with one warm-up epoch still decays).
        let total = config.epochs * stepsPerEpoch
        let schedule = CosineSchedule(baseLR: config.learningRate,
                                      warmupSteps: min(Int(config.warmupEpochs * Double(stepsPerEpoch)), total - 1),
                                      totalSteps: total, minLR: config.minLearningRate)
        for epoch in start..<config.epochs {
            beforeEpoch(epoch)
            let t0 = Date()
            let items = data.plan(epoch: epoch)
            var lossSum = 0.0, correct = 0, seen = 0, lr: Float = 0
            for (b, lo) in stride(from: 0, to: items.count, by: config.batchSize).enumerated() {
                let batch = try data.batch(items[lo..<min(lo + config.batchSize, items.count)], epoch: epoch,
                                           batchSeed: config.seed &+ UInt64(epoch * 100_003 + b) &* 0x2545_F491_4F6C_DD1D)
                try job.checkCancelled()
                lr = schedule.learningRate(at: epoch * stepsPerEpoch + b)
                let (loss, hits) = step(batch, lr: lr)
                lossSum += Double(loss) * Double(batch.y.count); correct += hits; seen += batch.y.count
                progress((Double(epoch) + Double(lo + batch.y.count) / Double(items.count)) / Double(config.epochs),
                         String(format: "epoch %d/%d loss %.4f acc %.3f", epoch + 1, config.epochs, lossSum / Double(seen),
                                Double(correct) / Double(seen)))
            }
            let (vLoss, vAcc, vRecall) = validate()
            let seconds = Date().timeIntervalSince(t0)
            let probe = try afterEpoch(model)
            let m = EpochMetrics(epoch: epoch, loss: lossSum / Double(max(seen, 1)), accuracy: Double(correct) / Double(max(seen, 1)),
                                 validationLoss: vLoss, validationAccuracy: vAcc, validationRecall: vRecall,
                                 learningRate: Double(lr), seconds: seconds, samplesPerSecond: Double(seen) / seconds,
                                 validationFrr: probe?.frr, validationFaPerHour: probe?.faPerHour)
            history.append(m)
            if vLoss < best {
                best = vLoss
                try saveModel(to: modelPath, epoch: epoch)
            }
            try checkpoint(epoch: epoch + 1, best: best)
            try writeMetrics(history)
            log(String(format: "epoch %d/%d: loss %.4f acc %.3f, validation loss %.4f acc %.3f recall %.3f, %.0f samples/s",
                       epoch + 1, config.epochs, m.loss, m.accuracy, vLoss, vAcc, vRecall, m.samplesPerSecond))
        }
        if !FileManager.default.fileExists(atPath: modelPath) { try saveModel(to: modelPath, epoch: config.epochs - 1) }
        return history
    }

    /// One optimizer step; returns the batch loss and the number of correct decisions at 0.5.
    func step(_ batch: (x: HarkenNN.Tensor, y: HarkenNN.Tensor, w: HarkenNN.Tensor), lr: Float) -> (Float, Int) {
        let n = batch.y.count
        let logits = model.forward(batch.x, training: true).reshaped([n, 1])
        var targets = batch.y
        let smoothing = config.labelSmoothing ?? 0
        if smoothing > 0 { for i in 0..<n { targets.data[i] *= 1 - smoothing } }
        if let distillation {
            let weight = distillation.weight
            let t = distillation.teacher.teacherLogits(batch.x)
            for i in 0..<n { targets.data[i] = (1 - weight) * targets.data[i] + weight / (1 + exp(-t.data[i])) }
        }
        let (loss, grad) = config.loss == "focal"
            ? Loss.focal(logits: logits, targets: targets, weights: batch.w)
            : Loss.binaryCrossEntropy(logits: logits, targets: targets, weights: batch.w)
        model.zeroGradients()
        _ = model.backward(grad.reshaped([n, 1, 1, 1]))
        model.applyConstraints()
        _ = GradientClipping.clipGlobalNorm(model.parameters, maxNorm: config.gradientClip)
        optimizer.update(model.parameters, lr: lr)
        model.applyConstraints()
        let hits = (0..<n).filter { (logits.data[$0] > 0) == (batch.y.data[$0] > 0.5) }.count
        return (loss, hits)
    }

    /// Loss, accuracy and recall (positives above 0.5) on the fixed validation windows.
    func validate() -> (Double, Double, Double) {
        let (x, y) = data.validation
        let n = y.count
        guard n > 0 else { return (0, 0, 0) }
        var losses = 0.0, correct = 0, positives = 0, found = 0
        let chunk = 256
        for lo in stride(from: 0, to: n, by: chunk) {
            let hi = min(lo + chunk, n)
            let per = x.count / n
            let xs = HarkenNN.Tensor(shape: [hi - lo] + Array(x.shape.dropFirst()), data: Array(x.data[(lo * per)..<(hi * per)]))
            let logits = model.forward(xs, training: false).reshaped([hi - lo, 1])
            let ys = HarkenNN.Tensor(shape: [hi - lo, 1], data: Array(y.data[lo..<hi]))
            losses += Double(Loss.binaryCrossEntropy(logits: logits, targets: ys).loss) * Double(hi - lo)
            for i in 0..<(hi - lo) {
                let positive = ys.data[i] > 0.5
                if (logits.data[i] > 0) == positive { correct += 1 }
                if positive { positives += 1; if logits.data[i] > 0 { found += 1 } }
            }
        }
        return (losses / Double(n), Double(correct) / Double(n), positives > 0 ? Double(found) / Double(positives) : 0)
    }

    func metadata(epoch: Int) throws -> [String: String] {
        var meta = ["format": "harken-\(model.role.rawValue)", "phrase": phrase, "spec": try model.architectureJSON(),
                    "config": try config.json(), "epoch": "\(epoch)"]
        if let judge = model as? JudgeModel { meta.merge(SavedJudge.metadata(judge)) { $1 } }
        return meta
    }

    public func saveModel(to path: String, epoch: Int) throws {
        try Safetensors.write(model.namedTensors, metadata: try metadata(epoch: epoch), to: path)
    }

    /// Weights, BatchNorm statistics and the optimizer's moments after `epoch` epochs.
    func checkpoint(epoch: Int, best: Double) throws {
        var tensors = model.namedTensors
        let state = optimizer.state(of: model.parameters)
        for (name, mv) in state.moments.sorted(by: { $0.key < $1.key }) {
            tensors.append(("adam.m." + name, HarkenNN.Tensor(shape: [mv.m.count], data: mv.m)))
            tensors.append(("adam.v." + name, HarkenNN.Tensor(shape: [mv.v.count], data: mv.v)))
        }
        var meta = try metadata(epoch: epoch)
        meta["adam_step"] = "\(state.step)"
        meta["best_validation_loss"] = "\(best)"
        try Safetensors.write(tensors, metadata: meta, to: lastPath)
    }

    func restore() throws -> (epoch: Int, best: Double) {
        let (tensors, meta) = try Safetensors.read(lastPath)
        guard let epoch = meta["epoch"].flatMap(Int.init), let step = meta["adam_step"].flatMap(Int.init) else {
            throw TrainError.checkpoint("\(lastPath): metadata lacks epoch or adam_step")
        }
        if let spec = meta["spec"], spec != (try model.architectureJSON()) {
            throw TrainError.checkpoint("\(lastPath): saved for another architecture; train into a new --out or drop --resume")
        }
        try model.load(tensors)
        var moments: [String: (m: [Float], v: [Float])] = [:]
        for p in model.parameters {
            if let m = tensors["adam.m." + p.name], let v = tensors["adam.v." + p.name] { moments[p.name] = (m.data, v.data) }
        }
        optimizer.restore(step: step, moments: moments, parameters: model.parameters)
        return (epoch, meta["best_validation_loss"].flatMap(Double.init) ?? .infinity)
    }

    func readMetrics() throws -> [EpochMetrics] {
        guard let text = try? String(contentsOfFile: metricsPath, encoding: .utf8) else { return [] }
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return text.split(separator: "\n").compactMap { try? d.decode(EpochMetrics.self, from: Data($0.utf8)) }
    }

    func writeMetrics(_ history: [EpochMetrics]) throws {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys]
        let text = try history.map { String(decoding: try e.encode($0), as: UTF8.self) }.joined(separator: "\n") + "\n"
        let tmp = metricsPath + ".tmp-\(getpid())"
        try text.write(toFile: tmp, atomically: false, encoding: .utf8)
        guard rename(tmp, metricsPath) == 0 else { throw TrainError.checkpoint("\(metricsPath): cannot write") }
    }
}

/// A model saved by `harken train`: the float Sentry, its phrase and configuration, and (once
/// training has finished) the activation ranges its int8 form is quantized with.
public struct SavedSentry {
    public var file: String
    public var model: SentryModel
    public var phrase: String
    public var config: TrainConfig?
    public var ranges: ActivationRanges?

    /// `model.safetensors`, or the folder holding it.
    public static func file(for path: String) -> String {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            return (path as NSString).appendingPathComponent("model.safetensors")
        }
        return path
    }

    public static func load(_ path: String) throws -> SavedSentry {
        let file = file(for: path)
        let (tensors, meta) = try Safetensors.read(file)
        guard meta["format"] == "harken-sentry", let specJSON = meta["spec"],
              let spec = try? JSONDecoder().decode(SentrySpec.self, from: Data(specJSON.utf8)) else {
            throw TrainError.checkpoint("\(file): not a Harken Sentry checkpoint (metadata format/spec missing)")
        }
        let model = SentryModel(spec: spec, seed: 0)
        try model.load(tensors)
        return SavedSentry(file: file, model: model, phrase: meta["phrase"] ?? "",
                           config: meta["config"].flatMap { try? TrainConfig.fromJSON($0) },
                           ranges: meta["activation_ranges"].flatMap(ActivationRanges.init(json:)))
    }

    /// Rewrites the file with `ranges` in its metadata (atomically).
    public static func attach(_ ranges: ActivationRanges, to path: String) throws {
        let file = file(for: path)
        let (tensors, meta) = try Safetensors.read(file)
        var m = meta
        m["activation_ranges"] = ranges.json
        try Safetensors.write(tensors.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, metadata: m, to: file)
    }

    /// The int8 streaming graph (post-training quantization with the saved ranges).
    public func int8Graph() throws -> Graph {
        guard let ranges else {
            throw TrainError.checkpoint("\(file): no activation ranges (training did not finish; run harken train again with --resume)")
        }
        return try model.streamingGraph(ranges: ranges, description: file)
    }
}
