import ArgumentParser
import Foundation
import HarkenPipeline
import HarkenStream
import HarkenTrain

extension JudgeSize: ExpressibleByArgument {}

/// `harken judge train`: a Judge for a deployed Sentry.
struct JudgeTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a Judge on what the int8 Sentry hands over (mined on the training voices), quantize it, and choose both cutoffs on the validation voices.")

    @Option(help: "The deployed Sentry: a harken quantize/train folder or any int8 .tflite.") var sentry: String
    @Option(help: "Corpus folder from harken synth.") var data: String
    @Option(help: "Output folder (model.safetensors, judge.tflite, judge_stage.json, judge_report.json).") var out: String
    @Option(help: "device (int8, ~135 k parameters) or server (float, ~620 k).") var size: JudgeSize = .device
    @Option(help: "Training epochs.") var epochs = 20
    @Option(help: "The Sentry cutoff the hard negatives are mined at.") var miningCutoff = 0.2
    @Option(help: "Augmented copies of each training clip passed through the Sentry.") var copies = 4
    @Option(help: "System false accepts per hour the cutoffs are chosen for.") var targetFaPerHour = 0.5
    @Flag(help: "Continue an interrupted run in --out.") var resume = false
    @Flag(help: "Print the report as JSON.") var json = false

    func validate() throws {
        if !(miningCutoff > 0 && miningCutoff < 1) { throw ValidationError("--mining-cutoff must be between 0 and 1, got \(miningCutoff)") }
        if epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if copies < 1 { throw ValidationError("--copies must be at least 1") }
    }

    func run() throws {
        var request = JudgeTrainRequest(sentry: sentry, dataDir: data, outDir: out)
        request.size = size
        request.epochs = epochs
        request.miningCutoff = miningCutoff
        request.copies = copies
        request.targetFAPerHour = targetFaPerHour
        request.resume = resume
        let report = try guarded { try Pipeline.trainJudge(request, job: terminalJob(quiet: json)) }
        if json { return try printJSON(report) }
        print("judge: \(report.parameters) parameters, \(report.macs) MACs a decision, trained in \(Int(report.trainSeconds)) s on \(report.examples)")
        print(EvalCascade.describe(report.validation))
        print("stage: Sentry cutoff \(report.judge.sentryCutoff), Judge cutoff \(report.judge.cutoff) → \(report.int8Model)")
    }
}

enum EvalCascade {
    static func describe(_ r: CascadeReport) -> String {
        func line(_ name: String, _ p: CascadePoint?) -> String {
            guard let p else { return "  \(name): no cutoff meets the target" }
            var s = String(format: "  %@: FRR %.1f %% [%.1f–%.1f], %.2f FA/h [%.2f–%.2f], near misses %.1f %%, Sentry cutoff %.3f",
                           name, p.falseRejectRate.value * 100, p.falseRejectRate.low * 100, p.falseRejectRate.high * 100,
                           p.falseAcceptsPerHour.value, p.falseAcceptsPerHour.low, p.falseAcceptsPerHour.high,
                           p.nearMissAcceptRate.value * 100, p.sentryCutoff)
            if let j = p.judgeCutoff {
                s += String(format: ", Judge cutoff %.3f, %.1f wake-ups/h, Judge rejects %.0f %% of the Sentry's false accepts and keeps %.1f %% of its detections",
                            j, p.judgeWakeupsPerHour, (p.judgeRejectsFalseAccepts ?? 0) * 100, (p.judgeKeepsTrueTriggers ?? 0) * 100)
            }
            return s
        }
        return ["\(r.corpus) (\(r.split)): \(r.positives) positives, \(r.nearMisses) near misses, \(String(format: "%.2f", r.negativeHours)) h of negative audio, target \(r.targetFalseAcceptsPerHour) FA/h",
                line("Sentry alone at the target", r.sentryAlone), line("Sentry at its shipped cutoff", r.sentryShipped),
                r.cascade.map { line("cascade at the given cutoffs", $0) } ?? "", line("cascade, best pair on this audio", r.cascadeBest)]
            .filter { !$0.isEmpty }.joined(separator: "\n")
    }
}
