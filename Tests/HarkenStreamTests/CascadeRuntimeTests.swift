import Foundation
import HarkenAudio
import HarkenData
import HarkenGraph
import HarkenPipeline
import HarkenRuntime
import HarkenStream
import HarkenSupport
import HarkenTestSupport
import XCTest

/// The device's cascade (Firmware/cascade/hk_cascade.c, compiled into HarkenRuntime) driven from
/// Swift: a server Judge's requests land in `sent`, decisions in `decided`.
final class CCascade {
    /// The C state and ring live at fixed addresses: the cascade keeps the ring's pointer, and a
    /// callback may re-enter it (an answer from inside send).
    let state = UnsafeMutablePointer<hk_cascade_t>.allocate(capacity: 1)
    let ring: UnsafeMutableBufferPointer<Int8>
    var sent: [(id: UInt32, window: [Int8])] = []
    var decided: [hk_cascade_decision_t] = []
    /// Answers the request at once, from inside the send callback (a server with no latency).
    var answerNow: ((UInt32, [Int8]) -> UInt16?)?

    init(_ config: hk_cascade_config_t, ringBytes: Int? = nil) throws {
        var c = config
        ring = .allocate(capacity: max(1, ringBytes ?? hk_cascade_ring_bytes(&c)))
        state.initialize(to: hk_cascade_t())
        let rc = hk_cascade_init(state, &c, ring.baseAddress, ring.count, nil, { ctx, id, a, na, b, nb in
            let me = Unmanaged<CCascade>.fromOpaque(ctx!).takeUnretainedValue()
            var w = Array(UnsafeBufferPointer(start: a, count: na))
            if nb > 0 { w += Array(UnsafeBufferPointer(start: b, count: nb)) }
            me.sent.append((id, w))
            if let score = me.answerNow?(id, w) { _ = hk_cascade_answer(me.state, id, score) }
        }, { ctx, d in
            Unmanaged<CCascade>.fromOpaque(ctx!).takeUnretainedValue().decided.append(d!.pointee)
        }, Unmanaged.passUnretained(self).toOpaque())
        guard rc == HK_CASCADE_OK else { throw NSError(domain: "hk_cascade_init", code: Int(rc)) }
    }

    deinit {
        state.deallocate()
        ring.deallocate()
    }

    func frame(_ f: [Int8]) { f.withUnsafeBufferPointer { hk_cascade_frame(state, $0.baseAddress) } }
    @discardableResult func trigger(step: Int, sum: Int32 = 0) -> Bool { hk_cascade_trigger(state, UInt32(step), sum) != 0 }
    @discardableResult func answer(_ id: UInt32, _ score: UInt16) -> Bool { hk_cascade_answer(state, id, score) != 0 }
}

/// A stand-in Judge whose score is a function of every byte of the window, in 1/256 steps.
struct ChecksumJudge: WindowJudge {
    let windowFrames: Int
    let channels: Int
    func scores(_ windows: [[Int8]]) throws -> [Double] {
        windows.map { w in Double(w.enumerated().reduce(0) { ($0 &* 31 &+ Int($1.element) &+ $1.offset) & 0xFFFF } % 256) / 256 }
    }
}

final class CascadeRuntimeTests: XCTestCase {
    static func config(before: Int = 150, after: Int = 30, placement: Int32 = Int32(HK_CASCADE_ON_SERVER), cutoff: Double = 0.5,
                       fallback: Int32 = Int32(HK_CASCADE_FAIL_OPEN), timeout: Int = 50, retry: Int = 17, channels: Int = 40,
                       zero: Int32 = -128) -> hk_cascade_config_t {
        var c = hk_cascade_config_t()
        c.channels = Int32(channels); c.frames_before = Int32(before); c.frames_after = Int32(after); c.zero_code = zero
        c.placement = placement; c.cutoff_q16 = Int32((cutoff * 65536).rounded(.down)); c.judge_output_int8 = 0
        c.fallback = fallback; c.timeout_frames = Int32(timeout); c.retry_frames = Int32(retry)
        return c
    }

    /// hey_jarvis on the demo scene at a low Sentry cutoff: the device's cascade, fed the Sentry's
    /// frames and its detector's triggers in the order hk_wake makes them, decides every trigger
    /// as CascadeRule does (same steps, windows, scores, verdicts and decision frames), with the
    /// server answering at once.
    func testMatchesCascadeRuleOnSpeech() throws {
        let model = try Support.modelPath("hey_jarvis")
        let (_, plan) = try Pipeline.load(model: model)
        let scene = try DemoScene.make(phrase: "hey jarvis").audio
        let audio = Audio(samples: scene.samples + scene.samples)
        let sentryCutoff = 0.3
        let sim = try Simulator(plan: plan, detector: DetectorSettings(cutoff: sentryCutoff, window: 5, refractoryMs: 1000))
        let pass = sim.pass(audio)
        let judge = ChecksumJudge(windowFrames: 180, channels: 40)
        let scores = try judge.scores(try (0..<200).map { pass.window(triggerStep: $0 * 2, before: 150, after: 30) })
        let judgeCutoff = scores.sorted()[scores.count / 2]
        let rule = CascadeRule(sentry: DetectionRule(window: 5, refractoryMs: 1000, stepMs: sim.stepMs), sentryCutoff: sentryCutoff, judgeCutoff: judgeCutoff)
        let expected = try rule.decisions(pass, judge: judge)
        XCTAssertGreaterThanOrEqual(expected.count, 6, "the scene should trigger the Sentry several times")
        XCTAssertTrue(expected.contains { $0.accepted } && expected.contains { !$0.accepted })

        // Scores are multiples of 1/256, so accepting score_q16 > cutoff · 65536 is p > cutoff.
        let c = try CCascade(Self.config(cutoff: judgeCutoff, zero: Int32(pass.zeroCode)))
        c.answerNow = { _, w in UInt16(try! judge.scores([w])[0] * 65536) }
        var detector = hk_detector_t()
        var dc = DetectorSettings(cutoff: sentryCutoff, window: 5, refractoryMs: 1000).config(stepMs: sim.stepMs)
        hk_detector_init(&detector, &dc)
        for f in 0..<pass.frames {
            c.frame(Array(pass.features[(f * 40)..<((f + 1) * 40)]))
            if (f + 1) % pass.stride == 0, hk_detector_push(&detector, pass.outputs[f / pass.stride]) != 0 {
                c.trigger(step: f / pass.stride, sum: hk_detector_sum(&detector))
            }
        }
        XCTAssertEqual(c.decided.count, expected.count)
        for (d, e) in zip(c.decided, expected) {
            XCTAssertEqual(Int(d.trigger_step), e.step)
            XCTAssertEqual(Int(d.trigger_frame), pass.lastFrame(ofStep: e.step))
            XCTAssertEqual(Int(d.decided_frame), pass.lastFrame(ofStep: e.step) + 30)
            XCTAssertEqual(Double(d.sentry_sum) / 1280, e.sentryMean)
            XCTAssertEqual(Double(d.score_q16) / 65536, e.judgeScore)
            XCTAssertEqual(d.accepted != 0, e.accepted, "step \(e.step)")
        }
        XCTAssertEqual(c.sent.map(\.window), expected.map { pass.window(triggerStep: $0.step, before: 150, after: 30) })
        XCTAssertEqual(c.sent.map(\.id), (1...UInt32(expected.count)).map { $0 })
        XCTAssertEqual(c.state.pointee.dropped, c.state.pointee.triggers - UInt32(expected.count))
    }

    /// A trigger before the stream has filled the ring: the window's missing frames hold the zero code.
    func testEarlyTriggerPadsWithTheZeroCode() throws {
        let c = try CCascade(Self.config(before: 6, after: 2, channels: 2, zero: -100))
        for f in 0..<4 { c.frame([Int8(f), Int8(f + 10)]) }
        XCTAssertTrue(c.trigger(step: 1))
        c.frame([4, 14]); c.frame([5, 15])
        XCTAssertEqual(c.sent.count, 1)
        XCTAssertEqual(c.sent[0].window, [-100, -100, -100, -100, 0, 10, 1, 11, 2, 12, 3, 13, 4, 14, 5, 15])
    }

    /// No answer: the same request (id and bytes) again every retry_frames frames, while frames keep
    /// wrapping the ring; at the timeout the fallback decides, and an answer after that, a
    /// duplicate or one for another id changes nothing. Triggers while waiting are dropped.
    func testRetransmitsThenFallsBack() throws {
        for fallback in [Int32(HK_CASCADE_FAIL_OPEN), Int32(HK_CASCADE_FAIL_CLOSED)] {
            let c = try CCascade(Self.config(before: 4, after: 1, fallback: fallback, timeout: 7, retry: 3, channels: 1))
            for f in 0..<9 { c.frame([Int8(f)]) }
            XCTAssertTrue(c.trigger(step: 3))
            c.frame([9])
            XCTAssertEqual(c.sent.map(\.window), [[5, 6, 7, 8, 9]])
            for f in 10..<16 {
                c.frame([Int8(f)])
                XCTAssertFalse(c.trigger(step: f), "a trigger while a request waits is dropped")
            }
            XCTAssertEqual(c.sent.count, 3, "retransmitted after 3 and 6 frames")
            XCTAssertTrue(c.sent.allSatisfy { $0.id == 1 && $0.window == [5, 6, 7, 8, 9] }, "\(c.sent)")
            XCTAssertTrue(c.decided.isEmpty)
            c.frame([16])
            XCTAssertEqual(c.decided.count, 1)
            let d = c.decided[0]
            XCTAssertEqual(d.judged, 0)
            XCTAssertEqual(d.accepted != 0, fallback == Int32(HK_CASCADE_FAIL_OPEN))
            XCTAssertEqual(d.decided_frame, 16)
            XCTAssertFalse(c.answer(1, 65535), "a late answer is ignored")
            XCTAssertFalse(c.trigger(step: 99), "the decision's own frame is still busy")
            c.frame([17])
            XCTAssertTrue(c.trigger(step: 100))
            c.frame([18])
            XCTAssertEqual(c.sent.last?.id, 2)
            XCTAssertEqual(c.sent.last?.window, [14, 15, 16, 17, 18])
            XCTAssertFalse(c.answer(1, 65535), "an answer for the old request does not decide the new one")
            XCTAssertTrue(c.answer(2, 40000))
            XCTAssertFalse(c.answer(2, 10), "a duplicate answer is ignored")
            XCTAssertEqual(c.decided.count, 2)
            XCTAssertEqual(c.decided[1].judged, 1)
            XCTAssertEqual(c.decided[1].score_q16, 40000)
            XCTAssertEqual(c.decided[1].accepted, 1)
            XCTAssertEqual(c.state.pointee.ignored_answers, 3)
            XCTAssertEqual(c.state.pointee.dropped, 7)
            XCTAssertEqual(c.state.pointee.retransmissions, 2)
            XCTAssertEqual(c.state.pointee.requests, 4)
        }
    }

    /// Request ids keep counting across a reset, so an answer from before it never matches.
    func testIdsSurviveReset() throws {
        let c = try CCascade(Self.config(before: 2, after: 0, timeout: 5, retry: 5, channels: 1))
        c.frame([1]); c.frame([2])
        XCTAssertTrue(c.trigger(step: 0))
        XCTAssertEqual(c.sent.last?.id, 1)
        hk_cascade_reset(c.state)
        c.frame([3]); c.frame([4])
        XCTAssertTrue(c.trigger(step: 0))
        XCTAssertEqual(c.sent.last?.id, 2)
        XCTAssertEqual(c.sent.last?.window, [3, 4])
        XCTAssertFalse(c.answer(1, 100))
        XCTAssertTrue(c.answer(2, 100))
    }

    func testRefusesBadConfigurations() {
        var ring = [Int8](repeating: 0, count: 10_000)
        func initialise(_ cfg: hk_cascade_config_t, bytes: Int = 10_000) -> Int32 {
            var s = hk_cascade_t(), c = cfg
            return ring.withUnsafeMutableBufferPointer { hk_cascade_init(&s, &c, $0.baseAddress, bytes, nil, { _, _, _, _, _, _ in }, nil, nil) }
        }
        XCTAssertEqual(initialise(Self.config()), Int32(HK_CASCADE_OK))
        XCTAssertEqual(initialise(Self.config(), bytes: 180 * 40 + 49 * 40), Int32(HK_CASCADE_ERR_RING), "a server's ring also holds the timeout's frames")
        XCTAssertEqual(initialise(Self.config(timeout: 0)), Int32(HK_CASCADE_ERR_CONFIG))
        XCTAssertEqual(initialise(Self.config(before: 0)), Int32(HK_CASCADE_ERR_CONFIG))
        XCTAssertEqual(initialise(Self.config(placement: 7)), Int32(HK_CASCADE_ERR_CONFIG))
        XCTAssertEqual(initialise(Self.config(placement: Int32(HK_CASCADE_ON_DEVICE))), Int32(HK_CASCADE_ERR_NULL), "a device Judge needs its model")
        var cfg = Self.config()
        XCTAssertEqual(hk_cascade_ring_bytes(&cfg), (180 + 50) * 40)
        cfg.placement = Int32(HK_CASCADE_ON_DEVICE)
        XCTAssertEqual(hk_cascade_ring_bytes(&cfg), 180 * 40)
    }
}
