import ArgumentParser
import HarkenCodegen
import HarkenTargets

struct Boards: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the boards and cores Targets/ knows.")

    @Flag(help: "Print the boards as JSON.") var json = false

    func run() throws {
        let targets = try guarded { try TargetCatalog.load(home: try HarkenHome.locate()) }
        if json {
            struct Boards: Encodable { var schemaVersion = 1; var boards: [Target] }
            return try printJSON(Boards(boards: targets))
        }
        let rows = targets.map { t in
            [t.name, t.core, "\(t.clock_hz / 1_000_000) MHz", "\(t.sram_bytes / 1024) KiB", "\(t.flash_bytes / 1024) KiB",
             t.simd.isEmpty ? "-" : t.simd.joined(separator: ","), t.template, t.emulator == nil ? "" : "runs here (emulated)"]
        }
        let header = ["board", "core", "clock", "SRAM", "flash", "SIMD", "project", ""]
        let widths = (0..<header.count).map { c in ([header] + rows).map { $0[c].count }.max()! }
        for r in [header] + rows {
            print(zip(r, widths).map { $0.0.padding(toLength: $0.1, withPad: " ", startingAt: 0) }.joined(separator: "  "))
        }
    }
}
