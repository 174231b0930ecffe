import HarkenStream
import HarkenTestSupport
import XCTest

/// The stress report on hand-built traces whose figures are counted by hand, and its confidence
/// intervals against SciPy's.
final class StressMetricsTests: XCTestCase {
    func scipy(_ args: [String]) throws -> (Double, Double) {
        let out = try Support.py("intervals.py", args).stdout.split(separator: " ").map { Double($0.trimmingCharacters(in: .whitespacesAndNewlines))! }
        return (out[0], out[1])
    }

    func testIntervalsAgreeWithSciPy() throws {
        for (k, n) in [(0, 20), (1, 20), (5, 100), (37, 600), (600, 600)] {
            let e = Estimate.proportion(k, of: n)
            let (low, high) = try scipy(["wilson", "\(k)", "\(n)"])
            XCTAssertEqual(e.low, low, accuracy: 1e-9, "\(k)/\(n)")
            XCTAssertEqual(e.high, high, accuracy: 1e-9, "\(k)/\(n)")
            XCTAssertEqual(e.value, Double(k) / Double(n))
        }
        for k in [0, 1, 2, 9, 150] {
            let e = Estimate.rate(k, perHours: 3)
            let (low, high) = try scipy(["poisson", "\(k)"])
            XCTAssertEqual(e.low * 3, low, accuracy: 1e-6 * max(1, low), "\(k)")
            XCTAssertEqual(e.high * 3, high, accuracy: 1e-6 * max(1, high), "\(k)")
        }
    }

    /// Window 2 at 10 ms steps, 100 ms refractory time; cutoff c fires when the mean of two
    /// probabilities exceeds c.
    func testOperatingPointsBreakdownsNearMissesAndDelay() {
        let rule = DetectionRule(window: 2, refractoryMs: 100, stepMs: 10)
        func trace(_ peak: Float, at step: Int, length: Int = 300) -> ScoreTrace {
            var p = [Float](repeating: 0.01, count: length)
            p[step] = peak; p[step + 1] = peak
            return .probabilities(p)
        }
        func clip(_ t: ScoreTrace, seconds: Double = 3) -> ScoredSplit.Clip { .init(path: "c", seconds: seconds, trace: t) }
        // Four positives: three peak at 0.9 (step 200: detection at step 201 = 2.03 s after the
        // step's hop, 20 ms frame), one at 0.6. Two are noisy, two clean.
        let positives = [
            LabelledClip(clip: clip(trace(0.9, at: 200)), tags: ["condition": "clean"], phraseEndS: 1.93),
            LabelledClip(clip: clip(trace(0.9, at: 200)), tags: ["condition": "clean"], phraseEndS: 1.83),
            LabelledClip(clip: clip(trace(0.9, at: 200)), tags: ["condition": "noise"], phraseEndS: 1.73),
            LabelledClip(clip: clip(trace(0.6, at: 200)), tags: ["condition": "noise"], phraseEndS: 1.93),
        ]
        // Half an hour of speech in two files: one with a peak of 0.7 (a false accept below 0.7),
        // one with a peak of 0.5.
        let streams = [
            LabelledClip(clip: clip(trace(0.7, at: 100, length: 1000), seconds: 900), tags: ["condition": "noise"]),
            LabelledClip(clip: clip(trace(0.5, at: 100, length: 1000), seconds: 900), tags: ["condition": "clean"]),
        ]
        let nearMisses = [
            LabelledClip(clip: clip(trace(0.8, at: 50)), tags: ["kind": "partial"], text: "jarvis"),
            LabelledClip(clip: clip(trace(0.3, at: 50)), tags: ["kind": "partial"], text: "jarvis"),
            LabelledClip(clip: clip(trace(0.3, at: 50)), tags: ["kind": "neighbour"], text: "hey travis"),
        ]
        let r = rule.stressReport(StressScored(positives: positives, nearMisses: nearMisses, streams: streams), model: "m",
                                  targets: [0.5, 1, 3], shipped: 0.55)
        XCTAssertEqual(r.negativeHours, 0.5)
        XCTAssertEqual(r.operatingPoints.map(\.name), ["0.5 FA/h", "1 FA/h", "3 FA/h", "shipped cutoff 0.55"])
        // 0.5 FA/h needs no false accept: the lowest cutoff is 0.7 (the 0.7 peak does not exceed it);
        // there the 0.6 positive is missed, the 0.8 near miss accepted.
        let half = r.operatingPoints[0]
        XCTAssertEqual(half.cutoff, 0.7)
        XCTAssertEqual(half.falseRejectRate.count, 1)
        XCTAssertEqual(half.falseRejectRate.value, 0.25)
        XCTAssertEqual(half.falseAcceptsPerHour.count, 0)
        XCTAssertEqual(half.nearMissAcceptance["partial"]?.value, 0.5)
        XCTAssertEqual(half.nearMissAcceptance["neighbour"]?.value, 0)
        XCTAssertEqual(half.nearMisses.first?.text, "jarvis")
        let byCondition = half.breakdown.filter { $0.key == "condition" }
        XCTAssertEqual(byCondition.map(\.value), ["clean", "noise"])
        XCTAssertEqual(byCondition.map(\.estimate.value), [0, 0.5])
        // Delays: detection at step 201 → 2.02 + 0.02 = 2.04 s; phrase ends 1.93, 1.83, 1.73.
        XCTAssertEqual(half.latency?.detections, 3)
        XCTAssertEqual(half.latency!.medianMs, 210, accuracy: 1e-6)
        XCTAssertEqual(half.latency!.meanMs, 210, accuracy: 1e-6)
        // 3 FA/h allows one false accept in half an hour: cutoff 0.5 (the 0.5 peak does not exceed it).
        let three = r.operatingPoints[2]
        XCTAssertEqual(three.cutoff, 0.5)
        XCTAssertEqual(three.falseAcceptsPerHour.value, 2)
        XCTAssertEqual(three.falseRejectRate.value, 0)
        let streamRows = three.breakdown.filter { $0.key == "streams: condition" }
        XCTAssertEqual(streamRows.map(\.value), ["clean", "noise"])
        XCTAssertEqual(streamRows.map(\.estimate.value), [0, 4])
        // The shipped cutoff is reported as given.
        XCTAssertEqual(r.operatingPoints[3].cutoff, 0.55)
        XCTAssertEqual(r.operatingPoints[3].falseAcceptsPerHour.count, 1)
    }

    /// A target that only a cutoff accepting nothing meets is reported as not reached.
    func testTargetNotReachedWhenEveryPositiveIsLost() {
        let rule = DetectionRule(window: 1, refractoryMs: 0, stepMs: 10)
        let hot = ScoreTrace.probabilities([Float](repeating: 0.9999, count: 100))
        let s = StressScored(positives: [LabelledClip(clip: .init(path: "p", seconds: 1, trace: .probabilities([0.5, 0.5])))],
                             nearMisses: [], streams: [LabelledClip(clip: .init(path: "s", seconds: 3600, trace: hot))])
        let r = rule.stressReport(s, model: "m", targets: [0.5], shipped: nil)
        XCTAssertNil(r.operatingPoints[0].cutoff)
        XCTAssertEqual(r.operatingPoints[0].falseRejectRate.value, 1)
    }
}
