import Foundation
import HarkenAudio
import HarkenCodegen
import HarkenGraph
import HarkenStream
import HarkenSupport

/// `harken simulate --judge`: the cascade on one recording as the device runs it (CascadeRule
/// over the Sentry's pass), each trigger with the Judge's verdict.
public struct CascadeSimulationReport: Codable, Sendable {
    public var schemaVersion = 1
    public var audioSeconds: Double
    public var steps: Int
    public var stepMs: Int
    public var judge: String
    /// The Sentry's detector in the cascade (its cutoff is `sentry_cutoff`).
    public var detector: DetectorSettings
    public var sentryCutoff: Double
    public var judgeCutoff: Double
    public var framesBefore: Int
    public var framesAfter: Int
    public var decisions: [CascadeDecision]
    /// Sentry triggers, and those the Judge accepted.
    public var triggers: Int
    public var accepted: Int
}

/// The cascade's settings for `harken simulate --judge`; nil keeps the Sentry manifest's `judge`
/// field, then the Sentry's own cutoff (`--cutoff`, the manifest's probability_cutoff) and 0.5.
public struct CascadeOverrides: Sendable {
    public var judge: String
    public var sentryCutoff: Double?
    public var judgeCutoff: Double?
    public init(judge: String, sentryCutoff: Double? = nil, judgeCutoff: Double? = nil) {
        self.judge = judge; self.sentryCutoff = sentryCutoff; self.judgeCutoff = judgeCutoff
    }
}

extension Pipeline {
    public static func simulateCascade(model: String, audio: Audio, cascade: CascadeOverrides, manifest: String? = nil,
                                       overrides: DetectorOverrides = .init(), rounding: FeatureRounding = .device,
                                       job: Job = .silent) throws -> CascadeSimulationReport {
        let (_, plan) = try load(model: model)
        let manifestPath = manifest ?? ModelManifest.besideModel(model)
        let stage = manifest != nil || FileManager.default.fileExists(atPath: manifestPath) ? try ModelManifest.load(path: manifestPath).judge : nil
        let judge = try loadJudge(cascade.judge)
        let after = stage?.framesAfter ?? min(JudgeStage.defaultFramesAfter, max(judge.windowFrames - 1, 0))
        let before = stage?.framesBefore ?? judge.windowFrames - after
        guard before >= 1, before + after == judge.windowFrames else {
            throw CascadeError.judge(file: cascade.judge, field: "window of \(judge.windowFrames) frames",
                                     expected: "the manifest's frames_before + frames_after (\(before) + \(after))")
        }
        var settings = try detectorSettings(model: model, manifest: manifest, overrides: overrides)
        let sentryCutoff = cascade.sentryCutoff ?? stage?.sentryCutoff ?? overrides.cutoff ?? settings.cutoff
        // The device's detector in the cascade fires at the Sentry's cascade cutoff and re-arms below it.
        settings.cutoff = sentryCutoff
        settings.release = sentryCutoff
        let judgeCutoff = cascade.judgeCutoff ?? stage?.cutoff ?? JudgeOptions.defaultJudgeCutoff
        let sim = try Simulator(plan: plan, detector: settings, rounding: rounding, file: model)
        guard judge.channels == sim.frontend.channels else {
            throw CascadeError.judge(file: cascade.judge, field: "\(judge.channels) channels", expected: "the Sentry's \(sim.frontend.channels)")
        }
        let progress = job.stage("simulate")
        let pass = sim.pass(audio)
        progress(0.5, "")
        let rule = CascadeRule(sentry: DetectionRule(window: settings.window, refractoryMs: settings.refractoryMs, stepMs: sim.stepMs),
                               sentryCutoff: sentryCutoff, judgeCutoff: judgeCutoff, framesBefore: before, framesAfter: after)
        let decisions = try rule.decisions(pass, judge: judge)
        progress(1, "")
        return CascadeSimulationReport(audioSeconds: audio.seconds, steps: pass.outputs.count, stepMs: sim.stepMs, judge: cascade.judge,
                                       detector: settings, sentryCutoff: sentryCutoff, judgeCutoff: judgeCutoff,
                                       framesBefore: before, framesAfter: after, decisions: decisions,
                                       triggers: decisions.count, accepted: decisions.filter(\.accepted).count)
    }
}
