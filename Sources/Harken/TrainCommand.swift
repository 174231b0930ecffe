import ArgumentParser
import Foundation
import HarkenData
import HarkenPipeline
import HarkenTrain

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a float Sentry for a phrase (synthesizing its corpus first if there is none), then report FRR and false accepts per hour on held-out voices.")

    @Option(help: "The wake phrase.") var phrase: String
    @Option(help: "Preset: \(TrainConfig.presets.joined(separator: ", ")).") var preset = "esp32"
    @Option(help: "Output folder: model.safetensors, last.safetensors, metrics.jsonl, report.json, det.svg.") var out: String
    @Option(help: "Corpus folder (default data/<phrase>; synthesized when it has no manifest).") var data: String?
    @Option(help: "YAML file overriding any hyper-parameter (default: harken.yaml in the working directory if present).") var config: String?
    @Option(help: "Override the preset's epoch count.") var epochs: Int?
    @Option(help: "Folder of your own recordings of the phrase, added to the training positives.") var positives: String?
    @Option(help: "Folder of your own background noise recordings.") var noise: String?
    @Option(help: "Folder of room impulse responses (WAV) used beside the simulated rooms.") var rir: String?
    @Flag(help: "Continue from the last completed epoch in --out.") var resume = false
    @Option(help: "Benchmark only: time this many training steps of the preset's model on random windows (no corpus) and report samples per second.")
    var measureThroughput: Int?
    @Option(help: "Batch size for --measure-throughput (default: the preset's).") var batch: Int?
    @Flag(help: "Print the report as JSON.") var json = false

    func validate() throws {
        if phrase.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--phrase must not be empty") }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
    }

    func run() throws {
        if let steps = measureThroughput {
            let r = try guarded {
                try Pipeline.trainingThroughput(config: try Pipeline.trainConfig(preset: preset, yaml: config, epochs: epochs), steps: steps, batch: batch)
            }
            if json { return try printJSON(r) }
            return print(String(format: "%@: %.1f samples/s (batch %d, %d steps, %d threads), peak RSS %.1f MB",
                                r.architecture, r.samplesPerSecond, r.batch, r.steps, r.threads, Double(r.peakRSSBytes) / 1e6))
        }
        let request = TrainRequest(phrase: phrase, preset: preset, outDir: out, dataDir: data, configFile: config, epochs: epochs,
                                   resume: resume, userPositives: positives, userNoise: noise, userRIRs: rir)
        let report = try guarded { try Pipeline.train(request, job: terminalJob(quiet: json)) }
        if json { return try printJSON(report) }
        print("model: \(report.model) (\(report.architecture), \(report.parameters) parameters, \(String(format: "%.0f", report.trainSeconds)) s)")
        if let v = report.validation {
            print(String(format: "validation voices: FRR %.1f %% at %.2f false accepts/hour (cutoff %.3f; %.1f h of negative audio)",
                         v.falseRejectRate * 100, v.falseAcceptsPerHour, v.cutoff, v.negativeHours))
        }
        if let t = report.test {
            print(String(format: "test voices: FRR %.1f %% at %.2f false accepts/hour (cutoff %.3f; %.1f h of negative audio, %d positives); near misses accepted %.1f %%",
                         t.falseRejectRate * 100, t.falseAcceptsPerHour, t.cutoff, t.negativeHours, t.positives, t.nearMissAcceptRate * 100))
        }
    }
}

struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a trained Sentry or any int8 .tflite on a corpus split: FRR, false accepts per hour, near misses, the DET curve.")

    @Option(help: "A harken train output folder, a .safetensors, or a .tflite (manifest beside it optional).") var model: String
    @Option(help: "Corpus folder from harken synth.") var data: String
    @Option(help: "Split: train, validation or test.") var split = "test"
    @Option(help: "Detection cutoff (default: the lowest meeting --target-fa-per-hour on this split).") var cutoff: Double?
    @Option(help: "False accepts per hour the chosen cutoff must meet.") var targetFaPerHour = 0.5
    @Option(help: "Outputs averaged by the detector (default: the model's).") var window: Int?
    @Option(help: "Pause after a detection, ms.") var refractoryMs = 1000
    @Option(help: "Folder for det.json, det.svg, false_accepts.json, eval_report.json and scores.json (every clip's scores, for other cutoffs later; default: no files).") var out: String?
    @Option(help: "A Judge (its folder, .safetensors or int8 .tflite): evaluate the Sentry + Judge cascade beside the Sentry alone.")
    var cascade: String?
    @Option(help: "With --cascade: the Sentry's cutoff (default: the Judge's judge_stage.json).") var sentryCutoff: Double?
    @Option(help: "With --cascade: the Judge's cutoff (default: the Judge's judge_stage.json).") var judgeCutoff: Double?
    @Flag(help: "Print the report as JSON.") var json = false

    func run() throws {
        guard let s = ClipRecord.Split(rawValue: split) else { throw ValidationError("--split must be train, validation or test") }
        if let judge = cascade {
            let report = try guarded {
                let r = try Pipeline.evaluateCascade(sentry: model, judge: judge, dataDir: data, split: s, sentryCutoff: sentryCutoff,
                                                     judgeCutoff: judgeCutoff, targetFAPerHour: targetFaPerHour, job: terminalJob(quiet: json))
                if let out {
                    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
                    try Pipeline.writeJSON(r, to: (out as NSString).appendingPathComponent("cascade.json"))
                    try Pipeline.writeAtomically(r.detSVG(), to: (out as NSString).appendingPathComponent("cascade_det.svg"))
                }
                return r
            }
            if json { return try printJSON(report) }
            return print(EvalCascade.describe(report))
        }
        let report = try guarded {
            let scores = try Pipeline.scoreModel(model, dataDir: data, split: s, window: window, refractoryMs: refractoryMs,
                                                 job: terminalJob(quiet: json))
            let r = scores.report(cutoff: cutoff, targetFAPerHour: targetFaPerHour)
            if let out { try Pipeline.writeEvaluation(r, to: out, scores: scores) }
            return r
        }
        if json { return try printJSON(report) }
        print(String(format: "%@ on %@: FRR %.1f %% (%d positives), %.2f false accepts/hour (%.2f h), near misses accepted %.1f %% (%d), cutoff %.3f (%@)",
                     report.model, report.split, report.falseRejectRate * 100, report.positives, report.falseAcceptsPerHour, report.negativeHours,
                     report.nearMissAcceptRate * 100, report.nearMisses, report.cutoff, report.cutoffChosenFor))
        for fa in report.falseAccepts.prefix(20) { print(String(format: "  false accept: %@ at %.2f s (mean %.2f)", fa.clip, fa.timeS, fa.meanProbability)) }
    }
}
