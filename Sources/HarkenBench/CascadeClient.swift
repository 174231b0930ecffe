// CascadeClient.swift: the host side of a cascade firmware (hk_bench_cascade.h). The host streams
// audio (FEED), so the device's clock, its feature frames, advances only as the host feeds it;
// the device's windows for a server Judge go through a JudgeRelay and its answers come back
// `latencyFrames` frames of audio later (0: before the next audio). Decisions arrive in the FEED
// replies, which the bench protocol retries, so none is lost to a bad link.

import Foundation

public final class CascadeClient {
    public let bench: BenchClient
    /// nil for a device Judge (windows from the device are then an error).
    public let relay: JudgeRelay?
    /// Frames of audio between a window's arrival and its answer reaching the device: a server's
    /// latency on the device's clock.
    public var latencyFrames = 0
    /// Samples per FEED (at most Frame.maxPayload / 2); 480 is one 30 ms Sentry step. An answer
    /// reaches the device between FEEDs, so this is also the resolution of the device's clock
    /// as the host paces it.
    public var samplesPerFeed = 480
    /// Feature frames per FEED_FRAMES, likewise.
    public var framesPerFeed = 3

    public private(set) var decisions: [DeviceDecision] = []
    public private(set) var totals = CascadeTotals()
    private var delayed: [(due: Int, answer: JudgeAnswer)] = []
    private var unexpected: [String] = []

    public init(link: Link, name: String, relay: JudgeRelay?, timeout: Double = 2, attempts: Int = 3) {
        bench = BenchClient(link: link, name: name, timeout: timeout, attempts: attempts)
        self.relay = relay
        bench.unsolicited = { [unowned self] frame in try self.fromDevice(frame) }
    }

    private func fromDevice(_ frame: Frame) throws {
        guard frame.type == Frame.Command.judge.rawValue else { return }
        guard let relay else {
            unexpected.append("a Judge request from a device whose Judge should be on the device")
            return
        }
        guard let answer = relay.receive(frame) else { return }
        if latencyFrames == 0 {
            try bench.link.write([0] + answer.frame.encoded)
        } else {
            delayed.append((totals.frames + latencyFrames, answer))
        }
    }

    /// Sends the answers whose time has come on the device's clock.
    private func releaseAnswers() throws {
        let due = delayed.filter { $0.due <= totals.frames }
        delayed.removeAll { $0.due <= totals.frames }
        for d in due { try bench.link.write([0] + d.answer.frame.encoded) }
    }

    public func info() throws -> CascadeInfo {
        let p = try bench.request(.cascade)
        guard let info = CascadeInfo(p) else {
            throw BenchError.badReply(command: "CASCADE", expected: "placement, fallback, window, timeout, cutoff and sizes (\(p.count) bytes)")
        }
        return info
    }

    /// The device's wake app and cascade back to their start (request ids keep counting).
    public func reset() throws {
        try bench.reset()
        relay?.reset()
        decisions = []
        totals = CascadeTotals()
        delayed = []
    }

    /// Streams audio through the device (its frontend, Sentry and cascade), collecting its decisions.
    public func feed(_ samples: [Int16]) throws {
        let n = max(1, min(samplesPerFeed, Frame.maxPayload / 2))
        for start in stride(from: 0, to: samples.count, by: n) {
            var payload: [UInt8] = []
            payload.reserveCapacity(2 * n)
            for s in samples[start..<min(start + n, samples.count)] {
                let u = UInt16(bitPattern: s)
                payload += [UInt8(u & 0xFF), UInt8(u >> 8)]
            }
            try send(.feed, payload)
        }
    }

    /// Streams int8 feature frames (a recording's, as `Simulator.pass` keeps them) past the
    /// device's frontend: the same cascade for an eighth of the link's bytes.
    public func feed(features: [Int8], channels: Int) throws {
        let perFeed = max(1, min(framesPerFeed, Frame.maxPayload / max(channels, 1))) * channels
        for start in stride(from: 0, to: features.count - features.count % channels, by: perFeed) {
            try send(.feedFrames, features[start..<min(start + perFeed, features.count - features.count % channels)].map { UInt8(bitPattern: $0) })
        }
    }

    private func send(_ command: Frame.Command, _ payload: [UInt8]) throws {
        try releaseAnswers()
        let p = try bench.request(command, payload)
        guard let reply = FeedReply(p) else {
            throw BenchError.badReply(command: "\(command)", expected: "totals and decisions (\(p.count) bytes)")
        }
        totals = reply.totals
        decisions += reply.decisions
        guard decisions.count == totals.decisions else {
            throw BenchError.mismatch("\(bench.name): the device made \(totals.decisions) decisions, \(decisions.count) reached the host")
        }
        if let problem = unexpected.first { throw BenchError.mismatch("\(bench.name): \(problem)") }
    }

    /// The device Judge on one window: its cycle count and output bytes.
    public func judgeStep(_ window: [Int8]) throws -> (cycles: UInt32, output: [UInt8]) {
        let bytes = window.map { UInt8(bitPattern: $0) }
        let chunk = Frame.maxPayload - 4
        var last: [UInt8] = []
        for o in stride(from: 0, to: bytes.count, by: chunk) {
            let part = bytes[o..<min(o + chunk, bytes.count)]
            last = try bench.request(.judgeStep, [UInt8(o & 0xFF), UInt8(o >> 8), UInt8(bytes.count & 0xFF), UInt8(bytes.count >> 8)] + part)
        }
        var r = Reader(last)
        guard let cycles = r.u32(), last.count > 4 else {
            throw BenchError.badReply(command: "JUDGE_STEP", expected: "cycles and the Judge's output, got \(last.count) bytes")
        }
        return (cycles, Array(last[4...]))
    }
}
