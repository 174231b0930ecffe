// WindowDecoding.swift: a request body as one window of int8 features, or an error naming what is
// wrong and where. Binary bodies are the window's bytes; JSON bodies are {"features": [...]}, flat
// (frames × channels integers, frame-major) or one array per frame. JSON is read by a strict scanner
// of its own, so that every error names its byte offset and the element (features[812]), floats
// and NaN are told apart from integers, and nesting depth is bounded.

import Foundation

enum WindowDecoding {
    /// The window in a binary body.
    static func binary(_ body: [UInt8], frames: Int, channels: Int) throws -> [Int8] {
        guard body.count == frames * channels else {
            throw JudgeServerError.binaryLength(got: body.count, expected: frames * channels, frames: frames, channels: channels)
        }
        return body.map { Int8(bitPattern: $0) }
    }

    /// The window in a JSON body.
    static func json(_ body: [UInt8], frames: Int, channels: Int) throws -> [Int8] {
        var s = JSONScanner(bytes: body)
        return try s.document(frames: frames, channels: channels)
    }
}

/// Just enough of JSON (RFC 8259) to read one object and skip what it does not need.
struct JSONScanner {
    let bytes: [UInt8]
    var i = 0
    static let maxDepth = 32

    init(bytes: [UInt8]) { self.bytes = bytes }

    func fail(_ reason: String, at offset: Int? = nil) -> JudgeServerError { .json(offset: offset ?? i, reason: reason) }

    var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

    mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    mutating func expect(_ c: UInt8, _ what: String) throws {
        skipSpace()
        guard peek == c else { throw fail("expected \(what), found \(found())") }
        i += 1
    }

    /// What stands at the cursor, for messages.
    func found() -> String {
        guard let c = peek else { return "the end of the body" }
        if c >= 0x20 && c < 0x7F { return "'\(Character(UnicodeScalar(c)))'" }
        return String(format: "byte 0x%02X", c)
    }

    mutating func document(frames: Int, channels: Int) throws -> [Int8] {
        skipSpace()
        guard !bytes.isEmpty else { throw fail("the body is empty; expected {\"features\": [...]}") }
        guard peek == UInt8(ascii: "{") else { throw fail("expected a JSON object {\"features\": [...]}, found \(found())") }
        i += 1
        var window: [Int8]?
        skipSpace()
        if peek == UInt8(ascii: "}") { i += 1 } else {
            while true {
                skipSpace()
                let keyAt = i
                guard peek == UInt8(ascii: "\"") else { throw fail("expected a field name in quotes, found \(found())") }
                let key = try string()
                try expect(UInt8(ascii: ":"), "':' after \"\(key)\"")
                if key == "features" {
                    guard window == nil else { throw fail("the field features appears twice", at: keyAt) }
                    window = try features(frames: frames, channels: channels)
                } else {
                    try skipValue(depth: 1)
                }
                skipSpace()
                if peek == UInt8(ascii: ",") { i += 1; continue }
                if peek == UInt8(ascii: "}") { i += 1; break }
                throw fail("expected ',' or '}' in the object, found \(found())")
            }
        }
        skipSpace()
        guard i == bytes.count else { throw fail("unexpected \(found()) after the JSON object") }
        guard let window else {
            throw JudgeServerError.features(path: "features", reason: "missing; expected {\"features\": [\(frames * channels) integers -128...127]}")
        }
        return window
    }

    /// The features array, flat or one array per frame.
    mutating func features(frames: Int, channels: Int) throws -> [Int8] {
        let size = frames * channels
        skipSpace()
        guard peek == UInt8(ascii: "[") else {
            throw JudgeServerError.features(path: "features at byte \(i)", reason: "is \(kind()), expected an array of \(size) integers -128...127")
        }
        i += 1
        skipSpace()
        var out: [Int8] = []
        out.reserveCapacity(size)
        if peek == UInt8(ascii: "[") {
            // One array per frame.
            var frame = 0
            while true {
                skipSpace()
                guard peek == UInt8(ascii: "[") else {
                    throw JudgeServerError.features(path: "features[\(frame)] at byte \(i)", reason: "is \(kind()), expected a frame of \(channels) integers")
                }
                let frameAt = i
                i += 1
                let n = try integers(into: &out, path: "features[\(frame)]", limit: frame < frames ? channels : 0)
                guard n == channels else {
                    throw JudgeServerError.features(path: "features[\(frame)] at byte \(frameAt)", reason: "has \(n) values, expected \(channels) (channels)")
                }
                frame += 1
                skipSpace()
                if peek == UInt8(ascii: ",") { i += 1; continue }
                if peek == UInt8(ascii: "]") { i += 1; break }
                throw fail("expected ',' or ']' after features[\(frame - 1)], found \(found())")
            }
            guard frame == frames else {
                throw JudgeServerError.features(path: "features", reason: "has \(frame) frames, expected \(frames) frames of \(channels) values")
            }
        } else {
            let n = try integers(into: &out, path: "features", limit: size)
            guard n == size else {
                throw JudgeServerError.features(path: "features", reason: "has \(n) values, expected \(size) (\(frames) frames × \(channels) channels)")
            }
        }
        return out
    }

    /// Integers up to the closing ']' (the '[' already read); keeps at most `limit`, counts them all.
    mutating func integers(into out: inout [Int8], path: String, limit: Int) throws -> Int {
        var n = 0
        skipSpace()
        if peek == UInt8(ascii: "]") { i += 1; return 0 }
        while true {
            let v = try int8(path: "\(path)[\(n)]")
            if n < limit { out.append(v) }
            n += 1
            skipSpace()
            if peek == UInt8(ascii: ",") { i += 1; continue }
            if peek == UInt8(ascii: "]") { i += 1; return n }
            throw fail("expected ',' or ']' after \(path)[\(n - 1)], found \(found())")
        }
    }

    /// A JSON integer in -128...127.
    mutating func int8(path: @autoclosure () -> String) throws -> Int8 {
        skipSpace()
        let start = i
        guard let c = peek, c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39) else {
            throw JudgeServerError.features(path: "\(path()) at byte \(start)", reason: "is \(kind()), expected an integer -128...127")
        }
        let (text, isInteger) = try number()
        guard isInteger else {
            throw JudgeServerError.features(path: "\(path()) at byte \(start)", reason: "is \(text), not an integer: expected int8 values -128...127 (quantize the features first)")
        }
        guard text.count <= 4, let v = Int(text), v >= -128, v <= 127 else {
            throw JudgeServerError.features(path: "\(path()) at byte \(start)", reason: "is \(text.prefix(24)), out of the int8 range -128...127")
        }
        return Int8(v)
    }

    /// What kind of value starts at the cursor, for messages.
    func kind() -> String {
        guard let c = peek else { return "missing (the body ends)" }
        switch c {
        case UInt8(ascii: "\""): return "a string"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return "a boolean"
        case UInt8(ascii: "n"): return "null"
        case UInt8(ascii: "["): return "an array"
        case UInt8(ascii: "{"): return "an object"
        case UInt8(ascii: "N"), UInt8(ascii: "I"): return "NaN or Infinity, which JSON does not have"
        case UInt8(ascii: "-") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "I"): return "-Infinity, which JSON does not have"
        case UInt8(ascii: "-"), 0x30...0x39: return "a number"
        default: return "not a JSON value (\(found()))"
        }
    }

    /// A JSON number's text and whether it is an integer (no fraction, no exponent).
    mutating func number() throws -> (String, Bool) {
        let start = i
        if peek == UInt8(ascii: "-") { i += 1 }
        guard let first = peek, first >= 0x30 && first <= 0x39 else { throw fail("expected a digit, found \(found())") }
        if first == 0x30 {
            i += 1
            if let d = peek, d >= 0x30 && d <= 0x39 { throw fail("a number may not have a leading zero", at: start) }
        } else { digits() }
        var integer = true
        if peek == UInt8(ascii: ".") {
            i += 1; integer = false
            guard let d = peek, d >= 0x30 && d <= 0x39 else { throw fail("expected a digit after '.', found \(found())") }
            digits()
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            i += 1; integer = false
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { i += 1 }
            guard let d = peek, d >= 0x30 && d <= 0x39 else { throw fail("expected a digit in the exponent, found \(found())") }
            digits()
        }
        return (String(decoding: bytes[start..<i], as: UTF8.self), integer)
    }

    mutating func digits() { while let d = peek, d >= 0x30 && d <= 0x39 { i += 1 } }

    /// A string (the opening quote at the cursor), its escapes resolved.
    mutating func string() throws -> String {
        let start = i
        i += 1
        var out: [UInt8] = []
        while true {
            guard let c = peek else { throw fail("unterminated string", at: start) }
            i += 1
            switch c {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let e = peek else { throw fail("unterminated string", at: start) }
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard i + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16) else {
                        throw fail("expected 4 hex digits after \\u", at: i - 2)
                    }
                    i += 4
                    out += Array(String(UnicodeScalar(v).map(Character.init) ?? "\u{FFFD}").utf8)
                default: throw fail("invalid escape '\\\(Character(UnicodeScalar(e)))' in a string", at: i - 2)
                }
            case 0..<0x20:
                throw fail("control character 0x\(String(c, radix: 16)) inside a string", at: i - 1)
            default:
                out.append(c)
            }
        }
    }

    /// Skips any JSON value, nested at most `maxDepth` deep.
    mutating func skipValue(depth: Int) throws {
        guard depth <= JSONScanner.maxDepth else { throw fail("nested deeper than \(JSONScanner.maxDepth) levels") }
        skipSpace()
        guard let c = peek else { throw fail("expected a value, found the end of the body") }
        switch c {
        case UInt8(ascii: "\""): _ = try string()
        case UInt8(ascii: "-"), 0x30...0x39: _ = try number()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            let close = c == UInt8(ascii: "[") ? UInt8(ascii: "]") : UInt8(ascii: "}")
            i += 1
            skipSpace()
            if peek == close { i += 1; return }
            while true {
                if close == UInt8(ascii: "}") {
                    skipSpace()
                    guard peek == UInt8(ascii: "\"") else { throw fail("expected a field name in quotes, found \(found())") }
                    _ = try string()
                    try expect(UInt8(ascii: ":"), "':'")
                }
                try skipValue(depth: depth + 1)
                skipSpace()
                if peek == UInt8(ascii: ",") { i += 1; continue }
                if peek == close { i += 1; return }
                throw fail("expected ',' or '\(Character(UnicodeScalar(close)))', found \(found())")
            }
        default:
            throw fail("expected a JSON value, found \(kind() == "a number" ? found() : kind())")
        }
    }

    mutating func literal(_ word: String) throws {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<(i + w.count)]) == w else { throw fail("expected \(word), found \(found())") }
        i += w.count
    }
}
