import Foundation
import HarkenAudio
import HarkenData
import HarkenGraph
import HarkenStream
import HarkenSupport
import HarkenTrain

/// Everything `harken synth --stress` takes; defaults are `StressBenchmark.Default`'s.
public struct StressRequest: Sendable {
    public var phrase: String
    public var outDir: String
    public var seed: UInt64 = 7
    public var positives = StressBenchmark.Default.positives
    public var speakersPerNearMiss = StressBenchmark.Default.speakersPerNearMiss
    public var speechHours = StressBenchmark.Default.speechHours

    public init(phrase: String, outDir: String) { self.phrase = phrase; self.outDir = outDir }
}

/// A model `harken bench-accuracy` scores: a trained Sentry in float, or any int8 model (a
/// quantized Sentry folder, or a .tflite such as microWakeWord's published models).
public enum ScoredModel: Sendable {
    case float(String)
    case int8(String)

    var path: String {
        switch self { case .float(let p), .int8(let p): return p }
    }
}

/// `harken bench-accuracy`: each model's stress report on the same benchmark audio.
public struct AccuracyBenchmark: Codable, Sendable {
    public var schemaVersion = 1
    public var corpus: String
    public var phrase: String?
    public var reports: [StressReport]
}

extension Pipeline {
    /// `harken synth --stress`: the stress benchmark for a phrase (see `StressBenchmark`).
    public static func synthesizeStress(_ r: StressRequest, job: Job = .silent) throws -> SynthReport {
        let records = try StressBenchmark(phrase: r.phrase, seed: r.seed, positives: r.positives,
                                          speakersPerNearMiss: r.speakersPerNearMiss, speechHours: r.speechHours)
            .run(outDir: r.outDir, job: job)
        return SynthReport(clips: records.count,
                           byKind: Dictionary(grouping: records, by: \.kind.rawValue).mapValues(\.count),
                           bySplit: Dictionary(grouping: records, by: \.split.rawValue).mapValues(\.count),
                           voices: Set(records.filter { $0.kind == .positive }.map(\.voice)).count,
                           manifest: (r.outDir as NSString).appendingPathComponent("manifest.jsonl"))
    }

    /// A model's scorer, its name, its detector window and the cutoff it ships with (its manifest's).
    static func scorer(for model: ScoredModel) throws -> (scorer: any StreamScorer, name: String, window: Int, shipped: Double?) {
        let manifest = try? ModelManifest.load(path: ModelManifest.besideModel(model.path))
        switch model {
        case .float(let path):
            let saved = try SavedSentry.load(path)
            return (WindowScorer(model: saved.model), "\(saved.phrase) (\(saved.model.spec.architecture.rawValue), float)",
                    saved.config?.detectorWindow ?? manifest?.micro.sliding_window_size ?? 5, manifest?.micro.probability_cutoff)
        case .int8(let path):
            let (_, plan) = try load(model: path)
            let name = isSentry(path) ? "\((try? SavedSentry.load(path))?.phrase ?? path) (int8)" : (path as NSString).lastPathComponent
            return (PlanScorer(plan: plan), name, manifest?.micro.sliding_window_size ?? 5, manifest?.micro.probability_cutoff)
        }
    }

    /// Every clip of a stress corpus scored, with the tags its breakdowns group by. Positives and
    /// near misses carry their own background before and after, so they are scored as they are.
    public static func scoreStress(corpus: Corpus, scorer: any StreamScorer, job: Job = .silent) throws -> StressScored {
        let test = corpus.records.filter { $0.split == .test }
        let total = Double(test.count)
        let done = Counter()
        let progress = job.stage("bench-accuracy")
        let cancellation = job.cancellation
        @Sendable func scored(_ r: ClipRecord) throws -> LabelledClip {
            if cancellation.isCancelled { throw JobCancelled() }
            let trace = try scorer.scores(try corpus.audio(r))
            progress(Double(done.increment()) / total, "")
            return LabelledClip(clip: ScoredSplit.Clip(path: r.path, seconds: r.seconds, trace: trace), tags: tags(r),
                                phraseEndS: r.phraseEndS, text: r.kind == .nearMiss ? r.text : nil)
        }
        func each(_ kind: ClipRecord.Kind) throws -> [LabelledClip] {
            let items = test.filter { $0.kind == kind }
            return scorer.scoresConcurrently ? try concurrentMap(items) { _, r in try scored(r) } : try items.map(scored)
        }
        let positives = try each(.positive), nearMisses = try each(.nearMiss), streams = try each(.stream)
        guard !positives.isEmpty, !streams.isEmpty else {
            throw CorpusError.unreadable("\(corpus.root): a stress benchmark needs positives and running speech in its test split (harken synth --stress)")
        }
        return StressScored(positives: positives, nearMisses: nearMisses, streams: streams)
    }

    /// The breakdown groups of a clip: condition, background, SNR band, room, level, engine, speaker.
    static func tags(_ r: ClipRecord) -> [String: String] {
        var t: [String: String] = [:]
        if r.kind == .nearMiss {
            t["kind"] = r.nearMissKind ?? "near miss"
            return t
        }
        t["condition"] = r.condition ?? "clean"
        t["noise"] = r.noise ?? "none"
        if let snr = r.snrDb {
            let band = min(Int(max(snr, 0) / 5), 4) * 5
            t["snr"] = "\(band)–\(band + 5) dB"
        } else {
            t["snr"] = "no noise"
        }
        if r.kind == .positive {
            if let rt60 = r.rt60S { t["rt60"] = rt60 < 0.5 ? "0.3–0.5 s" : rt60 < 0.75 ? "0.5–0.75 s" : "0.75–1 s" }
            if let level = r.levelDbfs { t["level"] = level < -35 ? "quiet (< -35 dBFS)" : level < -22 ? "normal" : "loud (> -22 dBFS)" }
            t["engine"] = r.engine
            t["speaker"] = r.voice
            t["rate"] = r.rate < 0.75 ? "slow (< 0.75)" : r.rate > 1.25 ? "fast (> 1.25)" : "within training's"
        }
        return t
    }

    /// `harken bench-accuracy`: every model on the stress benchmark at `stressDir`.
    public static func benchAccuracy(models: [ScoredModel], stressDir: String, refractoryMs: Int = 1000,
                                     job: Job = .silent) throws -> AccuracyBenchmark {
        let corpus = try Corpus.load(stressDir)
        var reports: [StressReport] = []
        for model in models {
            let (scorer, name, window, shipped) = try self.scorer(for: model)
            job.log("bench-accuracy: \(name)")
            let scored = try scoreStress(corpus: corpus, scorer: scorer, job: job)
            let rule = DetectionRule(window: window, refractoryMs: refractoryMs, stepMs: 10 * scorer.stepFrames)
            reports.append(rule.stressReport(scored, model: name, shipped: shipped))
        }
        return AccuracyBenchmark(corpus: stressDir, phrase: corpus.records.first { $0.kind == .positive }?.text, reports: reports)
    }
}
