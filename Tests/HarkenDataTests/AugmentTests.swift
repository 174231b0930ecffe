import Foundation
import HarkenData
import HarkenSupport
import XCTest
import HarkenTestSupport

/// The robustness engine's transforms on known signals.
final class AugmentTests: XCTestCase {
    func testSNRMixMeasuresAtTheAskedSNR() {
        var rng = SplitMix64(seed: 3)
        let signal = (0..<16000).map { Float(3000 * sin(2 * Double.pi * 440 * Double($0) / 16000)) }
        let noise = (0..<7000).map { _ in 2000 * rng.nextNormal() }
        for snr in [-5.0, 0, 7.5, 20] {
            let mixed = AudioMath.mix(signal, noise: noise, snr: snr, offset: 123)
            let added = zip(mixed, signal).map { $0 - $1 }
            let measured = 10 * log10(AudioMath.power(signal[...]) / AudioMath.power(added[...]))
            XCTAssertEqual(measured, snr, accuracy: 0.1, "SNR \(snr)")
        }
    }

    /// Simulated rooms measured independently (numpy, T30 from the Schroeder curve).
    func testSimulatedRoomsReachTheAskedRT60() throws {
        let dir = try Support.tempDir("rooms")
        var rng = SplitMix64(seed: 11)
        var asked: [Double] = [], files: [String] = []
        for (i, rt) in [0.2, 0.35, 0.5, 0.7].enumerated() {
            var room = Room.random(rt60: rt...rt, using: &rng)
            room.rt60 = rt
            let h = room.impulseResponse()
            let path = dir.appendingPathComponent("rir\(i).f32").path
            try h.withUnsafeBufferPointer { Data(buffer: $0) }.write(to: URL(fileURLWithPath: path))
            asked.append(rt); files.append(path)
        }
        let out = try Support.py("rt60.py", files).stdout
        let measured = out.split(separator: "\n").compactMap { Double($0) }
        XCTAssertEqual(measured.count, asked.count, out)
        for (a, m) in zip(asked, measured) {
            print(String(format: "room: asked RT60 %.2f s, measured T30 %.3f s (%.1f %%)", a, m, (m - a) / a * 100))
            XCTAssertEqual(m, a, accuracy: 0.1 * a)
        }
    }

    func testFFTConvolutionMatchesDirect() {
        var rng = SplitMix64(seed: 5)
        let x = (0..<1000).map { _ in rng.nextNormal() }, h = (0..<77).map { _ in rng.nextNormal() }
        let y = Convolution.apply(x, h)
        XCTAssertEqual(y.count, 1076)
        for i in stride(from: 0, to: y.count, by: 7) {
            var d: Double = 0
            for k in 0..<h.count where i - k >= 0 && i - k < x.count { d += Double(h[k]) * Double(x[i - k]) }
            XCTAssertEqual(Double(y[i]), d, accuracy: 1e-3)
        }
    }

    func testSpeedResamplesLengthAndFrequency() {
        let tone = (0..<16000).map { Float(sin(2 * Double.pi * 500 * Double($0) / 16000)) }
        let fast = AudioMath.speed(tone, factor: 1.25)
        XCTAssertEqual(fast.count, 12800)
        // Zero crossings per second: 2 × 500 × 1.25.
        let crossings = zip(fast, fast.dropFirst()).filter { ($0 < 0) != ($1 < 0) }.count
        XCTAssertEqual(Double(crossings) / 0.8, 1250, accuracy: 5)
    }

    func testPitchShiftMovesFrequencyAndKeepsDuration() {
        let tone = (0..<16000).map { Float(sin(2 * Double.pi * 500 * Double($0) / 16000)) }
        for factor in [0.9, 1.12] {
            let shifted = AudioMath.pitch(tone, factor: factor)
            XCTAssertEqual(Double(shifted.count), 16000, accuracy: 16, "factor \(factor)")
            // Zero crossings per second over the middle (away from the edge frames): 2 × 500 × factor.
            let mid = Array(shifted[2000..<14000])
            let crossings = zip(mid, mid.dropFirst()).filter { ($0 < 0) != ($1 < 0) }.count
            let hz = Double(crossings) / 0.75 / 2
            print(String(format: "pitch: factor %.2f -> %.1f Hz (asked %.1f)", factor, hz, 500 * factor))
            XCTAssertEqual(hz, 500 * factor, accuracy: 500 * factor * 0.02)
        }
    }

    func testAugmentationIsDeterministicForASeed() throws {
        var r = SplitMix64(seed: 9)
        let noise = (0..<8000).map { _ in 1000 * r.nextNormal() }
        var config = AugmentConfig()
        config.rooms = 2
        config.speedProbability = 1; config.pitchProbability = 1; config.reverbProbability = 1; config.noiseProbability = 1
        let a = try Augmenter(config: config, noises: [noise], seed: 1)
        let b = try Augmenter(config: config, noises: [noise], seed: 1)
        XCTAssertEqual(a.rirs, b.rirs)
        let clip = (0..<12000).map { Float(2000 * sin(Double($0) * 0.05)) }
        var g1 = SplitMix64(seed: 42), g2 = SplitMix64(seed: 42), g3 = SplitMix64(seed: 43)
        let y1 = a.apply(clip, epoch: 0, of: 10, rng: &g1)
        XCTAssertEqual(y1, b.apply(clip, epoch: 0, of: 10, rng: &g2))
        XCTAssertNotEqual(y1, a.apply(clip, epoch: 0, of: 10, rng: &g3))
        XCTAssertEqual(config.snrRange(epoch: 0, of: 10), 10...30)
        XCTAssertEqual(config.snrRange(epoch: 9, of: 10), -3...12)
        XCTAssertEqual(config.snrRange(epoch: 3, of: 7), 3.5...21)
    }
}
