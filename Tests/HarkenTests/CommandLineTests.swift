import Foundation
import XCTest

/// The built `harken` binary: outputs and errors as a user sees them.
final class CommandLineTests: XCTestCase {
    func harken(_ args: [String]) throws -> Support.Result {
        try Support.run(Support.harkenBinary, args, check: false)
    }

    func testCompilePrintsSizesAndJSON() throws {
        let model = try Support.modelPath("hey_jarvis")
        let out = try Support.tempDir("cli-compile").path
        let r = try harken(["compile", "--model", model, "--out", out, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        XCTAssertGreaterThan(json["arena_bytes"] as! Int, 0)
        XCTAssertGreaterThan(json["state_bytes"] as! Int, 0)
        XCTAssertGreaterThan(json["weight_bytes"] as! Int, 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/hey_jarvis_model.c"))
        let text = try harken(["compile", "--model", model, "--out", out])
        XCTAssertTrue(text.stdout.contains("arena"), text.stdout)
    }

    func testErrorsNameTheFile() throws {
        let model = try Support.modelPath("hey_jarvis")
        let missing = try harken(["simulate", "--model", model, "--wav", "/nonexistent/kitchen.wav"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("/nonexistent/kitchen.wav: cannot open audio: no such file"), missing.stderr)
        let badModel = try harken(["compile", "--model", "/nonexistent/m.tflite", "--out", "/tmp/x"])
        XCTAssertEqual(badModel.status, 1)
        XCTAssertTrue(badModel.stderr.contains("/nonexistent/m.tflite: cannot read the model"), badModel.stderr)
        let badCutoff = try harken(["simulate", "--model", model, "--wav", "x.wav", "--cutoff", "1.5"])
        XCTAssertNotEqual(badCutoff.status, 0)
        XCTAssertTrue(badCutoff.stderr.contains("--cutoff must be between 0 and 1"), badCutoff.stderr)
    }

    func testUnwritableOutputLeavesNothing() throws {
        let model = try Support.modelPath("hey_jarvis")
        let dir = try Support.tempDir("cli-ro")
        let file = dir.appendingPathComponent("not-a-dir")
        try Data("x".utf8).write(to: file)
        let r = try harken(["compile", "--model", model, "--out", file.path + "/c"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("cannot write"), r.stderr)
        XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), "x")
    }

    /// `harken firmware --build` then `harken bench --emulate`, as a user runs them.
    func testFirmwareAndBenchOnTheEmulator() throws {
        let model = try Support.modelPath("hey_jarvis")
        let out = try Support.tempDir("cli-fw").path
        let fw = try harken(["firmware", "--model", model, "--board", "qemu-mps2-an386", "--out", out, "--build", "--json"])
        XCTAssertEqual(fw.status, 0, fw.stderr)
        let elf = (try JSONSerialization.jsonObject(with: Data(fw.stdout.utf8)) as! [String: Any])["elf"] as! String
        let b = try harken(["bench", "--emulate", elf, "--board", "qemu-mps2-an386", "--model", model, "--steps", "200", "--json"])
        XCTAssertEqual(b.status, 0, b.stderr)
        let report = try JSONSerialization.jsonObject(with: Data(b.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(report["steps"] as? Int, 200)
        XCTAssertEqual(report["mismatches"] as? Int, 0)
        let size = try harken(["size", elf, "--json"])
        XCTAssertEqual(size.status, 0, size.stderr)
        let bad = try harken(["bench", "--port", "/dev/ttyHARKEN-none", "--model", model])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("/dev/ttyHARKEN-none: cannot open the serial port"), bad.stderr)
        let noBoard = try harken(["firmware", "--model", model, "--board", "esp64", "--out", out])
        XCTAssertEqual(noBoard.status, 1)
        XCTAssertTrue(noBoard.stderr.contains("no board \"esp64\""), noBoard.stderr)
    }
}
