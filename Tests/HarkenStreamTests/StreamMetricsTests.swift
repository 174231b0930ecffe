import HarkenStream
import HarkenSupport
import XCTest

/// The stream metrics on hand-built traces whose answers are counted by hand, and the float
/// detector of the DET sweep against the device's own hk_detector.
final class StreamMetricsTests: XCTestCase {
    // Window 3 at 30 ms steps; cutoff 0.5 means a window sum above 384 of 768 fires.
    let trace: [UInt8] = [0, 0, 255, 255, 255, 0, 0, 0, 255, 255, 255, 255, 0]

    func testDetectorFiresRearmsAndHonoursRefractoryTime() {
        // Sums from step 2: 255, 510 (fires at 3), 765, 510, 255 (re-arms; steps 4-6 are the 90 ms
        // refractory time), 0, 255, 510 (fires again at 9), 765, 765, 510.
        let short = DetectionRule(window: 3, refractoryMs: 90, stepMs: 30)
        XCTAssertEqual(short.detections(.device(trace), cutoff: 0.5).map(\.step), [3, 9])
        XCTAssertEqual(short.detections(.device(trace), cutoff: 0.5).map(\.mean), [510.0 / 768, 510.0 / 768])
        // 300 ms = 10 steps after step 3: step 9 is still blocked.
        let long = DetectionRule(window: 3, refractoryMs: 300, stepMs: 30)
        XCTAssertEqual(long.detections(.device(trace), cutoff: 0.5).map(\.step), [3])
        // Above 765/768 nothing fires; the peak is 765/768.
        XCTAssertEqual(short.detections(.device(trace), cutoff: 0.997).count, 0)
        XCTAssertEqual(short.peak(.device(trace)), 765.0 / 768)
    }

    func testWindowAveragesOutASingleSpike() {
        let spike: [UInt8] = [0, 255, 0, 0]
        XCTAssertEqual(DetectionRule(window: 1, refractoryMs: 0, stepMs: 30).detections(.device(spike), cutoff: 0.5).map(\.step), [1])
        XCTAssertEqual(DetectionRule(window: 3, refractoryMs: 0, stepMs: 30).detections(.device(spike), cutoff: 0.5).count, 0)
    }

    func testFalseRejectsAndFalseAcceptsPerHour() {
        let rule = DetectionRule(window: 3, refractoryMs: 90, stepMs: 30)
        let loud: [UInt8] = [0, 200, 200, 200, 0], quiet: [UInt8] = [0, 100, 100, 100, 0]
        func clip(_ path: String, _ s: Double, _ t: [UInt8]) -> ScoredSplit.Clip { .init(path: path, seconds: s, trace: .device(t)) }
        // Three of four positives exceed 0.5 (600 > 384); the quiet one (300) does not.
        // Half an hour of negative audio with two detections at 0.5: 4 false accepts per hour.
        // One of two near misses is accepted.
        let scored = ScoredSplit(split: "test",
                                 positives: [clip("p1", 1, loud), clip("p2", 1, loud), clip("p3", 1, loud), clip("p4", 1, quiet)],
                                 nearMisses: [clip("n1", 1, loud), clip("n2", 1, quiet)],
                                 streams: [clip("s1", 1800, trace)])
        let r = rule.evaluate(scored, cutoff: 0.5, targetFAPerHour: 0.5, model: "hand-built")
        XCTAssertEqual(r.falseRejectRate, 0.25)
        XCTAssertEqual(r.falseAcceptsPerHour, 4)
        XCTAssertEqual(r.nearMissAcceptRate, 0.5)
        XCTAssertEqual(r.missed, ["p4"])
        // Stream false accepts at the end of steps 3 and 9 (step s ends at (s+1)·30 ms + 20 ms), then the near miss.
        XCTAssertEqual(r.falseAccepts.map(\.clip), ["s1", "s1", "n1"])
        XCTAssertEqual(r.falseAccepts[0].timeS, 0.14, accuracy: 1e-12)
        XCTAssertEqual(r.falseAccepts[1].timeS, 0.32, accuracy: 1e-12)
        // With no cutoff given, the lowest of the sweep with at most 0.5 FA/h: the stream's peak is
        // 765/768 = 0.99609..., so 0.996 still fires and 0.997 is the first that does not.
        let chosen = rule.evaluate(scored, cutoff: nil, targetFAPerHour: 0.5, model: "hand-built")
        XCTAssertEqual(chosen.cutoff, DetectionRule.sweep.first { $0 >= 765.0 / 768 })
        XCTAssertEqual(chosen.cutoff, 0.997, accuracy: 1e-6)
        XCTAssertEqual(chosen.falseAcceptsPerHour, 0)
        XCTAssertEqual(chosen.falseRejectRate, 1)
    }

    /// Float probabilities that are whole 256ths decide exactly as the device's detector does
    /// on the bytes, at every cutoff of the sweep, for windows 1-10 and several refractory times.
    func testFloatDetectorAgreesWithTheDevicesDetector() {
        var rng = SplitMix64(seed: 11)
        var compared = 0
        for trial in 0..<60 {
            let n = 200 + Int(rng.next() % 400)
            // Runs of high and low values, so the detector crosses its cutoff many times.
            var bytes: [UInt8] = [], level = 0
            while bytes.count < n {
                if rng.next() % 8 == 0 { level = Int(rng.next() % 256) }
                bytes.append(UInt8(clamping: level + Int(rng.next() % 21) - 10))
            }
            let rule = DetectionRule(window: 1 + trial % 10, refractoryMs: [0, 30, 250, 1000][trial % 4], stepMs: 30)
            let floats = bytes.map { Float($0) / 256 }
            for cutoff in DetectionRule.sweep {
                let device = rule.detections(.device(bytes), cutoff: cutoff)
                let float = rule.detections(.probabilities(floats), cutoff: cutoff)
                XCTAssertEqual(device.map(\.step), float.map(\.step), "window \(rule.window), cutoff \(cutoff), trial \(trial)")
                XCTAssertEqual(device.map(\.mean), float.map(\.mean), "window \(rule.window), cutoff \(cutoff), trial \(trial)")
                compared += device.count
            }
            XCTAssertEqual(rule.peak(.device(bytes)), rule.peak(.probabilities(floats)))
        }
        XCTAssertGreaterThan(compared, 10_000, "the traces must make the detector fire often")
    }
}
