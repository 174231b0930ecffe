import Foundation
import HarkenAudio
import XCTest
import HarkenTestSupport

final class AudioErrorTests: XCTestCase {
    func testMissingFile() {
        XCTAssertThrowsError(try Audio.read("/nonexistent/kitchen.wav")) { e in
            XCTAssertEqual(e as? AudioError, .cannotOpen(file: "/nonexistent/kitchen.wav", reason: "no such file"))
        }
    }

    func testUnreadableFile() throws {
        let path = try Support.tempDir("audio-bad").appendingPathComponent("garbage.wav").path
        try Data("RIFF\u{0}\u{0}this is not audio at all".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try Audio.read(path)) { e in
            guard case .cannotOpen(let file, let reason)? = e as? AudioError else { return XCTFail("\(e)") }
            XCTAssertEqual(file, path)
            XCTAssertFalse(reason.isEmpty)
        }
    }

    func testNon16BitFile() throws {
        let path = try Support.tempDir("audio-float").appendingPathComponent("float.wav").path
        try Support.run("/usr/bin/sox", ["-n", "-r", "16000", "-c", "1", "-b", "32", "-e", "floating-point", path, "synth", "0.1", "sine", "440"])
        XCTAssertThrowsError(try Audio.read(path)) { e in
            XCTAssertEqual(e as? AudioError, .unsupportedFormat(file: path, found: "32-bit float"))
        }
    }

    func testResamplesOtherRates() throws {
        let dir = try Support.tempDir("audio-rate")
        let path = dir.appendingPathComponent("tone48k.wav").path
        try Support.run("/usr/bin/sox", ["-n", "-r", "48000", "-c", "2", "-b", "16", path, "synth", "1.0", "sine", "1000", "vol", "0.5"])
        let audio = try Audio.read(path)
        XCTAssertEqual(audio.samples.count, 16000, accuracy: 2)
        // A 1 kHz tone at 16 kHz: 16 samples per period, peak near 0.5 full scale.
        let peak = audio.samples[1000..<15000].map { abs(Int($0)) }.max()!
        XCTAssertEqual(Double(peak), 16384, accuracy: 600)
        var crossings = 0
        for i in 1000..<15000 where (audio.samples[i - 1] < 0) != (audio.samples[i] < 0) { crossings += 1 }
        XCTAssertEqual(Double(crossings), 14000.0 / 8, accuracy: 4)
    }

    func testReadsFLAC() throws {
        let path = try Support.tempDir("audio-flac").appendingPathComponent("tone.flac").path
        try Support.run("/usr/bin/sox", ["-n", "-r", "44100", "-c", "1", "-b", "16", path, "synth", "0.5", "sine", "440"])
        let audio = try Audio.read(path)
        XCTAssertEqual(audio.samples.count, 8000, accuracy: 2)
    }
}
