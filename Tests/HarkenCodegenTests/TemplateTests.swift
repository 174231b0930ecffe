import Foundation
import XCTest
import HarkenTestSupport

/// Every project family's generated C compiles with its architecture's cross compiler
/// (Arm, RV32IMC, Xtensa), SDK glue is syntax-checked against the SDKs' declarations
/// (Tests/Stubs), and the C99 project's program detects what `harken simulate` detects.
final class TemplateTests: XCTestCase {
    func testEveryTemplateCompiles() throws {
        let out = try Support.tempDir("templates").path
        let model = try Support.modelPath("hey_jarvis")
        let script = Support.repo.appendingPathComponent("Tests/Oracles/check_templates.sh").path
        let r = try Support.run("/usr/bin/env", ["HARKEN=\(Support.harkenBinary)", "HARKEN_PYTHON=\(Support.python)", "bash", script, out, model],
                                check: false)
        print(r.stdout)
        XCTAssertEqual(r.status, 0, r.stdout + r.stderr)
        for board in ["qemu-mps2-an386", "esp32-devkitc", "esp32s3-devkitc", "esp32c3-devkitm", "nrf52840", "nrf5340", "rp2040", "generic-dsp"] {
            XCTAssertTrue(r.stdout.contains("PASS \(board)"), "\(board) did not pass:\n\(r.stdout)")
        }
    }
}
