import Foundation
import XCTest
import HarkenTestSupport

/// The built `harken` binary: outputs and errors as a user sees them.
final class CommandLineTests: XCTestCase {
    func testCompilePrintsSizesAndJSON() throws {
        let model = try Support.modelPath("hey_jarvis")
        let out = try Support.tempDir("cli-compile").path
        let r = try Support.harken(["compile", "--model", model, "--out", out, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        XCTAssertGreaterThan(json["arena_bytes"] as! Int, 0)
        XCTAssertGreaterThan(json["state_bytes"] as! Int, 0)
        XCTAssertGreaterThan(json["weight_bytes"] as! Int, 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/hey_jarvis_model.c"))
        let text = try Support.harken(["compile", "--model", model, "--out", out])
        XCTAssertTrue(text.stdout.contains("arena"), text.stdout)
    }

    func testErrorsNameTheFile() throws {
        let model = try Support.modelPath("hey_jarvis")
        let missing = try Support.harken(["simulate", "--model", model, "--wav", "/nonexistent/kitchen.wav"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("/nonexistent/kitchen.wav: cannot open audio: no such file"), missing.stderr)
        XCTAssertTrue(missing.stderr.contains("[audio.cannot_open]"), "the stable code follows the message: \(missing.stderr)")
        let badModel = try Support.harken(["compile", "--model", "/nonexistent/m.tflite", "--out", "/tmp/x"])
        XCTAssertEqual(badModel.status, 1)
        XCTAssertTrue(badModel.stderr.contains("/nonexistent/m.tflite: cannot read the model"), badModel.stderr)
        let badCutoff = try Support.harken(["simulate", "--model", model, "--wav", "x.wav", "--cutoff", "1.5"])
        XCTAssertNotEqual(badCutoff.status, 0)
        XCTAssertTrue(badCutoff.stderr.contains("--cutoff must be between 0 and 1"), badCutoff.stderr)
    }

    func testUnwritableOutputLeavesNothing() throws {
        let model = try Support.modelPath("hey_jarvis")
        let dir = try Support.tempDir("cli-ro")
        let file = dir.appendingPathComponent("not-a-dir")
        try Data("x".utf8).write(to: file)
        let r = try Support.harken(["compile", "--model", model, "--out", file.path + "/c"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("cannot write"), r.stderr)
        XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), "x")
    }
}
