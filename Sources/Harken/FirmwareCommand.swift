import ArgumentParser
import HarkenPipeline
import HarkenTargets

struct Firmware: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate a complete firmware project for a board (see `harken boards`), and build it where the toolchain exists.")

    @Option(help: "The .tflite model.") var model: String
    @Option(help: "Board name from Targets/.") var board: String
    @Option(help: "Output folder for the project.") var out: String
    @Option(help: "C identifier prefix (default: the model file's name).") var name: String?
    @Flag(help: "Build the project here (bare-metal Arm boards).") var build = false
    @Flag(help: "Print the result as JSON.") var json = false

    func run() throws {
        let r = try guarded { try Pipeline.firmware(model: model, board: board, home: try HarkenHome.locate(), outDir: out, build: build, name: name) }
        if json { return try printJSON(r) }
        print("\(board): \(r.template) project with \(r.files) files in \(out) (see its README.md)")
        if let elf = r.elf, let flash = r.flashBytes, let ram = r.ramBytes {
            print("built \(elf): flash \(flash) B, static RAM \(ram) B")
        }
    }
}
