import ArgumentParser
import Foundation
import HarkenAudio
import HarkenPipeline
import HarkenStream

struct DetectorOptions: ParsableArguments {
    @Option(help: "Trigger level for the window mean (0-1); default: the manifest's probability_cutoff.") var cutoff: Double?
    @Option(help: "Release level (0-1) the mean must fall to before the detector re-arms; default: the cutoff.") var release: Double?
    @Option(help: "Sliding window size in inference steps; default: the manifest's sliding_window_size.") var window: Int?
    @Option(help: "Refractory time after a detection, in ms (default 1000).") var refractoryMs: Int?

    func validate() throws {
        if let c = cutoff, !(c > 0 && c < 1) { throw ValidationError("--cutoff must be between 0 and 1, got \(c)") }
        if let r = release, !(r >= 0 && r < 1) { throw ValidationError("--release must be in [0, 1), got \(r)") }
        if let r = release, let c = cutoff, r > c { throw ValidationError("--release (\(r)) must not exceed --cutoff (\(c))") }
        if let w = window, !(1...64).contains(w) { throw ValidationError("--window must be 1...64, got \(w)") }
        if let m = refractoryMs, m < 0 { throw ValidationError("--refractory-ms must be >= 0, got \(m)") }
    }

    var overrides: DetectorOverrides { .init(cutoff: cutoff, release: release, window: window, refractoryMs: refractoryMs) }
}

struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stream audio through the frontend, the model (the device's C kernels) and the detector.")

    @Option(help: "The .tflite model.") var model: String
    @Option(help: "Audio file (WAV/FLAC, 16-bit PCM, any rate).") var wav: String
    @Option(help: "Manifest JSON (default: the model's path with .json).") var manifest: String?
    @OptionGroup var detector: DetectorOptions
    @Option(help: "Feature rounding: device (ESPHome's integer formula) or float (microWakeWord's Python pipeline).")
    var featureRounding: FeatureRounding = .device
    @Option(help: "Write the probability trace as CSV.") var traceCsv: String?
    @Option(help: "A Judge (int8 .tflite or float checkpoint): print the cascade's decisions, each Sentry trigger with the Judge's verdict.")
    var judge: String?
    @Option(help: "With --judge: the Sentry's cutoff (default: the manifest's judge field, then --cutoff or probability_cutoff).")
    var sentryCutoff: Double?
    @Option(help: "With --judge: accept when the Judge's probability exceeds this (default: the manifest's judge field, then 0.5).")
    var judgeCutoff: Double?
    @Flag(help: "Print the report as JSON (the trace included).") var json = false

    func validate() throws {
        if judge == nil && (sentryCutoff != nil || judgeCutoff != nil) { throw ValidationError("--sentry-cutoff and --judge-cutoff need --judge") }
        if judge != nil && traceCsv != nil { throw ValidationError("--trace-csv is the Sentry's alone: run without --judge for it") }
        if judge != nil && detector.release != nil { throw ValidationError("--release: the cascade's Sentry re-arms below its own cutoff") }
        for (flag, c) in [("--sentry-cutoff", sentryCutoff), ("--judge-cutoff", judgeCutoff)] {
            if let c, !(c >= 0 && c < 1) { throw ValidationError("\(flag) must be in [0, 1), got \(c)") }
        }
    }

    func run() throws {
        if let judge { return try runCascade(judge) }
        let report = try guarded { () throws -> SimulationReport in
            let audio = try Audio.read(wav)
            return try Pipeline.simulate(model: model, audio: audio, manifest: manifest, overrides: detector.overrides,
                                         rounding: featureRounding, keepTrace: json || traceCsv != nil, job: terminalJob(quiet: json))
        }
        if let path = traceCsv {
            var csv = "step,time_s,probability,mean\n"
            for t in report.trace ?? [] { csv += "\(t.step),\(t.timeS),\(t.probability),\(t.mean)\n" }
            try guarded { try Pipeline.writeAtomically(csv, to: path) }
        }
        if json { return try printJSON(report) }
        print(Simulate.describe(report, wav: wav))
    }

    func runCascade(_ judge: String) throws {
        let report = try guarded { () throws -> CascadeSimulationReport in
            try Pipeline.simulateCascade(model: model, audio: try Audio.read(wav),
                                         cascade: CascadeOverrides(judge: judge, sentryCutoff: sentryCutoff, judgeCutoff: judgeCutoff),
                                         manifest: manifest, overrides: detector.overrides, rounding: featureRounding, job: terminalJob(quiet: json))
        }
        if json { return try printJSON(report) }
        print(Simulate.describe(report, wav: wav))
    }

    static func describe(_ r: CascadeSimulationReport, wav: String) -> String {
        var s = """
        \(wav): \(String(format: "%.1f", r.audioSeconds)) s of audio, \(r.steps) inference steps of \(r.stepMs) ms
          Sentry          cutoff \(r.sentryCutoff), window \(r.detector.window), refractory \(r.detector.refractoryMs) ms
          Judge           \(r.judge): cutoff \(r.judgeCutoff), \(r.framesBefore) frames before the trigger + \(r.framesAfter) after
          decisions       \(r.triggers) triggers, \(r.accepted) accepted
        """
        for d in r.decisions {
            let score = d.judgeScore.map { String(format: "%.3f", $0) } ?? "-"
            s += "\n    at \(String(format: "%7.2f", d.triggerS)) s  (step \(d.step), Sentry \(String(format: "%.3f", d.sentryMean))) "
                + "Judge \(score) at \(String(format: "%.2f", d.decidedS)) s: \(d.accepted ? "accepted" : "rejected")"
        }
        return s
    }

    static func describe(_ r: SimulationReport, wav: String) -> String {
        var s = """
        \(wav): \(String(format: "%.1f", r.audioSeconds)) s of audio, \(r.steps) inference steps of \(r.stepMs) ms
          features        \(r.featureRounding.rawValue) rounding
          detector        cutoff \(r.detector.cutoff), release \(r.detector.release), window \(r.detector.window), refractory \(r.detector.refractoryMs) ms
          detections      \(r.detections.count)
        """
        for d in r.detections {
            s += "\n    at \(String(format: "%7.2f", d.timeS)) s  (step \(d.step), mean probability \(String(format: "%.3f", d.meanProbability)))"
        }
        s += """

          host step time  mean \(String(format: "%.1f", r.hostMeanStepUs)) us, p99 \(String(format: "%.1f", r.hostP99StepUs)) us
          real-time       \(String(format: "%.0f", r.realTimeFactor))x faster than real time
          memory          arena \(r.arenaBytes) B + state \(r.stateBytes) B, weights \(r.weightBytes) B
        """
        return s
    }
}

extension FeatureRounding: ExpressibleByArgument {}
