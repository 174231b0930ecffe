import Foundation
import XCTest
import HarkenTestSupport

/// Every optimised kernel against its specification, byte for byte, on random shapes and
/// data (Firmware/tests/dsp_check): the Cortex-M DSP-extension kernels (SMLAD on q15 pairs)
/// against the reference kernels, running on emulated M4 and M7, and the reference kernels
/// (blocked and staged for speed) against their plain loops (Firmware/tests/kernel_spec),
/// there and on the host.
final class DSPKernelTests: XCTestCase {
    static func checkSummary(_ stdout: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(stdout.contains("DSP CHECK PASS"), stdout, file: file, line: line)
        let kernels = stdout.split(separator: "\n").filter { $0.contains("cases=") }
        XCTAssertGreaterThanOrEqual(kernels.count, 4, file: file, line: line)
        for family in ["conv2d_1x1_s8", "dwconv2d_3x3_s8", "fully_connected_s8_packed", "requant"] {
            XCTAssertTrue(stdout.contains("\(family) cases="), "\(family) did not run", file: file, line: line)
        }
        for summary in kernels {
            XCTAssertTrue(summary.contains(" mismatches=0 "), String(summary), file: file, line: line)
            XCTAssertTrue(summary.contains(" spec_cycles="), "\(summary): the specification did not run", file: file, line: line)
        }
    }

    func check(board: String, machine: String) throws {
        let dir = try Support.tempDir("dsp-\(board)")
        let elf = dir.appendingPathComponent("dsp_check.elf").path
        try Support.run("/bin/bash", [Support.repo.appendingPathComponent("Firmware/tests/dsp_check/build.sh").path, board, elf])
        let r = try Support.run("/usr/bin/timeout", ["120", "qemu-system-arm", "-M", machine, "-nographic", "-monitor", "none",
                                                     "-icount", "shift=0", "-semihosting-config", "enable=on,target=native",
                                                     "-no-reboot", "-serial", "stdio", "-kernel", elf], check: false)
        print(r.stdout)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        XCTAssertTrue(r.stdout.contains("DSP extension: yes"), r.stdout)
        DSPKernelTests.checkSummary(r.stdout)
    }

    /// On the host the _dsp kernels build plain C models of the instructions, so this checks
    /// their lane bookkeeping and the reference kernels against the plain loops, 2,000 cases each.
    func testOnTheHost() throws {
        let dir = try Support.tempDir("dsp-host")
        let fw = Support.repo.appendingPathComponent("Firmware")
        func path(_ p: String) -> String { fw.appendingPathComponent(p).path }
        let kernels = ["hk_conv2d_s8", "hk_conv2d_s8_dsp", "hk_conv2d_tiles_s8_dsp", "hk_dwconv2d_s8", "hk_dwconv2d_s8_dsp", "hk_dwconv2d_3x3_s8_dsp", "hk_fully_connected_s8",
                       "hk_fully_connected_s8_dsp", "hk_fixedpoint"].map { path("kernels/\($0).c") }
        let spec = ["hk_conv2d_s8_spec", "hk_dwconv2d_s8_spec", "hk_fully_connected_s8_spec"].map { path("tests/kernel_spec/\($0).c") }
        let exe = dir.appendingPathComponent("dsp_check").path
        try Support.run("/usr/bin/cc", ["-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-pedantic",
                                        "-I" + path("include"), "-I" + path("kernels"), "-I" + path("tests/kernel_spec"),
                                        path("tests/dsp_check/hk_dsp_check.c"), path("tests/dsp_check/hk_dsp_check_host.c"),
                                        "-o", exe] + kernels + spec)
        let r = try Support.run(exe, ["2000"], check: false)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        DSPKernelTests.checkSummary(r.stdout)
    }

    func testCortexM4() throws { try check(board: "an386", machine: "mps2-an386") }
    func testCortexM7() throws { try check(board: "an500", machine: "mps2-an500") }
    func testCortexM33() throws { try check(board: "an505", machine: "mps2-an505") }
}
