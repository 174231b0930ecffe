import Foundation

/// What the device says about itself (the HELLO reply).
public struct DeviceInfo: Codable, Sendable, Equatable {
    public var version: Int
    public var cpuHz: UInt32
    public var inputBytes: Int
    public var outputBytes: Int
    public var arenaBytes: Int
    public var stateBytes: Int
    public var weightBytes: Int
    public var board: String
    public var model: String

    init?(_ p: [UInt8]) {
        var r = Reader(p)
        guard let v = r.u8(), let hz = r.u32(), let i = r.u32(), let o = r.u32(), let a = r.u32(), let s = r.u32(),
              let w = r.u32(), let board = r.string(), let model = r.string() else { return nil }
        (version, cpuHz, inputBytes, outputBytes, arenaBytes, stateBytes, weightBytes) = (Int(v), hz, Int(i), Int(o), Int(a), Int(s), Int(w))
        self.board = board
        self.model = model
    }
}

public struct DeviceStats: Codable, Sendable, Equatable {
    public var stackUsedBytes: Int
    public var stackBytes: Int
    public var staticRamBytes: Int
    public var flashBytes: Int
}

struct Reader {
    var bytes: [UInt8]
    var at = 0
    init(_ b: [UInt8]) { bytes = b }
    mutating func u8() -> UInt8? { guard at < bytes.count else { return nil }; defer { at += 1 }; return bytes[at] }
    mutating func u32() -> UInt32? {
        guard at + 4 <= bytes.count else { return nil }
        defer { at += 4 }
        return (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[at + $1]) << (8 * UInt32($1)) }
    }
    mutating func u64() -> UInt64? {
        guard let lo = u32(), let hi = u32() else { return nil }
        return UInt64(lo) | UInt64(hi) << 32
    }
    mutating func string() -> String? {
        guard let n = u8(), at + Int(n) <= bytes.count else { return nil }
        defer { at += Int(n) }
        return String(decoding: bytes[at..<(at + Int(n))], as: UTF8.self)
    }
}

/// Request/response over a link: sequence numbers, timeouts, retries, and
/// detection of a device that reset (a BOOT frame) in the middle of a run.
public final class BenchClient {
    public let link: Link
    public let name: String
    public var timeout: Double
    public var attempts: Int
    private var decoder = FrameDecoder()
    private var seq: UInt8 = 0
    public private(set) var retries = 0
    /// Frames the device sends of its own accord (the cascade's Judge requests) while a reply is
    /// awaited; without a handler they are skipped.
    public var unsolicited: ((Frame) throws -> Void)?

    public init(link: Link, name: String, timeout: Double = 2, attempts: Int = 3) {
        self.link = link
        self.name = name
        self.timeout = timeout
        self.attempts = attempts
    }

    /// Sends a request and returns the payload of its reply.
    /// A retry repeats the sequence number: the device answers a repeated request
    /// from its copy of the last reply instead of running it again.
    public func request(_ command: Frame.Command, _ payload: [UInt8] = []) throws -> [UInt8] {
        seq = seq == 255 ? 1 : seq + 1
        let frame = Frame(type: command.rawValue, seq: seq, payload: payload)
        for attempt in 1...max(1, attempts) {
            // A leading delimiter ends any partial frame the device may be holding.
            try link.write([0] + frame.encoded)
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                for byte in try link.read(timeout: deadline.timeIntervalSinceNow) {
                    guard let reply = decoder.feed(byte) else { continue }
                    if reply.type == Frame.Command.boot.rawValue { throw BenchError.deviceReset(command: "\(command)") }
                    // Replies carry the reply bit (ERROR aside); anything else is the device's own request.
                    if reply.type & Frame.reply == 0 && reply.type != Frame.Command.error.rawValue {
                        try unsolicited?(reply)
                        continue
                    }
                    guard reply.seq == seq else { continue }   // a late answer to an earlier attempt
                    if reply.type == Frame.Command.error.rawValue {
                        throw BenchError.deviceError(command: "\(command)", code: reply.payload.first ?? 0)
                    }
                    guard reply.type == command.rawValue | Frame.reply else { continue }
                    return reply.payload
                }
            }
            if attempt < attempts { retries += 1 }
        }
        throw BenchError.noAnswer(port: name, command: "\(command)", attempts: attempts, seconds: timeout)
    }

    /// Waits for the device's boot frame (after it was started or reset); returns its identity.
    public func waitForBoot(seconds: Double) throws -> DeviceInfo? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            for byte in try link.read(timeout: deadline.timeIntervalSinceNow) {
                if let f = decoder.feed(byte), f.type == Frame.Command.boot.rawValue { return DeviceInfo(f.payload) }
            }
        }
        return nil
    }

    /// The first request: a device that is only now booting announces itself with a
    /// boot frame, which here means "ask again" rather than "reset mid-run".
    public func hello() throws -> DeviceInfo {
        let p: [UInt8]
        do { p = try request(.hello) } catch BenchError.deviceReset { p = try request(.hello) }
        guard let info = DeviceInfo(p) else { throw BenchError.badReply(command: "HELLO", expected: "version, sizes, board and model names") }
        return info
    }

    public func reset() throws { _ = try request(.reset) }

    /// One inference: the device's cycle count and output bytes.
    public func step(_ input: [UInt8], outputBytes: Int) throws -> (cycles: UInt32, output: [UInt8]) {
        let p = try request(.step, input)
        var r = Reader(p)
        guard let cycles = r.u32(), p.count == 4 + outputBytes else {
            throw BenchError.badReply(command: "STEP", expected: "4 + \(outputBytes) bytes, got \(p.count)")
        }
        return (cycles, Array(p[4...]))
    }

    public func stats() throws -> DeviceStats {
        var r = Reader(try request(.stats))
        guard let a = r.u32(), let b = r.u32(), let c = r.u32(), let d = r.u32() else {
            throw BenchError.badReply(command: "STATS", expected: "four u32 values")
        }
        return DeviceStats(stackUsedBytes: Int(a), stackBytes: Int(b), staticRamBytes: Int(c), flashBytes: Int(d))
    }

    public func echo(_ payload: [UInt8]) throws -> [UInt8] { try request(.echo, payload) }
}
