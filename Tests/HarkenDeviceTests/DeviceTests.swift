import Foundation
import XCTest
import HarkenAudio
import HarkenBench
import HarkenCodegen
import HarkenCost
import HarkenData
import HarkenPipeline
import HarkenTargets
import HarkenTestSupport

/// The generated firmware on emulated boards: built with arm-none-eabi-gcc, run in
/// qemu-system-arm, benchmarked over the emulated UART through a pseudo-terminal.
final class DeviceTests: XCTestCase {
    func benchOnEmulator(board: String) throws {
        let model = try Support.modelPath("hey_jarvis")
        let out = try Support.tempDir("fw-\(board)").path
        let fw = try Pipeline.firmware(model: model, board: board, home: Support.home, outDir: out, build: true)
        let elf = try XCTUnwrap(fw.elf)
        // harken size agrees with binutils' size (Berkeley format: text, data, bss).
        let sizes = try ElfSizes.read(elf)
        let target = try TargetCatalog.board(board, home: Support.home)
        let sizeTool = "/usr/bin/" + target.toolchain.cc.replacingOccurrences(of: "-gcc", with: "-size")
        let berkeley = try Support.run(sizeTool, [elf]).stdout.split(separator: "\n")[1]
            .split(separator: " ", omittingEmptySubsequences: true).prefix(3).map { Int($0.trimmingCharacters(in: .whitespaces))! }
        XCTAssertEqual(sizes.flashBytes, berkeley[0] + berkeley[1], "flash = text + data")
        XCTAssertEqual(sizes.ramBytes + sizes.reservedBytes, berkeley[1] + berkeley[2], "RAM = data + bss")
        XCTAssertEqual(sizes.flashBytes, fw.flashBytes)
        XCTAssertGreaterThan(sizes.partBytes["weights"] ?? 0, 20_000)
        let scene = try DemoScene.make(phrase: "hey jarvis").audio
        let report = try Pipeline.benchEmulated(model: model, elf: elf, board: board, home: Support.home, steps: 240, audio: scene, timeout: 5)
        XCTAssertEqual(report.steps, 240)
        XCTAssertEqual(report.mismatches, 0, "\(board): device outputs differ from harken simulate from step \(report.firstMismatchStep ?? -1)")
        XCTAssertEqual(report.device.model, "hey_jarvis")
        XCTAssertGreaterThan(report.cyclesMin, 10_000)
        XCTAssertGreaterThan(report.stats.stackUsedBytes, 64)
        XCTAssertLessThan(report.stats.stackUsedBytes, report.stats.stackBytes)
        // The device's own view of its image matches the ELF's sections.
        XCTAssertEqual(report.stats.flashBytes, fw.flashBytes)
        XCTAssertEqual(report.stats.staticRamBytes, fw.ramBytes)
        print("\(board): \(report.steps) steps identical to the simulator; \(Int(report.cyclesMean)) cycles/step (\(report.device.cpuHz) Hz clock), "
              + "stack \(report.stats.stackUsedBytes) B, static RAM \(report.stats.staticRamBytes) B, flash \(report.stats.flashBytes) B")
    }

    func testCortexM4() throws { try benchOnEmulator(board: "qemu-mps2-an386") }
    func testCortexM7() throws { try benchOnEmulator(board: "qemu-mps2-an500") }
    func testCortexM33() throws { try benchOnEmulator(board: "qemu-mps2-an505") }
    func testCortexM0() throws { try benchOnEmulator(board: "qemu-microbit") }
    func testRV32IMC() throws { try benchOnEmulator(board: "qemu-riscv32-virt") }
    func testXtensa() throws { try benchOnEmulator(board: "qemu-xtensa-sim-lx106") }
}
