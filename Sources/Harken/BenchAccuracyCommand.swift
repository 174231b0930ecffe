import ArgumentParser
import Foundation
import HarkenPipeline
import HarkenStream

struct BenchAccuracy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-accuracy",
        abstract: "Score models on a stress benchmark (harken synth --stress): FRR at 0.1, 0.5 and 1 false accepts per hour with 95 % intervals, per condition, SNR, engine and speaker; near misses per text; delay after the phrase.")

    @Option(help: "Stress benchmark folder from harken synth --stress.") var stress: String
    @Option(help: "A trained Sentry (folder or .safetensors), scored in float (repeatable).") var model: [String] = []
    @Option(help: "An int8 model: a quantized Sentry folder or any .tflite, e.g. microWakeWord's published one (repeatable).") var int8: [String] = []
    @Option(help: "Pause after a detection, ms.") var refractoryMs = 1000
    @Option(help: "Write the report here as JSON as well.") var out: String?
    @Flag(help: "Print the report as JSON.") var json = false

    func validate() throws {
        if model.isEmpty && int8.isEmpty { throw ValidationError("give at least one --model or --int8") }
    }

    func run() throws {
        let models = model.map(ScoredModel.float) + int8.map(ScoredModel.int8)
        let bench = try guarded {
            let b = try Pipeline.benchAccuracy(models: models, stressDir: stress, refractoryMs: refractoryMs, job: terminalJob(quiet: json))
            if let out { try Pipeline.writeJSON(b, to: out) }
            return b
        }
        if json { return try printJSON(bench) }
        for r in bench.reports { print(AccuracyTable.text(r)) }
    }
}

/// The stress report as the terminal shows it.
enum AccuracyTable {
    static func pct(_ e: Estimate) -> String {
        String(format: "%5.1f %% [%.1f–%.1f]", e.value * 100, e.low * 100, e.high * 100)
    }

    static func text(_ r: StressReport) -> String {
        var lines = [String(format: "%@: %d positives, %d near misses, %.2f h of running speech (window %d)",
                            r.model, r.positives, r.nearMisses, r.negativeHours, r.detectorWindow)]
        for p in r.operatingPoints {
            guard let c = p.cutoff else {
                lines.append("  \(p.name): not reached at any cutoff that accepts a positive")
                continue
            }
            let near = p.nearMissAcceptance.sorted { $0.key < $1.key }.map { "\($0.key) \(pct($0.value))" }.joined(separator: ", ")
            let latency = p.latency.map { String(format: ", delay median %.0f ms, p90 %.0f ms", $0.medianMs, $0.p90Ms) } ?? ""
            lines.append(String(format: "  %@ (cutoff %.3f): FRR %@, %.2f FA/h [%.2f–%.2f]; near misses accepted: %@%@",
                                p.name, c, pct(p.falseRejectRate), p.falseAcceptsPerHour.value, p.falseAcceptsPerHour.low,
                                p.falseAcceptsPerHour.high, near, latency))
        }
        if let p = r.operatingPoints.first(where: { $0.targetFAPerHour == 0.5 && $0.cutoff != nil }) {
            lines.append("  at 0.5 FA/h, by group:")
            for row in p.breakdown where row.key != "speaker" {
                let figure = row.key.hasPrefix("streams") ? String(format: "%.2f FA/h [%.2f–%.2f] over %.2f h", row.estimate.value,
                                                                  row.estimate.low, row.estimate.high, row.estimate.of)
                                                          : "FRR " + pct(row.estimate) + " of \(Int(row.estimate.of))"
                lines.append("    \(row.key) = \(row.value): \(figure)")
            }
            lines.append("  near misses accepted at 0.5 FA/h, most accepted first:")
            for m in p.nearMisses.prefix(12) { lines.append("    \(m.kind) \"\(m.text)\": \(pct(m.acceptance))") }
        }
        return lines.joined(separator: "\n")
    }
}
