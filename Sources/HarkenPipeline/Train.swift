import Foundation
import HarkenAudio
import HarkenData
import HarkenGraph
import HarkenStream
import HarkenSupport
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

/// Everything `harken train` takes; nil fields take their defaults (see `Pipeline.train`).
public struct TrainRequest: Sendable {
    public var phrase: String
    public var preset: String
    public var outDir: String
    /// Corpus folder; default data/<phrase>. Synthesized first when it holds no manifest.
    public var dataDir: String?
    /// YAML overriding any hyper-parameter; default `harken.yaml` in `projectDir` when it exists.
    public var configFile: String?
    public var projectDir: String
    public var epochs: Int?
    public var resume: Bool
    public var userPositives: String?
    public var userNoise: String?
    public var userRIRs: String?

    public init(phrase: String, preset: String, outDir: String, dataDir: String? = nil, configFile: String? = nil, projectDir: String = ".",
                epochs: Int? = nil, resume: Bool = false, userPositives: String? = nil, userNoise: String? = nil, userRIRs: String? = nil) {
        self.phrase = phrase; self.preset = preset; self.outDir = outDir; self.dataDir = dataDir; self.configFile = configFile
        self.projectDir = projectDir; self.epochs = epochs; self.resume = resume
        self.userPositives = userPositives; self.userNoise = userNoise; self.userRIRs = userRIRs
    }
}

extension Pipeline {
    /// A phrase as a file name stem: "Hey, Jarvis!" -> hey_jarvis.
    static func slug(_ phrase: String) -> String {
        phrase.lowercased().split { !$0.isLetter && !$0.isNumber }.joined(separator: "_")
    }

    /// The corpus folder for a phrase when none is given: data/<phrase with underscores>.
    public static func defaultDataDir(phrase: String) -> String { "data/" + slug(phrase) }

    /// The project's `harken.yaml`, when `explicit` is nil and the project folder has one.
    public static func configFile(explicit: String?, projectDir: String) -> String? {
        if let explicit { return explicit }
        let path = (projectDir as NSString).appendingPathComponent("harken.yaml")
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    public static func trainConfig(preset: String, yaml: String?, epochs: Int?) throws -> TrainConfig {
        var config = try TrainConfig.preset(preset)
        if let yaml { config = try config.overridden(byYAML: yaml) }
        if let epochs { config.epochs = epochs }
        return config
    }

    /// `harken train`: synthesizes the corpus when the folder has none, trains a Sentry on it, then
    /// evaluates it on the held-out voices: the false-reject rate at the lowest cutoff meeting the
    /// target false accepts per hour, on the validation and on the test voices.
    /// The curve a run shows while it trains: FRR and false accepts per hour at cutoff 0.5 after
    /// every epoch, on at most 200 validation positives and 5 minutes of validation speech (a
    /// trend, cheap enough for every epoch; the validation report after training uses all of it).
    static func epochProbe(corpus: Corpus, config: TrainConfig, stride: Int) throws -> (any WakeModel) throws -> (frr: Double, faPerHour: Double)? {
        let pad = [Int16](repeating: 0, count: 16000)
        let positives = try corpus.clips([.positive], .validation).prefix(200).map { r in
            (r.path, Audio(samples: pad + (try corpus.audio(r)).samples + pad))
        }
        var left = 5 * 60 * 16000
        var streams: [(String, Audio)] = []
        for r in corpus.clips([.stream], .validation) where left > 0 {
            let samples = try corpus.audio(r).samples.prefix(left)
            left -= samples.count
            streams.append((r.path, Audio(samples: Array(samples))))
        }
        guard !positives.isEmpty, !streams.isEmpty else { return { _ in nil } }
        let rule = DetectionRule(window: config.detectorWindow, refractoryMs: config.refractoryMs, stepMs: 10 * stride)
        return { trained in
            guard let model = trained as? SentryModel else { return nil }
            let scorer = WindowScorer(model: model)
            func scored(_ items: [(String, Audio)]) throws -> [ScoredSplit.Clip] {
                try items.map { ScoredSplit.Clip(path: $0.0, seconds: $0.1.seconds, trace: try scorer.scores($0.1)) }
            }
            let r = rule.evaluate(ScoredSplit(split: "validation", positives: try scored(positives), nearMisses: [], streams: try scored(streams)),
                                  cutoff: 0.5, targetFAPerHour: config.targetFalseAcceptsPerHour, model: "")
            return (r.falseRejectRate, r.falseAcceptsPerHour)
        }
    }

    public static func train(_ request: TrainRequest, job: Job = .silent) throws -> TrainReport {
        let config = try trainConfig(preset: request.preset, yaml: configFile(explicit: request.configFile, projectDir: request.projectDir),
                                     epochs: request.epochs)
        let dataDir = request.dataDir ?? defaultDataDir(phrase: request.phrase)
        if !FileManager.default.fileExists(atPath: (dataDir as NSString).appendingPathComponent("manifest.jsonl")) {
            job.log("no corpus in \(dataDir): synthesizing one")
            _ = try synthesize(SynthRequest(phrase: request.phrase, outDir: dataDir), job: job)
        }
        try job.checkCancelled()
        let corpus = try Corpus.load(dataDir)
        let outDir = request.outDir
        let checkpoint = (outDir as NSString).appendingPathComponent("last.safetensors")
        // A damaged checkpoint fails now, not after the minute the training windows take to prepare.
        if request.resume, FileManager.default.fileExists(atPath: checkpoint) { _ = try Safetensors.read(checkpoint) }
        let spec = SentrySpec.standard(config.architecture)
        // A user's file that does not decode, or is silent, is named in the log and left out.
        func folder(_ dir: String?) throws -> [[Float]] { try dir.map { try Corpus.folder($0, report: job.log) } ?? [] }
        let data = try TrainingData(corpus: corpus, windowFrames: spec.windowFrames, config: config,
                                    extraPositives: try folder(request.userPositives), extraNoise: try folder(request.userNoise),
                                    rirs: try folder(request.userRIRs))
        job.log("\(data.positives.count) positives, \(data.negatives.count) negatives, \(data.backgrounds.count) backgrounds; \(data.validation.y.count) validation windows")
        let trainer = Trainer(config: config, data: data, outDir: outDir, phrase: request.phrase)
        trainer.afterEpoch = try epochProbe(corpus: corpus, config: config, stride: spec.inputStride)
        try writeConfig(config, outDir: outDir)
        let t0 = Date()
        let epochs = try trainer.run(resume: request.resume, job: job)
        let seconds = Date().timeIntervalSince(t0)
        // Post-training quantization ranges from the first epoch's mix of windows, saved with the model.
        let model = try SavedSentry.load(trainer.modelPath).model
        var ranges = ActivationRanges()
        model.calibrate(try data.calibrationWindows(count: 512), into: &ranges)
        try SavedSentry.attach(ranges, to: trainer.modelPath)
        let (graph, plan) = try load(model: trainer.modelPath)
        let name = "\(request.phrase) (\(config.architecture.rawValue)"
        var report = TrainReport(phrase: request.phrase, preset: request.preset, architecture: config.architecture.rawValue,
                                 parameters: model.parameters.map(\.value.count).reduce(0, +), epochs: epochs,
                                 trainSeconds: seconds, arenaBytes: plan.arenaBytes, stateBytes: plan.stateBytes, model: trainer.modelPath)
        let float = WindowScorer(model: model)
        report.validation = try validationReport(corpus: corpus, scorer: float, config: config, modelName: name + ", float)", job: job)
        if !corpus.clips([.stream], .test).isEmpty {
            // The operating point on the test voices' own DET curve (as the field reports it); the
            // cutoff the validation voices would pick is in `validation`.
            report.test = try evaluate(corpus: corpus, split: .test, scorer: float, config: config, modelName: name + ", float)", job: job)
            try writeEvaluation(report.test!, to: outDir)
            report.testInt8 = try evaluate(corpus: corpus, split: .test, scorer: PlanScorer(plan: plan), config: config,
                                           modelName: name + ", int8 PTQ)", job: job)
        }
        // The manifest ESPHome and `harken simulate` read: the validation voices' cutoff when there are any.
        try writeManifest(phrase: request.phrase, author: "harken train", cutoff: report.validation?.cutoff ?? report.test?.cutoff ?? 0.9,
                          window: config.detectorWindow, graph: graph, outDir: outDir)
        try writeJSON(report, to: (outDir as NSString).appendingPathComponent("report.json"))
        return report
    }
}
