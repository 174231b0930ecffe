import ArgumentParser
import HarkenCost

struct Size: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Flash and RAM of a firmware ELF: by section, largest symbols, and weights / model / kernels / runtime / application.")

    @Argument(help: "The firmware ELF (e.g. fw/build/firmware.elf).") var elf: String
    @Option(help: "How many of the largest symbols to list.") var top = 15
    @Flag(help: "Print the result as JSON.") var json = false

    func run() throws {
        let s = try guarded { try ElfSizes.read(elf, top: top) }
        if json { return try printJSON(s) }
        print("\(elf): flash \(s.flashBytes) B, static RAM \(s.ramBytes) B (+ \(s.reservedBytes) B reserved for stack and heap)")
        print("  sections")
        for sec in s.sections {
            print("    \(sec.name.padding(toLength: 20, withPad: " ", startingAt: 0)) \(String(sec.bytes).leftPad(8)) B  \(sec.flash ? "flash" : "")\(sec.flash && sec.ram ? "+" : "")\(sec.ram ? "RAM" : "")")
        }
        print("  by part (symbol sizes)")
        for p in ElfSizes.Part.allCases { print("    \(p.rawValue.padding(toLength: 20, withPad: " ", startingAt: 0)) \(String(s.partBytes[p.rawValue] ?? 0).leftPad(8)) B") }
        print("  largest symbols")
        for sym in s.largest {
            print("    \(sym.name.padding(toLength: 32, withPad: " ", startingAt: 0)) \(String(sym.bytes).leftPad(8)) B  \(sym.section) (\(sym.part.rawValue))")
        }
    }
}

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
