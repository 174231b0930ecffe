import Foundation
import HarkenAudio
import HarkenData
import HarkenGraph
import HarkenStream
import HarkenSupport
import HarkenTrain

extension Pipeline {
    /// Scores every clip of a corpus split once: positives and near misses alone, between a second
    /// of silence before and after; the continuous negative audio as it is.
    public static func score(corpus: Corpus, split: ClipRecord.Split, scorer: any StreamScorer, job: Job = .silent) throws -> ScoredSplit {
        let positives = corpus.clips([.positive], split), nearMisses = corpus.clips([.nearMiss], split)
        let streams = corpus.clips([.stream], split)
        guard !positives.isEmpty else { throw CorpusError.unreadable("\(corpus.root): no positive clips in the \(split.rawValue) split") }
        guard !streams.isEmpty else {
            throw CorpusError.unreadable("\(corpus.root): no continuous negative audio in the \(split.rawValue) split (harken synth --test-minutes/--validation-minutes)")
        }
        let total = Double(positives.count + nearMisses.count + streams.count)
        let done = Counter()
        let progress = job.stage("eval")
        let cancellation = job.cancellation
        let pad = [Int16](repeating: 0, count: 16000)
        @Sendable func scored(_ r: ClipRecord, padded: Bool) throws -> ScoredSplit.Clip {
            if cancellation.isCancelled { throw JobCancelled() }
            let audio = try corpus.audio(r)
            let trace = try scorer.scores(padded ? Audio(samples: pad + audio.samples + pad) : audio)
            progress(Double(done.increment()) / total, "")
            return ScoredSplit.Clip(path: r.path, seconds: r.seconds, trace: trace)
        }
        func each(_ items: [ClipRecord], padded: Bool) throws -> [ScoredSplit.Clip] {
            scorer.scoresConcurrently ? try concurrentMap(items) { _, r in try scored(r, padded: padded) }
                                      : try items.map { try scored($0, padded: padded) }
        }
        return ScoredSplit(split: split.rawValue, positives: try each(positives, padded: true),
                           nearMisses: try each(nearMisses, padded: true), streams: try each(streams, padded: false))
    }

    /// A corpus split scored and measured with the device's detector (`window`, `refractoryMs`).
    public static func evaluate(corpus: Corpus, split: ClipRecord.Split, scorer: any StreamScorer, window: Int, refractoryMs: Int,
                                cutoff: Double? = nil, targetFAPerHour: Double, modelName: String, job: Job = .silent) throws -> EvalReport {
        let scored = try score(corpus: corpus, split: split, scorer: scorer, job: job)
        let rule = DetectionRule(window: window, refractoryMs: refractoryMs, stepMs: 10 * scorer.stepFrames)
        return rule.evaluate(scored, cutoff: cutoff, targetFAPerHour: targetFAPerHour, model: modelName)
    }

    /// `evaluate` with a training configuration's detector and false-accept target.
    static func evaluate(corpus: Corpus, split: ClipRecord.Split, scorer: any StreamScorer, config: TrainConfig,
                         modelName: String, job: Job) throws -> EvalReport {
        try evaluate(corpus: corpus, split: split, scorer: scorer, window: config.detectorWindow, refractoryMs: config.refractoryMs,
                     targetFAPerHour: config.targetFalseAcceptsPerHour, modelName: modelName, job: job)
    }

    /// The validation voices' evaluation, which picks the cutoff a model ships with; nil when the
    /// corpus has no validation positives or negative speech.
    static func validationReport(corpus: Corpus, scorer: any StreamScorer, config: TrainConfig, modelName: String, job: Job) throws -> EvalReport? {
        guard !corpus.clips([.stream], .validation).isEmpty, !corpus.clips([.positive], .validation).isEmpty else { return nil }
        return try evaluate(corpus: corpus, split: .validation, scorer: scorer, config: config, modelName: modelName, job: job)
    }

    /// `harken eval`: a trained Sentry (its folder or .safetensors) or any int8 .tflite on a corpus split.
    public static func evaluate(model path: String, dataDir: String, split: ClipRecord.Split, cutoff: Double?,
                                targetFAPerHour: Double, window: Int?, refractoryMs: Int, job: Job = .silent) throws -> EvalReport {
        try scoreModel(path, dataDir: dataDir, split: split, window: window, refractoryMs: refractoryMs, job: job)
            .report(cutoff: cutoff, targetFAPerHour: targetFAPerHour)
    }

    /// Every clip of a split scored by a model, with the detector it is measured by: what
    /// `harken eval` measures, kept so other cutoffs, windows and refractory times can be measured
    /// without scoring again (`StoredScores`).
    public static func scoreModel(_ path: String, dataDir: String, split: ClipRecord.Split, window: Int?, refractoryMs: Int,
                                  job: Job = .silent) throws -> ModelScores {
        let corpus = try Corpus.load(dataDir)
        let scorer: any StreamScorer, name: String, defaultWindow: Int
        if path.hasSuffix(".tflite") {
            let (_, plan) = try load(model: path)
            scorer = PlanScorer(plan: plan)
            name = (path as NSString).lastPathComponent
            defaultWindow = (try? ModelManifest.load(path: ModelManifest.besideModel(path)))?.micro.sliding_window_size ?? 5
        } else {
            let saved = try SavedSentry.load(path)
            scorer = WindowScorer(model: saved.model)
            name = "\(saved.phrase) (\(saved.model.spec.architecture.rawValue), float)"
            defaultWindow = saved.config?.detectorWindow ?? 5
        }
        let scored = try score(corpus: corpus, split: split, scorer: scorer, job: job)
        return ModelScores(model: name, rule: DetectionRule(window: window ?? defaultWindow, refractoryMs: refractoryMs, stepMs: 10 * scorer.stepFrames),
                           scored: scored)
    }

    /// det.json, det.svg, false_accepts.json and eval_report.json (and scores.json when given) beside a model.
    public static func writeEvaluation(_ r: EvalReport, to dir: String, scores: ModelScores? = nil) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        if let scores { try writeJSON(StoredScores(scores), to: (dir as NSString).appendingPathComponent("scores.json")) }
        try writeJSON(r, to: (dir as NSString).appendingPathComponent("eval_report.json"))
        try writeJSON(DETFile(report: r), to: (dir as NSString).appendingPathComponent("det.json"))
        try writeAtomically(r.detSVG(), to: (dir as NSString).appendingPathComponent("det.svg"))
        try writeJSON(FalseAcceptsFile(report: r), to: (dir as NSString).appendingPathComponent("false_accepts.json"))
    }
}

/// det.json: the DET curve of one evaluation.
public struct DETFile: Codable, Sendable {
    public var schemaVersion = 1
    public var model: String
    public var split: String
    public var points: [DETPoint]

    public init(report r: EvalReport) { model = r.model; split = r.split; points = r.det }
}

/// false_accepts.json: every false accept at the evaluation's cutoff.
public struct FalseAcceptsFile: Codable, Sendable {
    public var schemaVersion = 1
    public var model: String
    public var split: String
    public var cutoff: Double
    public var falseAccepts: [FalseAccept]

    public init(report r: EvalReport) { model = r.model; split = r.split; cutoff = r.cutoff; falseAccepts = r.falseAccepts }
}
