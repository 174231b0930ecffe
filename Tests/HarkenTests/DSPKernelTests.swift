import Foundation
import XCTest

/// The Cortex-M DSP-extension kernels (SMLAD on q15 pairs) against the reference
/// kernels, byte for byte, on random shapes and data, running on emulated M4 and M7.
final class DSPKernelTests: XCTestCase {
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
        XCTAssertTrue(r.stdout.contains("DSP CHECK PASS"), r.stdout)
        let kernels = r.stdout.split(separator: "\n").filter { $0.contains("cases=") }
        XCTAssertGreaterThanOrEqual(kernels.count, 3)
        for line in kernels { XCTAssertTrue(line.contains("mismatches=0"), String(line)) }
    }

    func testCortexM4() throws { try check(board: "an386", machine: "mps2-an386") }
    func testCortexM7() throws { try check(board: "an500", machine: "mps2-an500") }
}
