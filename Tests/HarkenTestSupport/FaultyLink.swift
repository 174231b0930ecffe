import Foundation
import HarkenBench

/// A link between the host and a device that damages chosen frames on their way, as a bad serial
/// line would: it sees whole frames (it splits each direction at the 0x00 delimiters), so a fault
/// hits the frame it names and nothing else.
public final class FaultyLink: Link {
    public enum Fault: Equatable, Sendable {
        /// Noise with delimiters in it before every frame, both ways.
        case garbage
        /// One byte of the device's first `n` JUDGE chunks lost.
        case dropByteInJudgeRequests(Int)
        /// A flipped byte (a CRC error) in the host's first `n` Judge answers.
        case corruptAnswers(Int)
        /// A flipped byte in the device's first `n` FEED replies (the host retries the FEED).
        case corruptFeedReplies(Int)
    }

    public let inner: Link
    public var faults: [Fault]
    /// How many frames each fault damaged.
    public private(set) var injected: [String: Int] = [:]
    private var incoming: [UInt8] = []
    private var ready: [UInt8] = []

    public static let noise: [UInt8] = [0x13, 0x00, 0xFF, 0x7E, 0x00, 0x55, 0x01, 0x02, 0x00]

    public init(_ inner: Link, faults: [Fault]) {
        self.inner = inner
        self.faults = faults
    }

    private func count(_ name: String, limit: Int) -> Bool {
        guard injected[name, default: 0] < limit else { return false }
        injected[name, default: 0] += 1
        return true
    }

    private static func frame(_ block: [UInt8]) -> Frame? { COBS.decode(block).flatMap { Frame(decoded: $0) } }

    /// Changes one byte near the end (the CRC) without making it a delimiter.
    private static func damage(_ b: inout [UInt8]) {
        let i = b.count - 2
        b[i] = b[i] == 0xFF ? 0xFE : b[i] + 1
    }

    public func write(_ bytes: [UInt8]) throws {
        var out: [UInt8] = []
        for block in bytes.split(separator: 0, omittingEmptySubsequences: false).map(Array.init) {
            var b = block
            if !b.isEmpty, let f = FaultyLink.frame(b) {
                if faults.contains(.garbage) { out += FaultyLink.noise; injected["garbage", default: 0] += 1 }
                for case .corruptAnswers(let n) in faults where f.type == Frame.Command.judge.rawValue | Frame.reply && count("corrupt_answer", limit: n) {
                    FaultyLink.damage(&b)
                }
            }
            out += b + [0]
        }
        out.removeLast()   // split gave one block more than there were delimiters
        try inner.write(out)
    }

    public func read(timeout: Double) throws -> [UInt8] {
        let deadline = Date().addingTimeInterval(timeout)
        while ready.isEmpty {
            let got = try inner.read(timeout: max(0, deadline.timeIntervalSinceNow))
            incoming += got
            while let end = incoming.firstIndex(of: 0) {
                var block = Array(incoming[..<end])
                incoming.removeSubrange(...end)
                if !block.isEmpty, let f = FaultyLink.frame(block) {
                    if faults.contains(.garbage) { ready += FaultyLink.noise }
                    for fault in faults {
                        switch fault {
                        case .dropByteInJudgeRequests(let n) where f.type == Frame.Command.judge.rawValue && count("drop_byte", limit: n):
                            block.remove(at: block.count / 2)
                        case .corruptFeedReplies(let n) where (f.type == Frame.Command.feed.rawValue | Frame.reply || f.type == Frame.Command.feedFrames.rawValue | Frame.reply)
                                                             && count("corrupt_feed_reply", limit: n):
                            FaultyLink.damage(&block)
                        default: break
                        }
                    }
                }
                ready += block + [0]
            }
            if got.isEmpty || Date() >= deadline { break }
        }
        defer { ready = [] }
        return ready
    }
}
