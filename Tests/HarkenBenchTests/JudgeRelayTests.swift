import Foundation
import HarkenBench
import HarkenSupport
import HarkenTestSupport
import XCTest

/// The host's relay between a device's cascade and its Judge, frames in and frames out.
final class JudgeRelayTests: XCTestCase {
    let window: [UInt8] = (0..<7200).map { UInt8(($0 * 7 + $0 / 40) & 0xFF) }

    final class Counter { var n = 0 }

    func relay(windowBytes: Int? = 7200, calls: Counter = Counter(), fail: Bool = false) -> JudgeRelay {
        JudgeRelay(windowBytes: windowBytes) { w in
            calls.n += 1
            if fail { throw BenchError.mismatch("the Judge is down") }
            return Double(w.reduce(0) { $0 + Int($1) } & 0xFF) / 256
        }
    }

    var score: UInt16 { UInt16((window.map { Int(Int8(bitPattern: $0)) }.reduce(0, +) & 0xFF) << 8) }

    /// A window in 8 chunks, in any order, is scored once and answered with its id; the answer's
    /// wire form is what the device parses.
    func testAssemblesChunksInAnyOrder() {
        let chunks = JudgeChunk.frames(id: 7, window: window)
        XCTAssertEqual(chunks.count, 8)
        XCTAssertTrue(chunks.allSatisfy { $0.payload.count <= Frame.maxPayload && $0.seq == 7 })
        let calls = Counter()
        let r = relay(calls: calls)
        var rng = SplitMix64(seed: 5)
        var order = Array(chunks.indices)
        for i in order.indices.reversed() { order.swapAt(i, rng.below(i + 1)) }
        var answers: [JudgeAnswer] = []
        for i in order { if let a = r.receive(chunks[i]) { answers.append(a) } }
        XCTAssertEqual(answers, [JudgeAnswer(id: 7, scoreQ16: score)])
        XCTAssertEqual(calls.n, 1)
        let wire = answers[0].frame
        XCTAssertEqual(wire.type, Frame.Command.judge.rawValue | Frame.reply)
        XCTAssertEqual(wire.seq, 7)
        XCTAssertEqual(wire.payload, [7, 0, 0, 0, UInt8(score & 0xFF), UInt8(score >> 8)])
        XCTAssertEqual(JudgeAnswer(wire), answers[0])
    }

    /// A lost chunk: no answer until the device sends the window again; then one answer, and
    /// another only for a whole further copy (its answer was lost too), never a second Judge call.
    func testRetransmissionsAreAnsweredFromMemory() {
        let chunks = JudgeChunk.frames(id: 3, window: window)
        let calls = Counter()
        let r = relay(calls: calls)
        XCTAssertTrue(chunks.dropFirst().compactMap { r.receive($0) }.isEmpty)
        XCTAssertEqual(chunks.compactMap { r.receive($0) }, [JudgeAnswer(id: 3, scoreQ16: score)], "completed by the copy's first chunk")
        XCTAssertEqual(chunks.compactMap { r.receive($0) }, [JudgeAnswer(id: 3, scoreQ16: score)], "a whole new copy")
        XCTAssertEqual(calls.n, 1)
        XCTAssertEqual(r.repeats, 1)
        XCTAssertEqual(r.answers, 2)
        // After a reset (the device rebooted), id 3 is a new request.
        r.reset()
        XCTAssertEqual(chunks.compactMap { r.receive($0) }.count, 1)
        XCTAssertEqual(calls.n, 2)
    }

    /// A Judge that fails, a window of the wrong size, a chunk with a bad header: no answer (the
    /// device's fallback decides), and the reason is kept.
    func testFailuresGetNoAnswer() {
        let down = relay(fail: true)
        XCTAssertTrue(JudgeChunk.frames(id: 1, window: window).compactMap { down.receive($0) }.isEmpty)
        XCTAssertTrue(down.failures.first?.contains("the Judge failed") ?? false, "\(down.failures)")
        let sized = relay(windowBytes: 7200)
        XCTAssertTrue(JudgeChunk.frames(id: 2, window: Array(window.prefix(4000))).compactMap { sized.receive($0) }.isEmpty)
        XCTAssertTrue(sized.failures.first?.contains("4000-byte window, the Judge reads 7200") ?? false, "\(sized.failures)")
        XCTAssertNil(sized.receive(Frame(type: Frame.Command.judge.rawValue, seq: 0, payload: [1, 2, 3])))
        XCTAssertNil(sized.receive(Frame(type: Frame.Command.judge.rawValue, seq: 0, payload: [1, 0, 0, 0, 0x10, 0, 0x10, 0, 9])),
                     "a chunk past the window's end")
        XCTAssertEqual(sized.failures.count, 4 + 2, "one per chunk of the wrong window, and the two bad chunks")
    }

    func testScoresAreFlooredToTheDeviceScale() {
        XCTAssertEqual(JudgeAnswer.scoreQ16(0), 0)
        XCTAssertEqual(JudgeAnswer.scoreQ16(0.5), 32768)
        XCTAssertEqual(JudgeAnswer.scoreQ16(0.999999), 65535)
        XCTAssertEqual(JudgeAnswer.scoreQ16(1), 65535)
        XCTAssertNil(JudgeAnswer.scoreQ16(.nan))
        XCTAssertNil(JudgeAnswer.scoreQ16(1.5))
        XCTAssertNil(JudgeAnswer.scoreQ16(-0.1))
    }

    /// The FEED reply as hk_bench_cascade.c writes it: eight totals, then the decisions.
    func testFeedReplyParses() {
        func u32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        let totals: [UInt32] = [30, 10, 2, 1, 1, 3, 2, 4]
        var p: [UInt8] = totals.flatMap { u32($0) } + [1]
        p += u32(9) + u32(61) + u32(185) + u32(215) + u32(UInt32(bitPattern: -5))
        p += [0x00, 0x80, 0x03, 0x00]
        let reply = FeedReply(p)
        XCTAssertEqual(reply?.totals.frames, 30)
        XCTAssertEqual(reply?.totals.ignoredAnswers, 4)
        XCTAssertEqual(reply?.decisions, [DeviceDecision(id: 9, triggerStep: 61, triggerFrame: 185, decidedFrame: 215, sentrySum: -5,
                                                         scoreQ16: 0x8000, judged: true, accepted: true)])
        XCTAssertEqual(reply?.decisions.first?.score, 0.5)
        XCTAssertNil(FeedReply(Array(p.dropLast())), "a cut reply")
        XCTAssertNil(FeedReply(p + [0]), "bytes past the decisions")
    }
}
