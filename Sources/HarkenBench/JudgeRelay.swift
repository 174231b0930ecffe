// JudgeRelay.swift: the host between a device's cascade and a Judge that is not on the device.
// The device sends each trigger's window as JUDGE chunks; the relay puts the chunks together,
// scores the window with whatever Judge it was given (in process, or `harken judge serve` through
// a RemoteJudge) and answers with the request's id. A protocol core apart from its transport:
// frames in, frames out; CascadeClient moves them over a link.

import Foundation

public final class JudgeRelay {
    /// The Judge: one window (int8 features, frame-major) to its probability.
    public typealias Score = ([Int8]) throws -> Double

    public let score: Score
    /// Bytes a window must have (frames · channels of the Judge); nil takes any size.
    public let windowBytes: Int?

    /// Windows scored (Judge calls), answers sent (repeats included), and what went wrong.
    public private(set) var judged = 0
    public private(set) var answers = 0
    public private(set) var repeats = 0
    public private(set) var failures: [String] = []

    private struct Assembly {
        var total: Int
        var bytes: [UInt8]
        var chunks: [Int: Int] = [:]   // offset -> length
        var covered: Int { chunks.values.reduce(0, +) }
    }
    private var assembling: [UInt32: Assembly] = [:]
    /// Recent answers by id, with the chunks of the window seen since: a whole new copy of an
    /// answered window (the device sent it again, so the answer was lost) is answered again
    /// without calling the Judge a second time.
    private struct Answered {
        var id: UInt32
        var score: UInt16
        var since: [Int: Int] = [:]   // offset -> length
    }
    private var answered: [Answered] = []
    private static let remembered = 32

    public init(windowBytes: Int? = nil, score: @escaping Score) {
        self.windowBytes = windowBytes
        self.score = score
    }

    /// The device restarted (BOOT): its request ids start again, so nothing it said before counts.
    public func reset() {
        assembling.removeAll()
        answered.removeAll()
    }

    /// Takes one frame from the device; returns the answer to send when it completes a window (or
    /// ends a retransmission of a window already answered). A window the Judge fails on gets no
    /// answer: the device's fallback decides when its timeout passes.
    public func receive(_ frame: Frame) -> JudgeAnswer? {
        guard let chunk = JudgeChunk(frame) else {
            if frame.type == Frame.Command.judge.rawValue { failures.append("a JUDGE frame with a bad header (\(frame.payload.count) bytes)") }
            return nil
        }
        if let windowBytes, chunk.total != windowBytes {
            failures.append("request \(chunk.id): a \(chunk.total)-byte window, the Judge reads \(windowBytes)")
            return nil
        }
        if let k = answered.lastIndex(where: { $0.id == chunk.id }) {
            // The rest of the copy that completed the window, or a new copy: the answer did not
            // reach the device. Answer once per whole new copy.
            answered[k].since[chunk.offset] = chunk.bytes.count
            guard answered[k].since.values.reduce(0, +) >= chunk.total else { return nil }
            answered[k].since = [:]
            repeats += 1
            answers += 1
            return JudgeAnswer(id: chunk.id, scoreQ16: answered[k].score)
        }
        var a = assembling[chunk.id] ?? Assembly(total: chunk.total, bytes: [UInt8](repeating: 0, count: chunk.total))
        guard a.total == chunk.total else {
            failures.append("request \(chunk.id): its chunks disagree on the window's size")
            assembling[chunk.id] = nil
            return nil
        }
        a.bytes.replaceSubrange(chunk.offset..<(chunk.offset + chunk.bytes.count), with: chunk.bytes)
        a.chunks[chunk.offset] = chunk.bytes.count
        guard a.covered >= a.total else {
            assembling[chunk.id] = a
            return nil
        }
        assembling[chunk.id] = nil
        // Windows of older requests that never completed will not: the device has moved on.
        assembling = assembling.filter { $0.key > chunk.id }
        let p: Double
        do {
            judged += 1
            p = try score(a.bytes.map { Int8(bitPattern: $0) })
        } catch {
            failures.append("request \(chunk.id): the Judge failed: \(error)")
            return nil
        }
        guard let q = JudgeAnswer.scoreQ16(p) else {
            failures.append("request \(chunk.id): the Judge answered \(p), not a probability")
            return nil
        }
        answered.append(Answered(id: chunk.id, score: q))
        if answered.count > JudgeRelay.remembered { answered.removeFirst() }
        answers += 1
        return JudgeAnswer(id: chunk.id, scoreQ16: q)
    }
}
