import ArgumentParser
import Foundation
import HarkenAudio
import HarkenData
import HarkenPipeline
import HarkenStream

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The main job on its defaults: synthesize the phrase, compile the model to C, simulate, report.")

    @Option(help: "The .tflite model (e.g. microWakeWord's hey_jarvis from pymicro-wakeword).") var model: String
    @Option(help: "The phrase to synthesize with espeak-ng.") var phrase = "hey jarvis"
    @Option(help: "Output folder.") var out = "build/demo"
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
            if json {
                struct Both: Encodable { var compile: CompileResult; var simulate: SimulationReport }
                return try printJSON(Both(compile: compiled, simulate: report))
            }
            // A detection belongs to the utterance that started at most 2.5 s before it.
            let heard = scene.phraseStartsS.filter { start in report.detections.contains { $0.timeS >= start && $0.timeS <= start + 2.5 } }
            print("phrase \"\(phrase)\" spoken by \(scene.phraseStartsS.count) espeak-ng voices at "
                  + scene.phraseStartsS.map { String(format: "%.2f s", $0) }.joined(separator: ", ")
                  + "; \(heard.count) of them detected")
            print("compiled \(model): \(compiled.kernelCalls) kernel calls, arena \(compiled.arenaBytes) B, state \(compiled.stateBytes) B, weights \(compiled.weightBytes) B -> \((out as NSString).appendingPathComponent("c"))")
            print(Simulate.describe(report, wav: wav))
        }
    }
}
