import Foundation
import HarkenStream
import XCTest

/// The host cascade against the device's rules written out by hand: ring windows, triggers handed
/// over one at a time, and the system figures of every cutoff pair counted independently.
final class CascadeTests: XCTestCase {
    /// Scores a window by its newest frame's first feature: which trigger handed it over is visible.
    struct NewestFrameJudge: WindowJudge {
        let windowFrames: Int
        let channels = 2
        func scores(_ windows: [[Int8]]) throws -> [Double] {
            windows.map { Double(Int($0[(windowFrames - 1) * channels]) + 128) / 256 }
        }
    }

    func pass(outputs: [UInt8], stride: Int = 3) -> SentryPass {
        // Frame f holds (f % 200 - 100, f / 200 - 100).
        let frames = outputs.count * stride
        let features: [Int8] = (0..<frames).flatMap { (f: Int) -> [Int8] in [Int8(f % 200 - 100), Int8(f / 200 - 100)] }
        return SentryPass(features: features, channels: 2, stride: stride, outputs: outputs, zeroCode: -128)
    }

    func testWindowsAreTheRingAsTheDeviceHandsItOver() {
        let p = pass(outputs: [UInt8](repeating: 0, count: 20))
        // Step 1's last frame is 5; 4 frames up to it and 2 after: frames 2...7.
        let w = p.window(triggerStep: 1, before: 4, after: 2)
        XCTAssertEqual(stride(from: 0, to: w.count, by: 2).map { Int(w[$0]) + 100 }, [2, 3, 4, 5, 6, 7])
        // Before the stream starts the ring holds the zero code; after it ends, too.
        let early = p.window(triggerStep: 0, before: 5, after: 1)
        XCTAssertEqual(Array(early.prefix(4)), [-128, -128, -128, -128])
        XCTAssertEqual(Int(early[4]) + 100, 0)
        let late = p.window(triggerStep: 19, before: 2, after: 3)
        XCTAssertEqual(Int(late[2]) + 100, 59)
        XCTAssertEqual(Array(late.suffix(6)), [Int8](repeating: -128, count: 6))
    }

    func testTriggersAndJudgeVerdicts() throws {
        // Window 1, no refractory: the detector fires whenever it re-arms above the cutoff.
        var outputs = [UInt8](repeating: 0, count: 60)
        for s in [5, 6, 20, 22, 40] { outputs[s] = 250 }
        let p = pass(outputs: outputs)
        let rule = CascadeRule(sentry: DetectionRule(window: 1, refractoryMs: 0, stepMs: 30), sentryCutoff: 0.5, judgeCutoff: 0.5,
                               framesBefore: 4, framesAfter: 9)
        // Step 5 fires; step 6 is still above (not re-armed); 20 fires; 22 fires while 20's
        // decision is pending (its frames 62...71 are not all in) and is dropped; 40 fires.
        XCTAssertEqual(rule.triggers(p).map(\.step), [5, 20, 40])
        let judge = NewestFrameJudge(windowFrames: 13)
        let decisions = try rule.decisions(p, judge: judge)
        XCTAssertEqual(decisions.map(\.step), [5, 20, 40])
        // The newest frame of a step-s window is 3s + 2 + 9; the judge's score is (f % 200 - 100 + 128) / 256.
        for d in decisions {
            let newest = 3 * d.step + 2 + 9
            XCTAssertEqual(d.judgeScore!, Double(newest % 200 + 28) / 256, accuracy: 1e-12)
            XCTAssertEqual(d.accepted, d.judgeScore! > 0.5)
            XCTAssertEqual(d.decidedS - d.triggerS, 0.09, accuracy: 1e-9)
        }
        XCTAssertEqual(try rule.decisions(p, judge: nil).map(\.accepted), [true, true, true])
    }

    func testSweepCountsEveryCutoffPairAsABruteForceCountDoes() throws {
        var rng = SystemRandomNumberGenerator()
        func randomPass(_ n: Int, bursts: Int) -> SentryPass {
            var o = [UInt8](repeating: 0, count: n)
            for _ in 0..<bursts {
                let at = Int.random(in: 0..<(n - 4), using: &rng), level = UInt8.random(in: 60...255, using: &rng)
                for i in at..<(at + 3) { o[i] = level }
            }
            return pass(outputs: o)
        }
        let positives = (0..<30).map { _ in randomPass(80, bursts: 1) }
        let nearMisses = (0..<10).map { _ in randomPass(80, bursts: 1) }
        let streams = (0..<4).map { _ in randomPass(2000, bursts: 25) }
        let passes = CascadePasses(positives: positives, nearMisses: nearMisses, streams: streams, streamHours: 0.5)
        let rule = CascadeRule(sentry: DetectionRule(window: 2, refractoryMs: 90, stepMs: 30), sentryCutoff: 0.5, judgeCutoff: 0.5,
                               framesBefore: 5, framesAfter: 2)
        let judge = NewestFrameJudge(windowFrames: 7)
        let sweep = try CascadeSweep(rule: rule, passes: passes, judge: judge)
        for (s, j) in [(0.3, 0.2), (0.5, 0.5), (0.75, 0.9), (0.1, 0.6)] {
            func accepted(_ p: SentryPass) throws -> Int {
                var r = rule
                r.sentryCutoff = s; r.judgeCutoff = j
                return try r.decisions(p, judge: judge).filter(\.accepted).count
            }
            let point = sweep.cascade(sentryCutoff: s, judgeCutoff: j)
            XCTAssertEqual(point.falseRejectRate.count, try positives.filter { try accepted($0) == 0 }.count, "\(s), \(j)")
            XCTAssertEqual(point.falseAcceptsPerHour.count, try streams.map(accepted).reduce(0, +), "\(s), \(j)")
            XCTAssertEqual(point.nearMissAcceptRate.count, try nearMisses.filter { try accepted($0) > 0 }.count, "\(s), \(j)")
            let alone = sweep.sentryAlone(s)
            XCTAssertEqual(alone.falseAcceptsPerHour.count, try streams.map { var r = rule; r.sentryCutoff = s; return try r.decisions($0, judge: nil).count }.reduce(0, +))
            XCTAssertEqual(point.judgeWakeupsPerHour, Double(alone.falseAcceptsPerHour.count) / 0.5, accuracy: 1e-9)
        }
        let chosen = try XCTUnwrap(sweep.choose(target: 4))
        XCTAssertLessThanOrEqual(chosen.falseAcceptsPerHour.value, 4)
        XCTAssertFalse(sweep.grid().contains { $0.falseAcceptsPerHour.value <= 4 && $0.falseRejectRate.value < chosen.falseRejectRate.value })
    }
}
