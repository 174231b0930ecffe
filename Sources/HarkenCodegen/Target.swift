import Foundation
import Yams

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

public enum TargetError: Error, CustomStringConvertible, Equatable {
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

/// The folder holding Targets/, Templates/ and Firmware/: $HARKEN_HOME, the
/// repository the binary was built in, or the working directory.
public enum HarkenHome {
    public static func locate() throws -> URL {
        var candidates: [URL] = []
        if let env = ProcessInfo.processInfo.environment["HARKEN_HOME"] { candidates.append(URL(fileURLWithPath: env)) }
        // .build/<config>/harken sits three levels below the repository.
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        candidates.append(exe.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent())
        candidates.append(exe.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent())
        candidates.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
        for c in candidates where ["Targets", "Templates", "Firmware"].allSatisfy({
            FileManager.default.fileExists(atPath: c.appendingPathComponent($0).path)
        }) {
            return c.standardizedFileURL
        }
        throw TargetError.noHome(searched: candidates.map(\.path))
    }
}

public enum TargetCatalog {
    public static func load(home: URL) throws -> [Target] {
        let dir = home.appendingPathComponent("Targets")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yaml") }.sorted()
        return try files.map { try load(file: dir.appendingPathComponent($0).path) }
    }

    public static func load(file: String) throws -> Target {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let target: Target
        do {
            target = try YAMLDecoder().decode(Target.self, from: text)
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw TargetError.invalid(file: file, field: (ctx.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: "."), expected: "a value (missing)")
        } catch let DecodingError.typeMismatch(type, ctx) {
            throw TargetError.invalid(file: file, field: ctx.codingPath.map(\.stringValue).joined(separator: "."), expected: "a value of type \(type)")
        } catch let DecodingError.dataCorrupted(ctx) {
            throw TargetError.invalid(file: file, field: ctx.codingPath.map(\.stringValue).joined(separator: "."), expected: ctx.debugDescription)
        } catch {
            throw TargetError.invalid(file: file, field: "(document)", expected: "YAML mapping: \(error)")
        }
        guard Target.templates.contains(target.template) else {
            throw TargetError.invalid(file: file, field: "template", expected: "one of \(Target.templates.sorted().joined(separator: ", ")), got \(target.template)")
        }
        guard target.clock_hz > 0, target.sram_bytes > 0, target.flash_bytes > 0 else {
            throw TargetError.invalid(file: file, field: "clock_hz/sram_bytes/flash_bytes", expected: "positive numbers")
        }
        let stem = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        guard target.name == stem else {
            throw TargetError.invalid(file: file, field: "name", expected: "the file's name \"\(stem)\", got \"\(target.name)\"")
        }
        return target
    }

    public static func board(_ name: String, home: URL) throws -> Target {
        let all = try load(home: home)
        guard let t = all.first(where: { $0.name == name }) else { throw TargetError.unknownBoard(name, known: all.map(\.name)) }
        return t
    }
}
