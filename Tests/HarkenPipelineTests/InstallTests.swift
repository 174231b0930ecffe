import Foundation
import XCTest
import HarkenTestSupport

/// Harken installs like a tool: `make install-files` lays out bin/ and share/harken/, and the
/// installed binary builds firmware from any working directory with no environment variable.
final class InstallTests: XCTestCase {
    /// The environment without HARKEN_HOME, as a new user's shell has it.
    var plainEnvironment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["HARKEN_HOME"] = nil
        return env
    }

    func testInstalledBinaryFindsItsFilesFromAnywhere() throws {
        let prefix = try Support.tempDir("install").path
        try Support.run("/usr/bin/make", ["-C", Support.repo.path, "install-files", "PREFIX=\(prefix)", "BINARY=\(Support.harkenBinary)"])
        for folder in ["Targets", "Templates", "Firmware"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(prefix)/share/harken/\(folder)"), folder)
        }
        let elsewhere = try Support.tempDir("install-cwd").path
        let model = try Support.modelPath("hey_jarvis")
        let r = try Support.run("\(prefix)/bin/harken", ["firmware", "--model", model, "--board", "qemu-mps2-an386",
                                                         "--out", elsewhere + "/fw", "--build", "--json"],
                                check: false, in: elsewhere, environment: plainEnvironment)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: elsewhere + "/fw/build/firmware.elf"), r.stdout)
    }

    func testCopiedBinaryNamesTheMissingFolders() throws {
        let dir = try Support.tempDir("copied").path
        try FileManager.default.copyItem(atPath: Support.harkenBinary, toPath: dir + "/harken")
        let r = try Support.run(dir + "/harken", ["boards"], check: false, in: dir, environment: plainEnvironment)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("cannot find Harken's Targets/, Templates/ and Firmware/ folders"), r.stderr)
        XCTAssertTrue(r.stderr.contains("set HARKEN_HOME"), r.stderr)
        XCTAssertTrue(r.stderr.contains("share/harken"), "the message names where it looked: \(r.stderr)")
        // Pointing HARKEN_HOME at the repository makes the same copy work.
        var env = plainEnvironment
        env["HARKEN_HOME"] = Support.repo.path
        let ok = try Support.run(dir + "/harken", ["boards", "--json"], check: false, in: dir, environment: env)
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertTrue(ok.stdout.contains("qemu-mps2-an386"), ok.stdout)
    }
}
