import Foundation
import XCTest
import HarkenCodegen
import HarkenTargets
import HarkenTestSupport

final class TargetTests: XCTestCase {
    func testEveryTargetLoads() throws {
        let targets = try TargetCatalog.load(home: Support.home)
        let names = Set(targets.map(\.name))
        for required in ["esp32-devkitc", "esp32s3-devkitc", "esp32c3-devkitm", "stm32f4", "stm32h7", "nrf52840", "rp2040",
                         "nrf5340", "generic-dsp", "qemu-mps2-an386", "qemu-mps2-an500", "qemu-mps2-an505"] {
            XCTAssertTrue(names.contains(required), required)
        }
        XCTAssertEqual(targets.filter { $0.emulator != nil }.map(\.name).sorted(), ["qemu-microbit", "qemu-mps2-an386", "qemu-mps2-an500", "qemu-mps2-an505", "qemu-riscv32-virt", "qemu-xtensa-sim-lx106"])
    }

    func testBadTargetNamesFileAndField() throws {
        let dir = try Support.tempDir("targets")
        let file = dir.appendingPathComponent("broken.yaml").path
        var text = try String(contentsOf: Support.repo.appendingPathComponent("Targets/stm32f4.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "name: stm32f4", with: "name: broken").replacingOccurrences(of: "clock_hz: 180000000", with: "clock_hz: fast")
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try TargetCatalog.load(file: file)) { e in
            XCTAssertEqual(e as? TargetError, .invalid(file: file, field: "clock_hz", expected: "a value of type Int"))
        }
        XCTAssertThrowsError(try TargetCatalog.board("esp64", home: Support.home)) { e in
            XCTAssertTrue("\(e)".hasPrefix("no board \"esp64\" in Targets/; known boards: esp32-devkitc"), "\(e)")
        }
    }
}
