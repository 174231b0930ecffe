import Foundation
import HarkenData
import HarkenGraph
import HarkenNN
import HarkenTrain

/// What `harken train` reports: the resolved configuration, the epochs, and the evaluation of the
/// trained float model (cutoff chosen on the validation voices, figures on the held-out test voices).
public struct TrainReport: Codable, Sendable {
    public var schemaVersion = 1
    public var phrase: String
    public var preset: String
    public var architecture: String
    public var parameters: Int
    public var epochs: [EpochMetrics]
    public var trainSeconds: Double
    public var validation: EvalReport?
    public var test: EvalReport?
    /// The int8 model (post-training quantization) at the same operating point rule.
    public var testInt8: EvalReport?
    public var arenaBytes: Int?
    public var stateBytes: Int?
    public var model: String
}

extension Pipeline {
    /// A phrase as a file name stem: "Hey, Jarvis!" -> hey_jarvis.
    static func slug(_ phrase: String) -> String {
        phrase.lowercased().split { !$0.isLetter && !$0.isNumber }.joined(separator: "_")
    }

    /// The corpus folder for a phrase when none is given: data/<phrase with underscores>.
    public static func defaultDataDir(phrase: String) -> String { "data/" + slug(phrase) }

    public static func trainConfig(preset: String, yaml: String?, epochs: Int?) throws -> TrainConfig {
        var config = try TrainConfig.preset(preset)
        if let yaml { config = try config.overridden(byYAML: yaml) }
        if let epochs { config.epochs = epochs }
        return config
    }

    /// Trains a Sentry on the corpus, then evaluates it on the held-out voices: the false-reject
    /// rate at the lowest cutoff meeting the target false accepts per hour, on the validation and
    /// on the test voices.
    public static func train(phrase: String, preset: String, config: TrainConfig, dataDir: String, outDir: String,
                             resume: Bool, userPositives: String?, userNoise: String?, userRIRs: String?,
                             progress: @escaping (Double, String) -> Void, log: @escaping (String) -> Void) throws -> TrainReport {
        let corpus = try Corpus.load(dataDir)
        let spec = SentrySpec.standard(config.architecture)
        let data = try TrainingData(corpus: corpus, windowFrames: spec.windowFrames, config: config,
                                    extraPositives: try userPositives.map(Corpus.folder) ?? [],
                                    extraNoise: try userNoise.map(Corpus.folder) ?? [],
                                    rirs: try userRIRs.map(Corpus.folder) ?? [])
        log("\(data.positives.count) positives, \(data.negatives.count) negatives, \(data.backgrounds.count) backgrounds; \(data.validation.y.count) validation windows")
        let trainer = Trainer(config: config, data: data, outDir: outDir, phrase: phrase)
        try writeAtomically(try config.json() + "\n", to: (outDir as NSString).appendingPathComponent("config.json"))
        let t0 = Date()
        let epochs = try trainer.run(resume: resume, progress: progress, log: log)
        let seconds = Date().timeIntervalSince(t0)
        // Post-training quantization ranges from the first epoch's mix of windows, saved with the model.
        let model = try SavedSentry.load(trainer.modelPath).model
        var ranges = ActivationRanges()
        model.calibrate(try data.calibrationWindows(count: 512), into: &ranges)
        try SavedSentry.attach(ranges, to: trainer.modelPath)
        let (graph, plan) = try load(model: trainer.modelPath)
        var report = TrainReport(phrase: phrase, preset: preset, architecture: config.architecture.rawValue,
                                 parameters: model.parameters.map(\.value.count).reduce(0, +), epochs: epochs,
                                 trainSeconds: seconds, arenaBytes: plan.arenaBytes, stateBytes: plan.stateBytes, model: trainer.modelPath)
        let evaluator = Evaluator(corpus: corpus, scorer: .float(model), window: config.detectorWindow, refractoryMs: config.refractoryMs)
        report.validation = try validationReport(evaluator, config: config, modelName: "\(phrase) (\(config.architecture.rawValue), float)")
        if !corpus.clips([.stream], .test).isEmpty {
            // The operating point on the test voices' own DET curve (as the field reports it); the
            // cutoff the validation voices would pick is in `validation`.
            report.test = try evaluator.run(split: .test, cutoff: nil, targetFAPerHour: config.targetFalseAcceptsPerHour,
                                            modelName: "\(phrase) (\(config.architecture.rawValue), float)")
            try writeEvaluation(report.test!, to: outDir)
            let int8 = Evaluator(corpus: corpus, scorer: .int8(plan), window: config.detectorWindow, refractoryMs: config.refractoryMs)
            report.testInt8 = try int8.run(split: .test, cutoff: nil, targetFAPerHour: config.targetFalseAcceptsPerHour,
                                           modelName: "\(phrase) (\(config.architecture.rawValue), int8 PTQ)")
        }
        // The manifest ESPHome and `harken simulate` read: the validation voices' cutoff when there are any.
        try writeManifest(phrase: phrase, author: "harken train", cutoff: report.validation?.cutoff ?? report.test?.cutoff ?? 0.9,
                          window: config.detectorWindow, graph: graph, outDir: outDir)
        try writeJSON(report, to: (outDir as NSString).appendingPathComponent("report.json"))
        return report
    }

    /// The validation voices' evaluation, which picks the cutoff a model ships with; nil when the
    /// corpus has no validation positives or negative speech.
    static func validationReport(_ evaluator: Evaluator, config: TrainConfig, modelName: String) throws -> EvalReport? {
        let corpus = evaluator.corpus
        guard !corpus.clips([.stream], .validation).isEmpty, !corpus.clips([.positive], .validation).isEmpty else { return nil }
        return try evaluator.run(split: .validation, cutoff: nil, targetFAPerHour: config.targetFalseAcceptsPerHour, modelName: modelName)
    }

    /// A micro_wake_word v2 manifest for a Sentry's int8 graph: the detector settings and the TFLM
    /// arena the graph needs.
    static func sentryManifest(phrase: String, author: String, model: String?, cutoff: Double, window: Int, graph: Graph) -> ModelManifest {
        ModelManifest(type: "micro", wake_word: phrase, author: author, model: model, version: 2,
                      micro: .init(probability_cutoff: cutoff, feature_step_size: 10, sliding_window_size: window,
                                   tensor_arena_size: tensorArenaSize(graph), minimum_esphome_version: "2024.7.0"))
    }

    /// `model.json` beside a trained model.
    static func writeManifest(phrase: String, author: String, cutoff: Double, window: Int, graph: Graph, outDir: String) throws {
        try writeJSON(sentryManifest(phrase: phrase, author: author, model: nil, cutoff: cutoff, window: window, graph: graph),
                      to: (outDir as NSString).appendingPathComponent("model.json"), snakeCase: false)
    }

    /// Pretty, key-sorted JSON written atomically; Harken's own reports use snake_case keys.
    static func writeJSON<T: Encodable>(_ value: T, to path: String, snakeCase: Bool = true) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        if snakeCase { e.keyEncodingStrategy = .convertToSnakeCase }
        try writeAtomically(try e.encode(value), to: path)
    }

    /// det.json, det.svg and false_accepts.json beside a model.
    public static func writeEvaluation(_ r: EvalReport, to dir: String) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try writeJSON(r.det, to: (dir as NSString).appendingPathComponent("det.json"))
        try writeAtomically(r.detSVG(), to: (dir as NSString).appendingPathComponent("det.svg"))
        try writeJSON(r.falseAccepts, to: (dir as NSString).appendingPathComponent("false_accepts.json"))
    }

    /// `harken eval`: a trained Sentry (its folder or .safetensors) or any int8 .tflite on a corpus split.
    public static func evaluate(model path: String, dataDir: String, split: ClipRecord.Split, cutoff: Double?,
                                targetFAPerHour: Double, window: Int?, refractoryMs: Int,
                                progress: @escaping @Sendable (Double) -> Void) throws -> EvalReport {
        let corpus = try Corpus.load(dataDir)
        let scorer: Scorer, name: String, defaultWindow: Int
        if path.hasSuffix(".tflite") {
            let (_, plan) = try load(model: path)
            scorer = .int8(plan)
            name = (path as NSString).lastPathComponent
            defaultWindow = (try? ModelManifest.load(path: ModelManifest.besideModel(path)))?.micro.sliding_window_size ?? 5
        } else {
            let saved = try SavedSentry.load(path)
            scorer = .float(saved.model)
            name = "\(saved.phrase) (\(saved.model.spec.architecture.rawValue), float)"
            defaultWindow = saved.config?.detectorWindow ?? 5
        }
        let evaluator = Evaluator(corpus: corpus, scorer: scorer, window: window ?? defaultWindow, refractoryMs: refractoryMs)
        return try evaluator.run(split: split, cutoff: cutoff, targetFAPerHour: targetFAPerHour, modelName: name, progress: progress)
    }
}

public struct ThroughputReport: Codable, Sendable {
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

/// What `harken quantize` reports: the int8 model after QAT beside post-training quantization.
public struct QuantizeReport: Codable, Sendable {
    public var schemaVersion = 1
    public var phrase: String
    public var epochs: [EpochMetrics]
    public var float: EvalReport
    public var postTraining: EvalReport
    public var quantizationAware: EvalReport
    /// The QAT model on the validation voices: the cutoff its model.json carries.
    public var quantizationAwareValidation: EvalReport?
    public var model: String
}

extension Pipeline {
    /// `harken quantize`: quantization-aware fine-tuning of a trained Sentry (BatchNorm folded, weights
    /// per channel and activations fake-quantized, ranges frozen for the last epoch), then the int8
    /// model's FRR at the target false accepts per hour on the test voices, beside the float model
    /// and plain post-training quantization.
    public static func quantize(model path: String, dataDir: String, outDir: String, epochs: Int, distillation: Float = 0.8,
                                progress: @escaping (Double, String) -> Void, log: @escaping (String) -> Void) throws -> QuantizeReport {
        let source = try SavedSentry.load(path)
        guard source.ranges != nil else {
            throw TrainError.checkpoint("\(source.file): no activation ranges (training did not finish; run harken train again with --resume)")
        }
        var config = try source.config ?? TrainConfig.preset("esp32")
        let corpus = try Corpus.load(dataDir)
        let evaluate = { (scorer: Scorer, name: String) throws -> EvalReport in
            try Evaluator(corpus: corpus, scorer: scorer, window: config.detectorWindow, refractoryMs: config.refractoryMs)
                .run(split: .test, cutoff: nil, targetFAPerHour: config.targetFalseAcceptsPerHour, modelName: "\(source.phrase) (\(name))")
        }
        let floatReport = try evaluate(.float(source.model), "float")
        let ptq = try evaluate(.int8(try source.int8Graph().lower(file: path)), "int8 post-training")
        log(String(format: "before: float FRR %.1f %%, post-training int8 FRR %.1f %% at %.2f FA/h",
                   floatReport.falseRejectRate * 100, ptq.falseRejectRate * 100, ptq.falseAcceptsPerHour))

        // Fine-tuning continues where training ended: the hardest SNRs, a small learning rate.
        config.epochs = epochs
        config.learningRate = config.minLearningRate * 4
        config.warmupEpochs = 0
        config.augment.snrFirstEpoch = config.augment.snrLastEpoch
        let data = try TrainingData(corpus: corpus, windowFrames: source.model.spec.windowFrames, config: config)
        let model = source.model
        model.prepareQuantizationAwareTraining()
        let trainer = Trainer(config: config, data: data, outDir: outDir, phrase: source.phrase, model: model)
        trainer.beforeEpoch = { epoch in if epoch == epochs - 1 { model.freezeQuantizationRanges(); log("ranges frozen") } }
        // The teacher is a second, untouched copy of the float model (`model` is being fine-tuned).
        trainer.teacher = (try SavedSentry.load(path).model, distillation)
        try writeAtomically(try config.json() + "\n", to: (outDir as NSString).appendingPathComponent("config.json"))
        let history = try trainer.run(resume: false, progress: progress, log: log)
        // The weights and ranges as they ended (the ranges belong to these weights).
        try trainer.saveModel(to: trainer.modelPath, epoch: epochs - 1)
        var ranges = ActivationRanges()
        model.calibrate(try data.calibrationWindows(count: 256), into: &ranges)
        for (k, v) in model.quantizationAwareRanges.ranges { ranges.ranges[k] = v }
        try SavedSentry.attach(ranges, to: trainer.modelPath)
        let (qatGraph, qatPlan) = try load(model: trainer.modelPath)
        let qat = try evaluate(.int8(qatPlan), "int8 QAT")
        // The fine-tuned int8 model's own cutoff, chosen on the validation voices as train chooses it.
        let validation = try validationReport(Evaluator(corpus: corpus, scorer: .int8(qatPlan), window: config.detectorWindow,
                                                        refractoryMs: config.refractoryMs),
                                              config: config, modelName: "\(source.phrase) (int8 QAT)")
        try writeManifest(phrase: source.phrase, author: "harken quantize", cutoff: validation?.cutoff ?? qat.cutoff,
                          window: config.detectorWindow, graph: qatGraph, outDir: outDir)
        let report = QuantizeReport(phrase: source.phrase, epochs: history, float: floatReport, postTraining: ptq,
                                    quantizationAware: qat, quantizationAwareValidation: validation, model: trainer.modelPath)
        try writeJSON(report, to: (outDir as NSString).appendingPathComponent("quantize_report.json"))
        return report
    }
}
