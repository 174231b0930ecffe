import Foundation
import ArgumentParser
import HarkenAudio
import HarkenBench
import HarkenData
import HarkenPipeline
import HarkenTargets

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmark a board running Harken's bench firmware over a serial port: outputs vs the simulator, cycles, memory.")

    @Option(help: "Serial port of the board (or a pseudo-terminal of an emulator).") var port: String?
    @Option(help: "Run this firmware image in the board's emulator and benchmark it there (with --board).") var emulate: String?
    @Option(help: "Board from Targets/ whose emulator runs --emulate.") var board: String?
    @Option(help: "The .tflite model the firmware was built from.") var model: String
    @Option(help: "Inference steps to run.") var steps = 500
    @Option(help: "Audio to take features from (default: a synthesized scene).") var wav: String?
    @Option(help: "Baud rate.") var baud = 115_200
    @Option(help: "Seconds to wait for each reply before retrying.") var timeout = 2.0
    @Flag(help: "Print the report as JSON.") var json = false

    func validate() throws {
        if (port == nil) == (emulate == nil) { throw ValidationError("give either --port or --emulate (with --board)") }
        if emulate != nil && board == nil { throw ValidationError("--emulate needs --board (an emulated board from `harken boards`)") }
        if steps < 1 { throw ValidationError("--steps must be at least 1, got \(steps)") }
        if timeout <= 0 { throw ValidationError("--timeout must be positive, got \(timeout)") }
    }

    func run() throws {
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
}
