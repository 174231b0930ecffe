import Foundation
import HarkenAudio
import XCTest
import HarkenTestSupport

/// The C frontend against TFLM's microfrontend (pymicro-features), bit for bit.
final class FrontendTests: XCTestCase {
    func testMatchesPymicroFeaturesOnMixedAudio() throws {
        let wav = try Support.mixedAudio.get()
        let dir = try Support.tempDir("frontend")
        let expectedPath = dir.appendingPathComponent("features.bin").path
        try Support.py("frontend_oracle.py", [wav, expectedPath])
        let expected = try Data(contentsOf: URL(fileURLWithPath: expectedPath))
        let expectedValues: [UInt16] = expected.withUnsafeBytes { Array($0.bindMemory(to: UInt16.self)) }

        let audio = try Audio.read(wav)
        XCTAssertGreaterThanOrEqual(audio.seconds, 60)
        let frames = try Frontend().features(of: audio)
        XCTAssertEqual(frames.count * 40, expectedValues.count, "frame count")
        var mismatches = 0
        var first: (Int, Int, UInt16, UInt16)?
        for (f, frame) in frames.enumerated() {
            for c in 0..<40 where f * 40 + c < expectedValues.count {
                if frame[c] != expectedValues[f * 40 + c] {
                    mismatches += 1
                    if first == nil { first = (f, c, frame[c], expectedValues[f * 40 + c]) }
                }
            }
        }
        XCTAssertEqual(mismatches, 0, "first mismatch (frame, channel, ours, oracle): \(String(describing: first))")
        XCTAssertGreaterThanOrEqual(frames.count, 5900)
        // The audio must exercise the whole range: silence (zeros) and loud frames.
        XCTAssertTrue(frames.contains { $0.allSatisfy { $0 < 100 } })
        XCTAssertTrue(frames.contains { $0.contains { $0 > 600 } })
    }
}
