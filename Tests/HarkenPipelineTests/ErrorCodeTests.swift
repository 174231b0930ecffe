import Foundation
import HarkenPipeline
import HarkenSupport
import HarkenTargets
import HarkenTestSupport
import XCTest

/// Pipeline calls fail with a stable code beside the message (what the HTTP API and the UI switch
/// on), and stop at their next check once their job is cancelled.
final class ErrorCodeTests: XCTestCase {
    func code(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch { return (error as? CodedError)?.code ?? "uncoded: \(error)" }
    }

    func testErrorsCarryStableCodes() throws {
        let out = try Support.tempDir("codes").path
        XCTAssertEqual(code { _ = try Pipeline.firmware(model: try Support.modelPath("hey_jarvis"), board: "esp64", home: Support.home,
                                                         outDir: out, build: false) }, "target.unknown_board")
        XCTAssertEqual(code { _ = try Pipeline.compile(model: "/nonexistent/m.tflite", outDir: out) }, "graph.unreadable")
        XCTAssertEqual(code { _ = try Pipeline.benchEmulated(model: try Support.modelPath("hey_jarvis"), elf: "/nonexistent.elf",
                                                             board: "esp32s3-devkitc", home: Support.home, steps: 1,
                                                             audio: .init(samples: [])) }, "pipeline.no_emulator")
        XCTAssertEqual(code { _ = try HarkenHome.locate(environment: [:], executable: URL(fileURLWithPath: "/tmp/elsewhere/harken")) },
                       "target.no_home")
    }

    func testCancelledJobStops() throws {
        let token = CancellationToken()
        token.cancel()
        let out = try Support.tempDir("cancelled").path
        XCTAssertEqual(code { _ = try Pipeline.demo(model: try Support.modelPath("hey_jarvis"), phrase: "hey jarvis", outDir: out, board: nil,
                                                     home: Support.home, job: Job(cancellation: token)) }, "job.cancelled")
    }
}
