import Foundation
import XCTest
import HarkenTestSupport

/// Every `--json` output and file Harken writes is valid against its JSON Schema in Schemas/
/// (checked by python-jsonschema, draft 2020-12), so all of them have snake_case keys and a
/// schema_version.
final class JSONSchemaTests: XCTestCase {
    /// Runs harken with `--json`, saves its output and validates it against `schema`.
    @discardableResult
    func assertValid(_ args: [String], schema: String, in dir: URL) throws -> [String: Any] {
        let r = try Support.run(Support.harkenBinary, args + ["--json"])
        let file = dir.appendingPathComponent("\(schema)-\(UUID().uuidString.prefix(6)).json")
        try Data(r.stdout.utf8).write(to: file)
        let v = try Support.run(Support.python, [Support.oracle("validate_json.py"), "--schema", schema, file.path], check: false)
        XCTAssertEqual(v.status, 0, "harken \(args.joined(separator: " ")): \(v.stdout)\(v.stderr)")
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
    }

    func testCommandOutputsMatchTheirSchemas() throws {
        let dir = try Support.tempDir("schemas")
        let model = try Support.modelPath("hey_jarvis")
        try assertValid(["compile", "--model", model, "--out", dir.appendingPathComponent("c").path], schema: "compile_result", in: dir)
        try assertValid(["boards"], schema: "boards", in: dir)
        try assertValid(["cost", "--model", model, "--target", "stm32f4"], schema: "model_cost", in: dir)
        try assertValid(["firmware", "--model", model, "--board", "esp32s3-devkitc", "--out", dir.appendingPathComponent("fw").path],
                        schema: "firmware_result", in: dir)
        let judge = dir.appendingPathComponent("judge.tflite").path
        try Support.run(Support.harkenBinary, ["judge", "probe", "--out", judge])
        let cascade = try assertValid(["firmware", "--model", model, "--board", "qemu-mps2-an386", "--out", dir.appendingPathComponent("fw-cascade").path,
                                       "--judge", judge, "--judge-placement", "server"], schema: "firmware_result", in: dir)
        XCTAssertNotNil(cascade["cascade"])
        let demo = try assertValid(["demo", "--model", model, "--board", "none", "--out", dir.appendingPathComponent("demo").path],
                                   schema: "demo_report", in: dir)
        try assertValid(["simulate", "--model", model, "--wav", demo["scene"] as! String], schema: "simulation_report", in: dir)
        let cascadeSim = try assertValid(["simulate", "--model", model, "--wav", demo["scene"] as! String, "--judge", judge, "--sentry-cutoff", "0.5"],
                                         schema: "cascade_simulation", in: dir)
        XCTAssertGreaterThanOrEqual(cascadeSim["triggers"] as? Int ?? 0, 3)
    }

    /// The validator is not a rubber stamp: camelCase keys, a missing schema_version and a file no
    /// schema covers are each refused.
    func testSchemasRefuseOtherSpellings() throws {
        let dir = try Support.tempDir("schemas-bad")
        let model = try Support.modelPath("hey_jarvis")
        let good = try Support.run(Support.harkenBinary, ["compile", "--model", model, "--out", dir.appendingPathComponent("c").path, "--json"])
        var object = try JSONSerialization.jsonObject(with: Data(good.stdout.utf8)) as! [String: Any]
        object["arenaBytes"] = object.removeValue(forKey: "arena_bytes")
        func refused(_ value: Any, schema: String?, name: String) throws -> String {
            let file = dir.appendingPathComponent(name)
            try JSONSerialization.data(withJSONObject: value).write(to: file)
            let r = try Support.run(Support.python, [Support.oracle("validate_json.py")] + (schema.map { ["--schema", $0] } ?? []) + [file.path],
                                    check: false)
            XCTAssertEqual(r.status, 1, "\(name) must be refused: \(r.stdout)")
            return r.stdout
        }
        XCTAssertTrue(try refused(object, schema: "compile_result", name: "camel.json").contains("arenaBytes"))
        object["arena_bytes"] = object.removeValue(forKey: "arenaBytes")
        object["schema_version"] = nil
        XCTAssertTrue(try refused(object, schema: "compile_result", name: "unversioned.json").contains("schema_version"))
        XCTAssertTrue(try refused(object, schema: nil, name: "mystery.json").contains("no schema"))
    }
}
