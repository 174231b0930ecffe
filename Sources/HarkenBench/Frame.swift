/// The benchmark protocol's frames (Firmware/bench/hk_bench_proto.h): a header
/// (type, seq, length), the payload and a CRC-32, COBS-encoded and delimited by 0x00.
public struct Frame: Equatable, Sendable {
    public var type: UInt8
    public var seq: UInt8
    public var payload: [UInt8]

    public init(type: UInt8, seq: UInt8, payload: [UInt8] = []) {
        self.type = type
        self.seq = seq
        self.payload = payload
    }

    public static let maxPayload = 1024

    public enum Command: UInt8, Sendable {
        case hello = 0x01, reset = 0x02, step = 0x03, run = 0x04, stats = 0x05, echo = 0x06
        /// The cascade firmware's (Firmware/include/harken/hk_bench_cascade.h): audio in, decisions
        /// out; the device's window chunks for a server Judge; the device Judge on one window; its settings.
        case feed = 0x08, judge = 0x09, judgeStep = 0x0A, cascade = 0x0B, feedFrames = 0x0C
        case boot = 0x7E, error = 0x7F
    }

    public static let reply: UInt8 = 0x80

    /// The decoded bytes: header, payload, CRC.
    public var bytes: [UInt8] {
        var b: [UInt8] = [type, seq, UInt8(payload.count & 0xFF), UInt8(payload.count >> 8)] + payload
        let crc = CRC32.checksum(b)
        b += [UInt8(crc & 0xFF), UInt8((crc >> 8) & 0xFF), UInt8((crc >> 16) & 0xFF), UInt8(crc >> 24)]
        return b
    }

    /// What goes on the wire: COBS of the bytes, then the 0x00 delimiter.
    public var encoded: [UInt8] { COBS.encode(bytes) + [0] }

    /// Parses decoded bytes; nil for a bad length or CRC.
    public init?(decoded b: [UInt8]) {
        guard b.count >= 8 else { return nil }
        let n = Int(b[2]) | Int(b[3]) << 8
        guard n <= Frame.maxPayload, b.count == 8 + n else { return nil }
        let crc = UInt32(b[4 + n]) | UInt32(b[5 + n]) << 8 | UInt32(b[6 + n]) << 16 | UInt32(b[7 + n]) << 24
        guard CRC32.checksum(b[0..<(4 + n)]) == crc else { return nil }
        self.init(type: b[0], seq: b[1], payload: Array(b[4..<(4 + n)]))
    }
}

/// CRC-32/ISO-HDLC (reflected polynomial 0xEDB88320).
public enum CRC32 {
    static let table: [UInt32] = (0..<256).map { i in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    public static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}

/// Consistent Overhead Byte Stuffing: no 0x00 inside a frame, so 0x00 delimits.
public enum COBS {
    public static func encode(_ input: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0]
        var codeAt = 0
        var code: UInt8 = 1
        for byte in input {
            if byte == 0 {
                out[codeAt] = code
                codeAt = out.count
                out.append(0)
                code = 1
            } else {
                out.append(byte)
                code += 1
                if code == 0xFF {
                    out[codeAt] = code
                    codeAt = out.count
                    out.append(0)
                    code = 1
                }
            }
        }
        out[codeAt] = code
        return out
    }

    /// Nil when the block is not valid COBS.
    public static func decode(_ input: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        var i = 0
        while i < input.count {
            let code = Int(input[i])
            let end = i + code
            guard code != 0, end <= input.count else { return nil }
            for j in (i + 1)..<end {
                guard input[j] != 0 else { return nil }
                out.append(input[j])
            }
            i = end
            if code != 0xFF && i < input.count { out.append(0) }
        }
        return out
    }
}

/// Splits a byte stream at 0x00 delimiters into frames; garbage is skipped up to
/// the next delimiter, so the reader resynchronises after any fault.
public struct FrameDecoder: Sendable {
    private var block: [UInt8] = []
    private var overflow = false
    public private(set) var rejected = 0

    public init() {}

    public mutating func feed(_ byte: UInt8) -> Frame? {
        guard byte == 0 else {
            if block.count < 2 * (Frame.maxPayload + 16) { block.append(byte) } else { overflow = true }
            return nil
        }
        defer { block.removeAll(keepingCapacity: true); overflow = false }
        if block.isEmpty { return nil }
        guard !overflow, let decoded = COBS.decode(block), let frame = Frame(decoded: decoded) else {
            rejected += 1
            return nil
        }
        return frame
    }
}
