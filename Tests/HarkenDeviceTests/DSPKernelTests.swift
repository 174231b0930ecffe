import Foundation
import XCTest
import HarkenTestSupport

/// Every optimised kernel against its specification, byte for byte, on random shapes and
/// data (Firmware/tests/dsp_check): the Cortex-M DSP-extension kernels (SMLAD on q15 pairs)
/// against the reference kernels, running on emulated M4 and M7, and the reference kernels
/// (blocked and staged for speed) against their plain loops (Firmware/tests/kernel_spec),
/// there and on the host; and the scalar-core kernels (hk_*_scalar) and the table kernels every
/// device runs (hk_softmax_s8_lut, hk_table_s8) against the reference kernels on the host, the emulated M4, M7 and M33, and the cores they are for: an emulated Cortex-M0
/// (micro:bit), RV32IMC (RISC-V virt) and Xtensa LX106 (sim), 400 cases per family on each.
final class DSPKernelTests: XCTestCase {
    static let dspFamilies = ["conv2d_1x1_s8", "dwconv2d_3x3_s8", "fully_connected_s8_packed", "requant"]
    static let scalarFamilies = ["conv2d_1x1_s8_scalar", "conv2d_im2col_s8_scalar", "dwconv2d_3x3_s8_scalar", "fully_connected_s8_scalar",
                                  "softmax_s8_lut", "table_s8"]

    static func checkSummary(_ stdout: String, families: [String] = dspFamilies + scalarFamilies, cases: Int = 400,
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(stdout.contains("DSP CHECK PASS"), stdout, file: file, line: line)
        let kernels = stdout.split(separator: "\n").filter { $0.contains("cases=") }
        XCTAssertGreaterThanOrEqual(kernels.count, families.count, file: file, line: line)
        for family in families {
            XCTAssertTrue(stdout.contains("\n\(family) cases=\(cases) "), "\(family) did not run \(cases) cases", file: file, line: line)
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
                       "hk_fully_connected_s8_dsp", "hk_fixedpoint", "hk_conv2d_tiles_s8_scalar", "hk_dwconv2d_3x3_s8_scalar", "hk_fully_connected_s8_scalar",
                       "hk_softmax_s8", "hk_softmax_s8_lut", "hk_logistic_s8", "hk_hard_swish_s8", "hk_table_s8"].map { path("kernels/\($0).c") }
        let spec = ["hk_conv2d_s8_spec", "hk_dwconv2d_s8_spec", "hk_fully_connected_s8_spec"].map { path("tests/kernel_spec/\($0).c") }
        let exe = dir.appendingPathComponent("dsp_check").path
        try Support.run("/usr/bin/cc", ["-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-pedantic",
                                        "-I" + path("include"), "-I" + path("kernels"), "-I" + path("tests/kernel_spec"),
                                        path("tests/dsp_check/hk_dsp_check.c"), path("tests/dsp_check/hk_dsp_check_host.c"),
                                        "-o", exe] + kernels + spec)
        let r = try Support.run(exe, ["2000"], check: false)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        DSPKernelTests.checkSummary(r.stdout, cases: 2000)
    }

    /// The scalar-core families on the cores they are for; `emulator` runs the image (QEMU's status is
    /// 0 only after DSP CHECK PASS: semihosting, sifive_test or SIMCALL exit).
    func checkScalar(board: String, emulator: [String]) throws {
        let dir = try Support.tempDir("dsp-\(board)")
        let elf = dir.appendingPathComponent("dsp_check.elf").path
        try Support.run("/bin/bash", [Support.repo.appendingPathComponent("Firmware/tests/dsp_check/build.sh").path, board, elf])
        let r = try Support.run("/usr/bin/timeout", ["120"] + emulator + ["-kernel", elf], check: false)
        print(r.stdout)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        DSPKernelTests.checkSummary(r.stdout, families: DSPKernelTests.scalarFamilies)
    }

    func testCortexM0() throws {
        try checkScalar(board: "microbit", emulator: ["qemu-system-arm", "-M", "microbit", "-nographic", "-monitor", "none", "-icount", "shift=0",
                                                      "-semihosting-config", "enable=on,target=native", "-no-reboot", "-serial", "stdio"])
    }

    func testRV32IMC() throws {
        try checkScalar(board: "riscv", emulator: ["qemu-system-riscv32", "-M", "virt", "-cpu", "rv32,a=false,f=false,d=false", "-bios", "none",
                                                   "-nographic", "-monitor", "none", "-icount", "shift=0", "-serial", "stdio"])
    }

    func testXtensaLX106() throws {
        try checkScalar(board: "xtensa", emulator: ["qemu-system-xtensa", "-M", "sim", "-cpu", "lx106", "-semihosting", "-nographic", "-monitor", "none"])
    }

    func testCortexM4() throws { try check(board: "an386", machine: "mps2-an386") }
    func testCortexM7() throws { try check(board: "an500", machine: "mps2-an500") }
    func testCortexM33() throws { try check(board: "an505", machine: "mps2-an505") }
}
