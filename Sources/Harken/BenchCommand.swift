import Foundation
import ArgumentParser
import HarkenAudio
import HarkenBench
import HarkenData
import HarkenPipeline
import HarkenTargets

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmark a board running Harken's bench firmware over a serial port: outputs vs the simulator, cycles, memory; with --cascade, a cascade firmware's decisions, or (with --sentry) every stage of the cascade in each deployment.")

    @Option(help: "Serial port of the board (or a pseudo-terminal of an emulator).") var port: String?
    @Option(help: "Run this firmware image in the board's emulator and benchmark it there (with --board).") var emulate: String?
    @Option(help: "Board from Targets/ whose emulator runs --emulate.") var board: String?
    @Option(help: "The .tflite model the firmware was built from (not needed with --cascade).") var model: String?
    @Option(help: "Inference steps to run.") var steps = 500
    @Option(help: "Audio to take features from (default: a synthesized scene).") var wav: String?
    @Option(help: "Baud rate.") var baud = 115_200
    @Option(help: "Seconds to wait for each reply before retrying.") var timeout = 2.0
    @Flag(help: "The firmware is a cascade (harken firmware --judge): stream the audio through it and print its decisions.")
    var cascade = false
    @Option(help: "With --cascade, for a Judge on a server: the Judge the host answers the device's windows with (.tflite or checkpoint); with --sentry, the int8 Judge whose stages are benchmarked.")
    var judge: String?
    @Flag(help: "Print the report as JSON.") var json = false
    @OptionGroup(title: "Every stage of the cascade (--cascade --sentry S --judge J)") var stages: CascadeStagesOptionGroup

    func validate() throws {
        if stages.sentry != nil {
            guard cascade else { throw ValidationError("--sentry benchmarks the cascade's stages: add --cascade") }
            return try stages.validate(port: port, emulate: emulate, model: model, judge: judge)
        }
        if model == nil && !cascade { throw ValidationError("--model is required (the .tflite the firmware was built from)") }
        if judge != nil && !cascade { throw ValidationError("--judge answers a cascade firmware's windows: add --cascade") }
        if (port == nil) == (emulate == nil) { throw ValidationError("give either --port or --emulate (with --board)") }
        if emulate != nil && board == nil { throw ValidationError("--emulate needs --board (an emulated board from `harken boards`)") }
        if steps < 1 { throw ValidationError("--steps must be at least 1, got \(steps)") }
        if timeout <= 0 { throw ValidationError("--timeout must be positive, got \(timeout)") }
    }

    func run() throws {
        if cascade && stages.sentry != nil { return try runStages() }
        if cascade { return try runCascade() }
        let model = self.model!
        let report = try guarded { () throws -> BenchReport in
            let audio = try wav.map { try Audio.read($0) } ?? DemoScene.make(phrase: "hey jarvis").audio
            let job = terminalJob(quiet: json)
            if let elf = emulate, let board {
                return try Pipeline.benchEmulated(model: model, elf: elf, board: board, home: try HarkenHome.locate(), steps: steps,
                                                  audio: audio, timeout: timeout, job: job)
            }
            return try Pipeline.bench(model: model, link: try SerialPort(path: port!, baud: baud), portName: port!, steps: steps,
                                      audio: audio, timeout: timeout, job: job)
        }
        if json { try printJSON(report) } else {
            let d = report.device
            print("""
            \(report.port): \(d.board) running \(d.model) at \(d.cpuHz / 1_000_000) MHz
              steps           \(report.steps), outputs identical to the simulator: \(report.mismatches == 0 ? "yes" : "NO, \(report.mismatches) differ (first at step \(report.firstMismatchStep!))")
              cycles/step     mean \(String(format: "%.0f", report.cyclesMean)), min \(report.cyclesMin), max \(report.cyclesMax) (\(String(format: "%.1f", report.microsecondsMean)) us)
              memory          arena \(d.arenaBytes) B, state \(d.stateBytes) B, static RAM \(report.stats.staticRamBytes) B, stack high-water \(report.stats.stackUsedBytes) of \(report.stats.stackBytes) B
              flash           \(report.stats.flashBytes) B (weights \(d.weightBytes) B)
              link            \(report.retries) retries
            """)
        }
        if report.mismatches > 0 { throw ExitCode(2) }
    }

    func runCascade() throws {
        let report = try guarded { () throws -> CascadeRunReport in
            let audio = try wav.map { try Audio.read($0) } ?? DemoScene.make(phrase: "hey jarvis").audio
            let judge = try self.judge.map { try Pipeline.loadJudge($0) }
            if let elf = emulate, let board {
                return try Pipeline.cascadeEmulated(elf: elf, board: board, home: try HarkenHome.locate(), audio: audio, judge: judge, timeout: timeout)
            }
            return try Pipeline.cascade(link: try SerialPort(path: port!, baud: baud), portName: port!, audio: audio, judge: judge, timeout: timeout)
        }
        if json { return try printJSON(report) }
        let c = report.cascade
        var text = """
        \(report.port): \(report.device.board) running \(report.device.model) with its Judge on the \(c.placement)
          audio           \(String(format: "%.1f", report.audioSeconds)) s: \(report.totals.frames) frames, \(report.totals.steps) Sentry steps
          triggers        \(report.totals.detections) (\(report.totals.dropped) while a decision was pending)
          window          \(c.framesBefore) + \(c.framesAfter) frames, accept above \(String(format: "%.4f", Double(c.cutoffQ16) / 65536))\(c.placement == "server" ? ", \(c.fallback) after \(c.timeoutFrames) frames" : "")
          link            \(report.totals.requests) windows sent (\(report.totals.retransmissions) again), \(report.totals.ignoredAnswers) answers ignored, \(report.retries) retries
        """
        for d in report.decisions {
            let score = d.score.map { String(format: "%.4f", $0) } ?? "no answer"
            text += "\n    step \(d.triggerStep) (frame \(d.triggerFrame)): Judge \(score) at frame \(d.decidedFrame): \(d.accepted ? "accepted" : "rejected")"
        }
        print(text)
        if let failures = report.relayFailures, !failures.isEmpty { print("  relay           " + failures.joined(separator: "\n                  ")) }
    }
}
