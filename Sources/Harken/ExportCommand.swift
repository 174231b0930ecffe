import ArgumentParser
import Foundation
import HarkenPipeline

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export a trained Sentry: int8 streaming .tflite with its manifest, a folder ready for ESPHome's micro_wake_word, or ONNX (float and QDQ int8).")

    @Option(help: "A harken train output folder (or its model.safetensors).") var model: String
    @Option(help: "tflite (int8 streaming), esphome (tflite + manifest + YAML) or onnx (float, and int8 QDQ when the model has saved ranges; windowed).") var format = "tflite"
    @Option(help: "Output folder.") var out: String
    @Option(help: "File name stem (default: the phrase with underscores).") var name: String?
    @Option(help: "Detection cutoff for the manifest (default: the one harken train or quantize chose, from model.json).") var cutoff: Double?
    @Flag(help: "Print the result as JSON.") var json = false

    func run() throws {
        let r = try guarded { try Pipeline.export(model: model, format: format, outDir: out, name: name, cutoff: cutoff) }
        if json { return try printJSON(r) }
        var line = "exported \(r.format): " + r.files.joined(separator: ", ")
        // ONNX files carry no TFLM arena or operator set.
        if !r.operators.isEmpty {
            line += "; tensor_arena_size \(r.tensorArenaSize) B; operators " + r.operators.joined(separator: " ")
        }
        print(line)
    }
}
