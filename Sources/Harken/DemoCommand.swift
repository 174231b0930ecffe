import ArgumentParser
import Foundation
import HarkenPipeline
import HarkenTargets

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
        let r = try guarded {
            try Pipeline.demo(model: model, phrase: phrase, outDir: out, board: board == "none" ? nil : board,
                              home: try HarkenHome.locate(), overrides: detector.overrides, job: terminalJob(quiet: json))
        }
        if json { return try printJSON(r) }
        print("phrase \"\(phrase)\" spoken by \(r.phraseStartsS.count) espeak-ng voices at "
              + r.phraseStartsS.map { String(format: "%.2f s", $0) }.joined(separator: ", ")
              + "; \(r.detectedCount) of them detected")
        let c = r.compile
        print("compiled \(model): \(c.kernelCalls) kernel calls, arena \(c.arenaBytes) B, state \(c.stateBytes) B, weights \(c.weightBytes) B -> \((out as NSString).appendingPathComponent("c"))")
        print(Simulate.describe(r.simulate, wav: r.scene))
        if let f = r.firmware {
            print("firmware for \(f.board): \(f.template) project in \(f.outDir)"
                  + (f.elf.map { ", built \($0): flash \(f.flashBytes ?? 0) B, static RAM \(f.ramBytes ?? 0) B" } ?? " (build it with its SDK; see its README.md)"))
        }
        if let b = r.bench {
            print("on the emulated \(b.device.board): \(b.steps) steps, outputs identical to the simulator: \(b.mismatches == 0 ? "yes" : "NO (\(b.mismatches) differ)"), "
                  + "\(Int(b.cyclesMean)) instructions/step, stack high-water \(b.stats.stackUsedBytes) B")
            if b.mismatches > 0 { throw ExitCode(2) }
        }
    }
}
