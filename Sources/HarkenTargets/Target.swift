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
    /// Cycle coefficients per kernel (see HarkenCost.LayerFeatures.names),
    /// written by `harken cost calibrate` from the instruction-set simulator.
    public var cost: [String: [Double]]?

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
