// CascadeWire.swift: the cascade firmware's payloads on the bench link (hk_bench_proto.h's FEED,
// JUDGE, JUDGE_STEP and CASCADE), parsed and built here so the relay and the client share them.

import Foundation

/// One trigger as the device decided it (hk_cascade_decision_t).
public struct DeviceDecision: Codable, Sendable, Equatable {
    public var id: UInt32
    public var triggerStep: Int
    /// The last frame of the step that fired, and the frame during or after which the decision came.
    public var triggerFrame: Int
    public var decidedFrame: Int
    /// The detector's window sum when it fired (the mean is sum / (256 · window)).
    public var sentrySum: Int
    /// The Judge's probability · 65536 (floored); 0 when not judged.
    public var scoreQ16: UInt16
    /// false: no answer in time, the fallback decided.
    public var judged: Bool
    public var accepted: Bool

    public static let bytes = 24

    init?(_ r: inout Reader) {
        guard let id = r.u32(), let step = r.u32(), let trigger = r.u32(), let decided = r.u32(), let sum = r.u32(),
              let lo = r.u8(), let hi = r.u8(), let flags = r.u8(), r.u8() != nil else { return nil }
        self.id = id
        (triggerStep, triggerFrame, decidedFrame, sentrySum) = (Int(step), Int(trigger), Int(decided), Int(Int32(bitPattern: sum)))
        scoreQ16 = UInt16(lo) | UInt16(hi) << 8
        judged = flags & 1 != 0
        accepted = flags & 2 != 0
    }

    public init(id: UInt32, triggerStep: Int, triggerFrame: Int, decidedFrame: Int, sentrySum: Int, scoreQ16: UInt16, judged: Bool, accepted: Bool) {
        self.id = id; self.triggerStep = triggerStep; self.triggerFrame = triggerFrame; self.decidedFrame = decidedFrame
        self.sentrySum = sentrySum; self.scoreQ16 = scoreQ16; self.judged = judged; self.accepted = accepted
    }

    /// The Judge's probability, nil when the fallback decided.
    public var score: Double? { judged ? Double(scoreQ16) / 65536 : nil }
}

/// The device's running totals since reset, as every FEED reply carries them.
public struct CascadeTotals: Codable, Sendable, Equatable {
    public var frames = 0
    public var steps = 0
    /// Sentry detections, taken or dropped.
    public var detections = 0
    public var decisions = 0
    /// Triggers that came while a decision was pending.
    public var dropped = 0
    /// Windows sent to the host, retransmissions included.
    public var requests = 0
    public var retransmissions = 0
    /// Late, duplicate or unknown answers the device ignored.
    public var ignoredAnswers = 0

    public init() {}
}

/// The FEED reply: totals and the decisions made since the previous reply.
public struct FeedReply: Sendable, Equatable {
    public var totals: CascadeTotals
    public var decisions: [DeviceDecision]

    public init?(_ p: [UInt8]) {
        var r = Reader(p)
        var t = CascadeTotals()
        guard let f = r.u32(), let s = r.u32(), let d = r.u32(), let n = r.u32(), let dr = r.u32(), let rq = r.u32(),
              let rt = r.u32(), let ig = r.u32(), let count = r.u8() else { return nil }
        (t.frames, t.steps, t.detections, t.decisions) = (Int(f), Int(s), Int(d), Int(n))
        (t.dropped, t.requests, t.retransmissions, t.ignoredAnswers) = (Int(dr), Int(rq), Int(rt), Int(ig))
        totals = t
        decisions = []
        for _ in 0..<count {
            guard let d = DeviceDecision(&r) else { return nil }
            decisions.append(d)
        }
        guard r.at == p.count else { return nil }
    }
}

/// What the cascade firmware was built with (the CASCADE reply).
public struct CascadeInfo: Codable, Sendable, Equatable {
    /// "device" or "server".
    public var placement: String
    public var fallback: String
    public var channels: Int
    public var framesBefore: Int
    public var framesAfter: Int
    public var timeoutFrames: Int
    public var retryFrames: Int
    public var cutoffQ16: Int
    public var ringBytes: Int
    /// The device Judge's sizes (0 for a server Judge).
    public var judgeInputBytes: Int
    public var judgeArenaBytes: Int
    public var judgeWeightBytes: Int

    public var windowBytes: Int { (framesBefore + framesAfter) * channels }

    init?(_ p: [UInt8]) {
        var r = Reader(p)
        func u16() -> Int? { guard let lo = r.u8(), let hi = r.u8() else { return nil }; return Int(lo) | Int(hi) << 8 }
        guard let pl = r.u8(), let fb = r.u8(), let ch = u16(), let before = u16(), let after = u16(), let timeout = u16(),
              let retry = u16(), let cutoff = r.u32(), let ring = r.u32(), let input = r.u32(), let arena = r.u32(),
              let weights = r.u32(), r.at == p.count else { return nil }
        placement = pl == 0 ? "device" : "server"
        fallback = fb == 0 ? "fail-open" : "fail-closed"
        (channels, framesBefore, framesAfter, timeoutFrames, retryFrames) = (ch, before, after, timeout, retry)
        cutoffQ16 = Int(Int32(bitPattern: cutoff))
        (ringBytes, judgeInputBytes, judgeArenaBytes, judgeWeightBytes) = (Int(ring), Int(input), Int(arena), Int(weights))
    }
}

/// One chunk of a window the device sends its server Judge (JUDGE).
public struct JudgeChunk: Sendable, Equatable {
    public var id: UInt32
    public var offset: Int
    public var total: Int
    public var bytes: [UInt8]

    public static let headerBytes = 8
    public static let maxBytes = Frame.maxPayload - headerBytes

    public init?(_ f: Frame) {
        guard f.type == Frame.Command.judge.rawValue else { return nil }
        var r = Reader(f.payload)
        guard let id = r.u32(), let o0 = r.u8(), let o1 = r.u8(), let t0 = r.u8(), let t1 = r.u8() else { return nil }
        self.id = id
        offset = Int(o0) | Int(o1) << 8
        total = Int(t0) | Int(t1) << 8
        bytes = Array(f.payload[JudgeChunk.headerBytes...])
        guard offset + bytes.count <= total, !bytes.isEmpty else { return nil }
    }

    /// A window as the device sends it (for fakes and tests).
    public static func frames(id: UInt32, window: [UInt8]) -> [Frame] {
        stride(from: 0, to: window.count, by: maxBytes).map { o in
            let part = window[o..<min(o + maxBytes, window.count)]
            var p = le32(id)
            p += [UInt8(o & 0xFF), UInt8(o >> 8), UInt8(window.count & 0xFF), UInt8(window.count >> 8)]
            return Frame(type: Frame.Command.judge.rawValue, seq: UInt8(id & 0xFF), payload: p + part)
        }
    }
}

/// The host's answer to a window: the Judge's probability as score_q16 (p · 65536, floored).
public struct JudgeAnswer: Sendable, Equatable {
    public var id: UInt32
    public var scoreQ16: UInt16

    public init(id: UInt32, scoreQ16: UInt16) { self.id = id; self.scoreQ16 = scoreQ16 }

    public init?(_ f: Frame) {
        guard f.type == Frame.Command.judge.rawValue | Frame.reply, f.payload.count == 6 else { return nil }
        var r = Reader(f.payload)
        id = r.u32()!
        scoreQ16 = UInt16(f.payload[4]) | UInt16(f.payload[5]) << 8
    }

    public var frame: Frame {
        Frame(type: Frame.Command.judge.rawValue | Frame.reply, seq: UInt8(id & 0xFF),
              payload: le32(id) + [UInt8(scoreQ16 & 0xFF), UInt8(scoreQ16 >> 8)])
    }

    /// p · 65536 floored into 0...65535 (p = 1 saturates at 65535); nil for NaN or a value outside 0...1.
    public static func scoreQ16(_ p: Double) -> UInt16? {
        guard p.isFinite, p >= 0, p <= 1 else { return nil }
        return UInt16(min(65535, Int((p * 65536).rounded(.down))))
    }
}

func le32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)] }
