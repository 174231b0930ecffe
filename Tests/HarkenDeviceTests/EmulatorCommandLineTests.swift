import Foundation
import HarkenTestSupport
import XCTest

/// The built `harken` driving an emulated board, as a user runs it.
final class EmulatorCommandLineTests: XCTestCase {
    /// `harken firmware --build` then `harken bench --emulate`, as a user runs them.
    func testFirmwareAndBenchOnTheEmulator() throws {
        let model = try Support.modelPath("hey_jarvis")
        let out = try Support.tempDir("cli-fw").path
        let fw = try Support.harken(["firmware", "--model", model, "--board", "qemu-mps2-an386", "--out", out, "--build", "--json"])
        XCTAssertEqual(fw.status, 0, fw.stderr)
        let elf = (try JSONSerialization.jsonObject(with: Data(fw.stdout.utf8)) as! [String: Any])["elf"] as! String
        let b = try Support.harken(["bench", "--emulate", elf, "--board", "qemu-mps2-an386", "--model", model, "--steps", "200", "--json"])
        XCTAssertEqual(b.status, 0, b.stderr)
        let report = try JSONSerialization.jsonObject(with: Data(b.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(report["steps"] as? Int, 200)
        XCTAssertEqual(report["mismatches"] as? Int, 0)
        let size = try Support.harken(["size", elf, "--json"])
        XCTAssertEqual(size.status, 0, size.stderr)
        let bad = try Support.harken(["bench", "--port", "/dev/ttyHARKEN-none", "--model", model])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("/dev/ttyHARKEN-none: cannot open the serial port"), bad.stderr)
        let noBoard = try Support.harken(["firmware", "--model", model, "--board", "esp64", "--out", out])
        XCTAssertEqual(noBoard.status, 1)
        XCTAssertTrue(noBoard.stderr.contains("no board \"esp64\""), noBoard.stderr)
    }
}
