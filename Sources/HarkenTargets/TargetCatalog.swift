import Foundation
import Yams

/// Every board and core `Targets/` describes; codegen, cost and the pipeline all read boards here.
public enum TargetCatalog {
    public static func load(home: HarkenHome) throws -> [Target] {
        let dir = home.targets
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
        if let problem = target.flash_cache?.problem() {
            throw TargetError.invalid(file: file, field: problem.field, expected: problem.expected)
        }
        let stem = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        guard target.name == stem else {
            throw TargetError.invalid(file: file, field: "name", expected: "the file's name \"\(stem)\", got \"\(target.name)\"")
        }
        return target
    }

    public static func board(_ name: String, home: HarkenHome) throws -> Target {
        let all = try load(home: home)
        guard let t = all.first(where: { $0.name == name }) else { throw TargetError.unknownBoard(name, known: all.map(\.name)) }
        return t
    }
}
