// HTTPConnection.swift: a minimal blocking HTTP/1.1 client over one TCP connection (POSIX sockets,
// no dependency): enough for RemoteJudge to reach `harken judge serve` and for tests and tools to
// talk to it. Every call has a deadline; keep-alive connections are reused by the caller.

import Foundation
import Glibc
import HarkenSupport

/// One HTTP response: status, headers (names lower-cased) and body.
public struct HTTPReply: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]

    public var text: String { String(decoding: body, as: UTF8.self) }
}

public enum HTTPClientError: CodedError, Sendable {
    public static let domain = "http_client"

    case address(host: String, port: Int, reason: String)
    case connect(host: String, port: Int, reason: String)
    case timeout(host: String, port: Int, phase: String, ms: Int)
    case io(host: String, port: Int, reason: String)
    case response(host: String, port: Int, reason: String)

    public var description: String {
        switch self {
        case .address(let h, let p, let r): return "\(h):\(p): cannot resolve the address (\(r))"
        case .connect(let h, let p, let r): return "\(h):\(p): cannot connect (\(r))"
        case .timeout(let h, let p, let phase, let ms): return "\(h):\(p): no answer within \(ms) ms (while \(phase))"
        case .io(let h, let p, let r): return "\(h):\(p): connection failed (\(r))"
        case .response(let h, let p, let r): return "\(h):\(p): malformed HTTP response (\(r))"
        }
    }
}

/// A blocking HTTP/1.1 connection. Not thread-safe: one request at a time.
public final class HTTPConnection {
    public let host: String
    public let port: Int
    private var fd: Int32 = -1
    private var buffer: [UInt8] = []
    /// The time limit of the call under way, for its error message.
    private var limitMs = 0
    /// Requests answered on this connection (a reused connection may have been closed by the server).
    public private(set) var answered = 0

    /// Connects within `timeout` seconds.
    public init(host: String, port: Int, timeout: Double) throws {
        self.host = host
        self.port = port
        limitMs = Int((timeout * 1000).rounded())
        try connect(deadline: Date().addingTimeInterval(timeout))
    }

    deinit { close() }

    public var isOpen: Bool { fd >= 0 }

    public func close() {
        if fd >= 0 { _ = closeSocket(fd); fd = -1 }
        buffer.removeAll()
    }

    /// Sends one request and reads its response, all within `timeout` seconds.
    public func request(_ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8] = [],
                        timeout: Double) throws -> HTTPReply {
        let deadline = Date().addingTimeInterval(timeout)
        limitMs = Int((timeout * 1000).rounded())
        guard fd >= 0 else { throw HTTPClientError.io(host: host, port: port, reason: "the connection is closed") }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\n"
        for (k, v) in headers { head += "\(k): \(v)\r\n" }
        if !(method == "GET" && body.isEmpty) { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        do {
            try send(Array(head.utf8) + body, deadline: deadline)
            let reply = try readResponse(deadline: deadline)
            answered += 1
            if reply.headers["connection"]?.lowercased() == "close" { close() }
            return reply
        } catch {
            close()
            throw error
        }
    }

    // MARK: sockets

    private func connect(deadline: Date) throws {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            throw HTTPClientError.address(host: host, port: port, reason: String(cString: gai_strerror(rc)))
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var info: UnsafeMutablePointer<addrinfo>? = first
        while let ai = info {
            info = ai.pointee.ai_next
            let s = socket(ai.pointee.ai_family, ai.pointee.ai_socktype, ai.pointee.ai_protocol)
            if s < 0 { lastError = errnoText(); continue }
            let flags = fcntl(s, F_GETFL, 0)
            _ = fcntl(s, F_SETFL, flags | O_NONBLOCK)
            var one: Int32 = 1
            // Requests are small and latency-bound: no Nagle delay.
            setsockopt(s, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            if Glibc.connect(s, ai.pointee.ai_addr, ai.pointee.ai_addrlen) != 0 && errno != EINPROGRESS {
                lastError = errnoText(); _ = closeSocket(s); continue
            }
            var p = pollfd(fd: s, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&p, 1, remainingMs(deadline))
            if ready == 0 { _ = closeSocket(s); throw HTTPClientError.timeout(host: host, port: port, phase: "connecting", ms: limitMs) }
            var err: Int32 = 0
            var len = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len)
            if ready < 0 || err != 0 {
                lastError = String(cString: strerror(err != 0 ? err : errno)); _ = closeSocket(s); continue
            }
            fd = s
            return
        }
        throw HTTPClientError.connect(host: host, port: port, reason: lastError)
    }

    private func send(_ bytes: [UInt8], deadline: Date) throws {
        var sent = 0
        while sent < bytes.count {
            try wait(for: Int16(POLLOUT), deadline: deadline, phase: "sending the request")
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                throw HTTPClientError.io(host: host, port: port, reason: "send: \(errnoText())")
            }
            sent += n
        }
    }

    /// Reads more bytes into `buffer`; false at end of stream.
    private func fill(deadline: Date) throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            try wait(for: Int16(POLLIN), deadline: deadline, phase: "waiting for the response")
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n < 0 {
                if errno == EAGAIN || errno == EINTR { continue }
                throw HTTPClientError.io(host: host, port: port, reason: "recv: \(errnoText())")
            }
            if n == 0 { return false }
            buffer += chunk[0..<n]
            return true
        }
    }

    private func wait(for events: Int16, deadline: Date, phase: String) throws {
        while true {
            var p = pollfd(fd: fd, events: events, revents: 0)
            let ms = remainingMs(deadline)
            let r = poll(&p, 1, ms)
            if r > 0 { return }
            if r < 0 && errno == EINTR { continue }
            if r == 0 { throw HTTPClientError.timeout(host: host, port: port, phase: phase, ms: limitMs) }
            throw HTTPClientError.io(host: host, port: port, reason: "poll: \(errnoText())")
        }
    }

    private func readResponse(deadline: Date) throws -> HTTPReply {
        // The head.
        var headEnd: Int?
        while true {
            if let i = find([13, 10, 13, 10], in: buffer) { headEnd = i; break }
            guard buffer.count < 65_536 else { throw HTTPClientError.response(host: host, port: port, reason: "header over 64 KiB") }
            guard try fill(deadline: deadline) else {
                throw HTTPClientError.io(host: host, port: port, reason: buffer.isEmpty ? "closed by the server before answering" : "closed inside the response head")
            }
        }
        let lines = String(decoding: buffer[0..<headEnd!], as: UTF8.self).components(separatedBy: "\r\n")
        buffer.removeFirst(headEnd! + 4)
        let statusParts = lines[0].split(separator: " ", maxSplits: 2)
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else {
            throw HTTPClientError.response(host: host, port: port, reason: "status line \"\(lines[0].prefix(80))\"")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        // The body: by length, chunked, or up to the close.
        var body: [UInt8] = []
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            while true {
                while find([13, 10], in: buffer) == nil {
                    guard try fill(deadline: deadline) else { throw HTTPClientError.io(host: host, port: port, reason: "closed inside a chunk") }
                }
                let lineEnd = find([13, 10], in: buffer)!
                let sizeText = String(decoding: buffer[0..<lineEnd], as: UTF8.self).split(separator: ";")[0].trimmingCharacters(in: .whitespaces)
                guard let size = Int(sizeText, radix: 16), size >= 0 else {
                    throw HTTPClientError.response(host: host, port: port, reason: "chunk size \"\(sizeText.prefix(20))\"")
                }
                buffer.removeFirst(lineEnd + 2)
                while buffer.count < size + 2 {
                    guard try fill(deadline: deadline) else { throw HTTPClientError.io(host: host, port: port, reason: "closed inside a chunk") }
                }
                body += buffer[0..<size]
                buffer.removeFirst(size + 2)
                if size == 0 { break }
            }
        } else if let lengthText = headers["content-length"] {
            guard let length = Int(lengthText), length >= 0 else {
                throw HTTPClientError.response(host: host, port: port, reason: "content-length \"\(lengthText.prefix(20))\"")
            }
            while buffer.count < length {
                guard try fill(deadline: deadline) else { throw HTTPClientError.io(host: host, port: port, reason: "closed after \(buffer.count) of \(length) body bytes") }
            }
            body = Array(buffer[0..<length])
            buffer.removeFirst(length)
        } else if status >= 200 && status != 204 && status != 304 {
            while try fill(deadline: deadline) {}
            body = buffer
            buffer.removeAll()
            headers["connection"] = "close"
        }
        return HTTPReply(status: status, headers: headers, body: body)
    }

    private func find(_ needle: [UInt8], in hay: [UInt8]) -> Int? {
        guard hay.count >= needle.count else { return nil }
        outer: for i in 0...(hay.count - needle.count) where hay[i] == needle[0] {
            for j in 1..<needle.count where hay[i + j] != needle[j] { continue outer }
            return i
        }
        return nil
    }
}

private func remainingMs(_ deadline: Date) -> Int32 {
    Int32(max(0, min(Double(Int32.max), (deadline.timeIntervalSinceNow * 1000).rounded(.up))))
}

private func errnoText() -> String { String(cString: strerror(errno)) }

private func closeSocket(_ fd: Int32) -> Int32 { Glibc.close(fd) }
