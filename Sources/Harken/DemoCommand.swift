import ArgumentParser
import Foundation
import HarkenAudio
import HarkenBench
import HarkenCodegen
import HarkenData
import HarkenPipeline
import HarkenStream

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The main job on its defaults: synthesize the phrase, compile the model to C, simulate, build the firmware for an emulated board and benchmark it there.")

    @Option(help: "The .tflite model (e.g. microWakeWord's hey_jarvis from pymicro-wakeword).") var model: String
    @Option(help: "The phrase to synthesize with espeak-ng.") var phrase = "hey jarvis"
    @Option(help: "Output folder.") var out = "build/demo"
    @Option(help: "Board for the firmware; an emulated one (see `harken boards`) is also benchmarked. 'none' skips it.")
    var board = "qemu-mps2-an386"
    @OptionGroup var detector: DetectorOptions
    @Flag(help: "Print the reports as JSON.") var json = false

    func run() throws {
        try guarded {
            let scene = try DemoScene.make(phrase: phrase)
            let wav = (out as NSString).appendingPathComponent("scene.wav")
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try scene.audio.writeWAV(to: wav)
            let compiled = try Pipeline.compile(model: model, outDir: (out as NSString).appendingPathComponent("c"))
            let report = try Pipeline.simulate(model: model, audio: scene.audio, overrides: detector.overrides,
                                               keepTrace: false, progress: ProgressBar("simulate").update)
            var firmware: FirmwareResult?
            var bench: BenchReport?
            if board != "none" {
                let fwDir = (out as NSString).appendingPathComponent("firmware-\(board)")
                let target = try TargetCatalog.board(board, home: try HarkenHome.locate())
                firmware = try Pipeline.firmware(model: model, board: board, outDir: fwDir, build: target.template == "baremetal")
                if let elf = firmware?.elf, let command = target.emulator {
                    let emulator = try Emulator(command: command, elf: elf)
                    defer { emulator.stop() }
                    bench = try Pipeline.bench(model: model, link: try SerialPort(path: emulator.ptyPath), portName: emulator.ptyPath,
                                               steps: 200, audio: scene.audio, timeout: 5, progress: ProgressBar("bench").update)
                }
            }
            if json {
                struct All: Encodable { var compile: CompileResult; var simulate: SimulationReport; var firmware: FirmwareResult?; var bench: BenchReport? }
                return try printJSON(All(compile: compiled, simulate: report, firmware: firmware, bench: bench))
            }
            // A detection belongs to the utterance that started at most 2.5 s before it.
            let heard = scene.phraseStartsS.filter { start in report.detections.contains { $0.timeS >= start && $0.timeS <= start + 2.5 } }
            print("phrase \"\(phrase)\" spoken by \(scene.phraseStartsS.count) espeak-ng voices at "
                  + scene.phraseStartsS.map { String(format: "%.2f s", $0) }.joined(separator: ", ")
                  + "; \(heard.count) of them detected")
            print("compiled \(model): \(compiled.kernelCalls) kernel calls, arena \(compiled.arenaBytes) B, state \(compiled.stateBytes) B, weights \(compiled.weightBytes) B -> \((out as NSString).appendingPathComponent("c"))")
            print(Simulate.describe(report, wav: wav))
            if let f = firmware {
                print("firmware for \(f.board): \(f.template) project in \(f.outDir)"
                      + (f.elf.map { ", built \($0): flash \(f.flashBytes ?? 0) B, static RAM \(f.ramBytes ?? 0) B" } ?? " (build it with its SDK; see its README.md)"))
            }
            if let b = bench {
                print("on the emulated \(b.device.board): \(b.steps) steps, outputs identical to the simulator: \(b.mismatches == 0 ? "yes" : "NO (\(b.mismatches) differ)"), "
                      + "\(Int(b.cyclesMean)) instructions/step, stack high-water \(b.stats.stackUsedBytes) B")
                if b.mismatches > 0 { throw ExitCode(2) }
            }
        }
    }
}
