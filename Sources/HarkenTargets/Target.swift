import Foundation
import HarkenSupport

/// A board or core from `Targets/<name>.yaml`.
public struct Target: Codable, Sendable, Equatable {
    public struct Toolchain: Codable, Sendable, Equatable {
        public var cc: String
        public var cflags: [String]
        /// Link flags and libraries of bare-metal builds (defaults: newlib-nano without start files).
        public var ldflags: [String]?
        public var libs: [String]?
        /// Debian packages that provide the compiler and C library.
        public var packages: [String]?
    }

    public var name: String
    public var description: String
    public var core: String
    public var isa: String
    public var clock_hz: Int
    public var sram_bytes: Int
    public var flash_bytes: Int
    public var simd: [String]
    public var fpu: String
    public var flash_wait_states: Int
    /// Project family: baremetal, esp-idf, zephyr, arduino, c99.
    public var template: String
    /// Board support in Firmware/port/ (boards that run here): the folder, the files
    /// of it that are this board's own, and its linker script.
    public var port: String?
    public var port_sources: [String]?
    public var linker_script: String?
    public var idf_target: String?
    public var toolchain: Toolchain
    /// Command that runs the firmware in an emulator, when one exists.
    public var emulator: [String]?
    /// What stands between the core and the flash (an accelerator's line buffers, the core's
    /// L1 caches), as the instruction-set simulator models it; nil: the simulator's simple
    /// model (HarkenCost.InstructionSetSimulator.setFlashCache's defaults).
    public var flash_cache: FlashCache?
    /// Cycle coefficients per kernel (see HarkenCost.LayerFeatures.names),
    /// written by `harken cost calibrate` from the instruction-set simulator.
    public var cost: [String: [Double]]?

    /// A flash accelerator or cache, figure by figure from the chip's reference manual (`citation`).
    /// A block with a citation and no `line_bytes` says why nothing is modelled.
    public struct FlashCache: Codable, Sendable, Equatable {
        /// Bytes the flash returns per read, and per cache line (a power of two).
        public var line_bytes: Int?
        public var instruction_lines: Int?
        /// Ways of the instruction cache; 0 or absent: fully associative.
        public var instruction_ways: Int?
        public var data_lines: Int?
        public var data_ways: Int?
        /// The next sequential line is read while the current one executes.
        public var prefetch: Bool?
        /// Where each figure comes from (reference manual, section, table).
        public var citation: String

        public init(line_bytes: Int?, instruction_lines: Int?, instruction_ways: Int?, data_lines: Int?, data_ways: Int?,
                    prefetch: Bool?, citation: String) {
            (self.line_bytes, self.instruction_lines, self.instruction_ways) = (line_bytes, instruction_lines, instruction_ways)
            (self.data_lines, self.data_ways, self.prefetch, self.citation) = (data_lines, data_ways, prefetch, citation)
        }

        /// Flash with no accelerator at the same read width: every new instruction line and
        /// every data read pays the wait states (`harken cost --measure --no-flash-cache`).
        public var disabled: FlashCache {
            FlashCache(line_bytes: line_bytes ?? 16, instruction_lines: 0, instruction_ways: 0, data_lines: 0, data_ways: 0,
                       prefetch: false, citation: "no accelerator: " + citation)
        }

        /// The first field that breaks the rules, and what was expected.
        func problem() -> (field: String, expected: String)? {
            guard let line = line_bytes else {
                if instruction_lines != nil || data_lines != nil || prefetch != nil {
                    return ("flash_cache.line_bytes", "a line size in bytes when lines or prefetch are given")
                }
                return nil
            }
            if line <= 0 || line & (line - 1) != 0 { return ("flash_cache.line_bytes", "a power of two, got \(line)") }
            for (name, lines, ways) in [("instruction", instruction_lines, instruction_ways), ("data", data_lines, data_ways)] {
                let l = lines ?? 0, w = ways ?? 0
                if l < 0 || w < 0 { return ("flash_cache.\(name)_lines", "zero or more lines and ways") }
                if w > 0 && l % w != 0 { return ("flash_cache.\(name)_ways", "a divisor of \(name)_lines (\(l)), got \(w)") }
            }
            if citation.trimmingCharacters(in: .whitespaces).isEmpty { return ("flash_cache.citation", "the reference manual section each figure comes from") }
            return nil
        }
    }

    public static let templates: Set<String> = ["baremetal", "esp-idf", "zephyr", "arduino", "c99"]
}

public enum TargetError: CodedError, Equatable {
    public static let domain = "target"

    case invalid(file: String, field: String, expected: String)
    case unknownBoard(String, known: [String])
    case noHome(searched: [String])

    public var description: String {
        switch self {
        case let .invalid(file, field, expected): return "\(file): field \(field): expected \(expected)"
        case let .unknownBoard(name, known): return "no board \"\(name)\" in Targets/; known boards: \(known.joined(separator: ", "))"
        case let .noHome(searched): return "cannot find Harken's Targets/, Templates/ and Firmware/ folders (looked in \(searched.joined(separator: ", "))); set HARKEN_HOME"
        }
    }
}
