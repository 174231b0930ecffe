// Cascade.swift: training a Judge on what the deployed Sentry hands it, and measuring the
// Sentry + Judge system on held-out voices.
//
// The Judge's examples are mined with the int8 Sentry itself (its device code, through
// `Simulator.pass`): positives cut where the Sentry fires on augmented copies of the training
// voices' phrases, every Sentry false accept on the training voices' negative speech (clean and
// with noise) at a permissive cutoff, near misses where the Sentry fires or peaks, and plain
// speech at random steps. The Sentry's and the Judge's cutoffs are then chosen together on the
// validation voices for a target system false-accept rate.

import Foundation
import HarkenAudio
import HarkenData
import HarkenGraph
import HarkenStream
import HarkenSupport
import HarkenTrain

public struct JudgeTrainRequest: Sendable {
    /// The deployed Sentry: an int8 model (a quantized folder or any .tflite).
    public var sentry: String
    public var dataDir: String
    public var outDir: String
    public var size: JudgeSize = .device
    public var epochs = 20
    /// The permissive cutoff the Sentry is mined at (its false accepts above it become negatives).
    public var miningCutoff = 0.2
    /// Augmented copies of each training clip passed through the Sentry.
    public var copies = 4
    public var targetFAPerHour = 0.5
    public var resume = false
    public var seed: UInt64 = 1

    public init(sentry: String, dataDir: String, outDir: String) { self.sentry = sentry; self.dataDir = dataDir; self.outDir = outDir }
}

/// What `harken judge train` reports.
public struct JudgeTrainReport: Codable, Sendable {
    public var schemaVersion = 1
    public var phrase: String
    public var size: String
    public var parameters: Int
    public var macs: Int
    public var examples: [String: Int]
    public var validationExamples: [String: Int]
    public var epochs: [EpochMetrics]
    public var trainSeconds: Double
    /// The cascade on the validation voices: the Sentry alone and the chosen pair at the target.
    public var validation: CascadeReport
    public var judge: JudgeStage
    public var model: String
    public var int8Model: String
}

extension Pipeline {
    /// A Sentry's pass over a corpus split: positives and near misses between silence (as `score`
    /// hears them; stress clips as they are), streams as they are.
    static func passes(corpus: Corpus, split: ClipRecord.Split, plan: Plan, detector: DetectorSettings, job: Job) throws -> CascadePasses {
        let stress = corpus.records.contains { $0.split == split && $0.kind == .positive && $0.phraseEndS != nil }
        let pad = [Int16](repeating: 0, count: 16000)
        let positives = corpus.clips([.positive], split), nearMisses = corpus.clips([.nearMiss], split), streams = corpus.clips([.stream], split)
        let total = Double(positives.count + nearMisses.count + streams.count)
        let done = Counter(), progress = job.stage("sentry")
        func each(_ records: [ClipRecord], padded: Bool) throws -> [SentryPass] {
            try concurrentMap(records) { _, r in
                let a = try corpus.audio(r)
                let sim = try Simulator(plan: plan, detector: detector)
                let p = sim.pass(padded ? Audio(samples: pad + a.samples + pad) : a)
                progress(Double(done.increment()) / total, "")
                return p
            }
        }
        return CascadePasses(positives: try each(positives, padded: !stress), nearMisses: try each(nearMisses, padded: !stress),
                             streams: try each(streams, padded: false), streamHours: streams.map(\.seconds).reduce(0, +) / 3600)
    }

    /// The Sentry alone and the cascade on `passes`: at the given cutoffs, and the best on this audio.
    static func cascadeReport(_ sweep: CascadeSweep, corpus: String, split: String, shipped: Double?, given: (Double, Double)?,
                              target: Double) -> CascadeReport {
        let p = sweep.passes
        let grid = sweep.grid()
        // The cascade's DET curve: at each false-accept level of the Sentry's sweep, the lowest FRR.
        let sentryCurve = CascadeSweep.sentryGrid.map { sweep.sentryAlone($0) }
        let levels = [0, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20]
        var cascadeCurve: [CascadePoint] = []
        for level in levels {
            guard let best = grid.filter({ $0.falseAcceptsPerHour.value <= level }).min(by: { $0.falseRejectRate.value < $1.falseRejectRate.value }),
                  best != cascadeCurve.last else { continue }
            cascadeCurve.append(best)
        }
        return CascadeReport(corpus: corpus, split: split, positives: p.positives.count, nearMisses: p.nearMisses.count,
                             negativeHours: p.streamHours, targetFalseAcceptsPerHour: target,
                             sentryAlone: sweep.sentryAloneMeeting(target: target), sentryShipped: shipped.map { sweep.sentryAlone($0) },
                             cascade: given.map { sweep.cascade(sentryCutoff: $0.0, judgeCutoff: $0.1) },
                             cascadeBest: CascadeSweep.best(in: grid, target: target), sentryCurve: sentryCurve, cascadeCurve: cascadeCurve)
    }

    /// The int8 Sentry's plan, detector settings, phrase and training configuration.
    static func deployedSentry(_ path: String) throws -> (plan: Plan, detector: DetectorSettings, phrase: String, config: TrainConfig) {
        let (_, plan) = try load(model: path)
        let detector = try detectorSettings(model: path, manifest: nil, overrides: .init())
        let saved = isSentry(path) ? try? SavedSentry.load(path) : nil
        let manifest = try? ModelManifest.load(path: ModelManifest.besideModel(path))
        return (plan, detector, saved?.phrase ?? manifest?.wake_word ?? "", try saved?.config ?? TrainConfig.preset("esp32"))
    }

    /// The device detector of a Sentry's plan (its step: the frames it reads per inference).
    static func sentryRule(_ d: DetectorSettings, plan: Plan) -> DetectionRule {
        DetectionRule(window: d.window, refractoryMs: d.refractoryMs, stepMs: 10 * (plan.inputs[0].elementCount / max(plan.inputs[0].shape.last ?? 40, 1)))
    }

    /// Examples for a Judge from one split, mined with the Sentry. `augmenter` nil: the clips as they are.
    static func judgeExamples(corpus: Corpus, split: ClipRecord.Split, plan: Plan, detector: DetectorSettings, cutoff: Double,
                              augmenter: Augmenter?, copies: Int, config: TrainConfig, jitter: Int, seed: UInt64,
                              job: Job) throws -> [JudgeExample] {
        let rule = CascadeRule(sentry: sentryRule(detector, plan: plan),
                               sentryCutoff: cutoff, judgeCutoff: 0.5)
        let before = rule.framesBefore + jitter, after = rule.framesAfter + jitter
        let clips = corpus.clips([.positive, .nearMiss, .negative], split), streams = corpus.clips([.stream], split)
        // Other people's speech that augmented phrases and near misses may follow: without it the
        // Judge would learn that speech before a trigger means a false accept.
        let talkers = corpus.clips([.negative], split)
        let n = augmenter == nil ? 1 : copies
        let jobs = clips.flatMap { r in (0..<n).map { (r, $0) } } + streams.flatMap { r in (0..<(n + 1)).map { (r, $0) } }
        let done = Counter(), progress = job.stage("mine \(split.rawValue)")
        let cancellation = job.cancellation
        let lists = try concurrentMap(jobs) { _, item -> [JudgeExample] in
            if cancellation.isCancelled { throw JobCancelled() }
            let (r, copy) = item
            var rng = SplitMix64(seed: seed ^ stableHash(r.path) &+ UInt64(copy) &* 0x9E37_79B9_7F4A_7C15)
            var x = try corpus.samples(r)
            let isStream = r.kind == .stream
            if let augmenter {
                if isStream {
                    // Copy 0 as recorded; the others with noise at the curriculum's hardest SNRs.
                    if copy > 0 { x = augmenter.addNoise(x, epoch: config.epochs - 1, of: config.epochs, rng: &rng) }
                } else {
                    let clip = augmenter.transform(x, rng: &rng)
                    let lead = 8000 + Int(rng.next() % 16000), tail = 12800
                    var canvas = [Float](repeating: 0, count: lead + clip.count + tail)
                    for (j, v) in clip.enumerated() { canvas[lead + j] = v }
                    let power = AudioMath.power(clip[...])
                    if r.kind != .negative, !talkers.isEmpty, rng.nextUniform() < 0.5, power > 0 {
                        // Another talker up to 0.3 s before the clip, 0 to 12 dB below it.
                        let other = augmenter.transform(try corpus.samples(talkers[Int(rng.next() % UInt64(talkers.count))]), rng: &rng)
                        let otherPower = AudioMath.power(other[...])
                        let g = otherPower > 0 ? Float((power / otherPower).squareRoot() * pow(10, -Double(rng.nextUniform()) * 12 / 20)) : 0
                        _ = TrainingData.overlay(other.map { $0 * g }, on: &canvas, endingAt: lead - Int(rng.next() % 4800))
                    }
                    x = augmenter.addNoise(canvas, epoch: Int(rng.next() % UInt64(max(config.epochs, 1))), of: config.epochs,
                                           signalPower: power > 0 ? power : nil, rng: &rng)
                }
            } else if !isStream && r.phraseEndS == nil {
                x = [Float](repeating: 0, count: 16000) + x + [Float](repeating: 0, count: 16000)
            }
            let sim = try Simulator(plan: plan, detector: DetectorSettings(cutoff: cutoff, window: detector.window, refractoryMs: detector.refractoryMs))
            let pass = sim.pass(Audio(samples: TrainingData.quantize(x)))
            progress(Double(done.increment()) / Double(jobs.count), "")
            let triggers = rule.triggers(pass).map(\.step)
            func example(_ step: Int, _ label: Float, _ source: JudgeExample.Source) -> JudgeExample {
                JudgeExample(features: pass.window(triggerStep: step, before: before, after: after), label: label, source: source)
            }
            switch r.kind {
            case .positive:
                // The first trigger, or where the Sentry came closest.
                return [example(triggers.first ?? CascadeSweep.peakStep(pass, window: detector.window), 1, .positive)]
            case .nearMiss:
                return (triggers.isEmpty ? [CascadeSweep.peakStep(pass, window: detector.window)] : triggers).map { example($0, 0, .nearMiss) }
            default:
                var out = triggers.map { example($0, 0, .sentryFalseAccept) }
                // Plain speech: a random step per 20 s (at least one).
                let steps = pass.outputs.count
                for _ in 0..<max(1, steps * pass.stride / 2000) where steps > 0 {
                    out.append(example(Int(rng.next() % UInt64(steps)), 0, .speech))
                }
                return out
            }
        }
        return lists.flatMap { $0 }
    }

    /// `harken judge train`: mines the Sentry, trains a Judge on what it hands over, quantizes it,
    /// and chooses both cutoffs on the validation voices.
    public static func trainJudge(_ request: JudgeTrainRequest, job: Job = .silent) throws -> JudgeTrainReport {
        let corpus = try Corpus.load(request.dataDir)
        let sentry = try deployedSentry(request.sentry)
        var config = sentry.config
        let augmenter = try Augmenter(config: config.augment, noises: try concurrentMap(corpus.clips([.noise], .train)) { _, r in try corpus.samples(r) },
                                      seed: request.seed)
        let jitter = 3
        job.log("mining the Sentry (\(request.sentry)) at cutoff \(request.miningCutoff) on the training voices")
        let train = try judgeExamples(corpus: corpus, split: .train, plan: sentry.plan, detector: sentry.detector, cutoff: request.miningCutoff,
                                      augmenter: augmenter, copies: request.copies, config: config, jitter: jitter, seed: request.seed, job: job)
        let validation = try judgeExamples(corpus: corpus, split: .validation, plan: sentry.plan, detector: sentry.detector,
                                           cutoff: request.miningCutoff, augmenter: nil, copies: 1, config: config, jitter: jitter,
                                           seed: request.seed, job: job)
        func counts(_ e: [JudgeExample]) -> [String: Int] { Dictionary(grouping: e, by: \.source.rawValue).mapValues(\.count) }
        job.log("judge examples: train \(counts(train)), validation \(counts(validation))")

        let model = try JudgeModel(size: request.size, seed: request.seed)
        let data = try JudgeData(train: train, validation: validation, windowFrames: model.windowFrames, jitter: jitter, seed: request.seed)
        config.epochs = request.epochs
        config.batchSize = 64
        config.learningRate = 0.002
        config.warmupEpochs = 0.5
        config.labelSmoothing = 0.05
        let trainer = Trainer(config: config, data: data, outDir: request.outDir, phrase: sentry.phrase, model: model)
        let t0 = Date()
        let history = try trainer.run(resume: request.resume, job: job)
        let seconds = Date().timeIntervalSince(t0)

        let saved = try SavedJudge.load(trainer.modelPath)
        var ranges = ActivationRanges()
        saved.model.calibrate(data.calibrationWindows(count: 512), into: &ranges)
        try SavedSentry.attach(ranges, to: trainer.modelPath)
        let graph = try saved.model.int8Graph(ranges: ranges, description: "harken judge (\(request.size.rawValue)) for \(sentry.phrase)")
        let int8Path = (request.outDir as NSString).appendingPathComponent("judge.tflite")
        try writeAtomically(try graph.tfliteData(description: "harken judge"), to: int8Path)
        let judgePlan = try graph.lower(file: int8Path)
        let int8 = try PlanJudge(plan: judgePlan, file: int8Path)

        // Both cutoffs together, on the validation voices, with the int8 Judge as the device runs it.
        let passes = try self.passes(corpus: corpus, split: .validation, plan: sentry.plan, detector: sentry.detector, job: job)
        let rule = CascadeRule(sentry: sentryRule(sentry.detector, plan: sentry.plan),
                               sentryCutoff: sentry.detector.cutoff, judgeCutoff: 0.5)
        let progress = job.stage("judge")
        let sweep = try CascadeSweep(rule: rule, passes: passes, judge: int8, extraSentryCutoffs: [sentry.detector.cutoff]) { progress($0, "") }
        let report = cascadeReport(sweep, corpus: request.dataDir, split: "validation", shipped: sentry.detector.cutoff, given: nil,
                                   target: request.targetFAPerHour)
        let chosen = report.cascadeBest
        let stage = JudgeStage(model: "judge.tflite", placement: request.size == .device ? .device : .server,
                               cutoff: chosen?.judgeCutoff ?? 0.5, sentryCutoff: chosen?.sentryCutoff ?? sentry.detector.cutoff)
        let result = JudgeTrainReport(phrase: sentry.phrase, size: request.size.rawValue, parameters: model.parameterCount,
                                      macs: judgePlan.steps.reduce(0) { $0 + $1.macs },
                                      examples: counts(train), validationExamples: counts(validation), epochs: history,
                                      trainSeconds: seconds, validation: report, judge: stage, model: trainer.modelPath, int8Model: int8Path)
        try writeJSON(result, to: (request.outDir as NSString).appendingPathComponent("judge_report.json"))
        try writeJSON(stage, to: (request.outDir as NSString).appendingPathComponent("judge_stage.json"))
        return result
    }

    /// `harken eval --cascade`: the Sentry alone and with the Judge on a corpus split (or a stress
    /// benchmark's test part), at the cutoffs the Judge's validation chose when they are known.
    public static func evaluateCascade(sentry path: String, judge judgePath: String, dataDir: String, split: ClipRecord.Split,
                                       sentryCutoff: Double?, judgeCutoff: Double?, targetFAPerHour: Double,
                                       job: Job = .silent) throws -> CascadeReport {
        let corpus = try Corpus.load(dataDir)
        let sentry = try deployedSentry(path)
        let judge = try loadJudge(judgePath)
        let stagePath = ((judgePath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("judge_stage.json")
        let stage = try? JSONDecoder().decode(JudgeStage.self, from: Data(contentsOf: URL(fileURLWithPath: stagePath)))
        let passes = try self.passes(corpus: corpus, split: split, plan: sentry.plan, detector: sentry.detector, job: job)
        let rule = CascadeRule(sentry: sentryRule(sentry.detector, plan: sentry.plan),
                               sentryCutoff: sentryCutoff ?? stage?.sentryCutoff ?? sentry.detector.cutoff,
                               judgeCutoff: judgeCutoff ?? stage?.cutoff ?? 0.5,
                               framesBefore: judge.windowFrames - (stage?.framesAfter ?? JudgeStage.defaultFramesAfter),
                               framesAfter: stage?.framesAfter ?? JudgeStage.defaultFramesAfter)
        let progress = job.stage("judge")
        let sweep = try CascadeSweep(rule: rule, passes: passes, judge: judge, extraSentryCutoffs: [rule.sentryCutoff, sentry.detector.cutoff]) {
            progress($0, "")
        }
        return cascadeReport(sweep, corpus: dataDir, split: split.rawValue, shipped: sentry.detector.cutoff,
                             given: (rule.sentryCutoff, rule.judgeCutoff), target: targetFAPerHour)
    }
}
