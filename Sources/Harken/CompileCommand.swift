import ArgumentParser
import HarkenPipeline

struct Compile: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compile an int8 model (.tflite, or a harken train folder) to C source and weight arrays (no interpreter).")

    @Option(help: "The .tflite model (Harken's or microWakeWord's).") var model: String
    @Option(help: "Output folder for <name>_model.{h,c} and <name>_weights.{h,c}.") var out: String
    @Option(help: "C identifier prefix (default: the model file's name).") var name: String?
    @Flag(help: "Print the result as JSON.") var json = false

    func run() throws {
        let r = try guarded { try Pipeline.compile(model: model, outDir: out, name: name) }
        if json { return try printJSON(r) }
        print("""
        compiled \(r.model) -> \(out)
          kernel calls   \(r.kernelCalls) (from \(r.operators) operators)
          arena          \(r.arenaBytes) bytes
          state          \(r.stateBytes) bytes
          weights        \(r.weightBytes) bytes
          MACs per step  \(r.macsPerStep)
        """)
        for f in r.files { print("  wrote \(f)") }
    }
}
