// RemoteJudge.swift: a Judge that is a client of `harken judge serve`. Each window goes to the
// server as its raw int8 bytes (POST /v1/judge, application/octet-stream) over a kept-alive
// connection; the server batches windows from all its clients. The host relay forwards the
// device's windows through it; a call that takes longer than `timeout` throws, and the cascade's
// fallback (fail-open or fail-closed) decides what the trigger becomes.

import Foundation
import HarkenSupport

/// The server's answer to one window.
public struct RemoteVerdict: Sendable, Equatable {
    public var accept: Bool
    public var score: Double
    public var cutoff: Double
    /// Windows the server scored in the same call as this one.
    public var batchSize: Int
}

public enum RemoteJudgeError: CodedError, Sendable {
    public static let domain = "remote_judge"

    case url(String)
    /// The server answered with an error (its status, code and message).
    case server(url: String, status: Int, code: String, message: String)
    case reply(url: String, reason: String)
    case window(index: Int, count: Int, expected: Int)

    public var description: String {
        switch self {
        case .url(let u): return "judge server address \"\(u)\": expected http://HOST:PORT"
        case .server(let u, let s, let c, let m): return "\(u) answered \(s) [\(c)]: \(m)"
        case .reply(let u, let r): return "\(u): unexpected reply (\(r))"
        case .window(let i, let n, let e): return "judge window \(i): \(n) int8 features, expected \(e)"
        }
    }
}

public final class RemoteJudge: WindowJudge, @unchecked Sendable {
    public let host: String
    public let port: Int
    public let windowFrames: Int
    public let channels: Int
    public let token: String?
    /// Seconds a window may take, connecting included.
    public let timeout: Double

    private var idle: [HTTPConnection] = []
    private let lock = NSLock()

    public var url: String { "http://\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    public init(host: String, port: Int, windowFrames: Int, channels: Int, token: String? = nil, timeout: Double = 0.5) {
        self.host = host; self.port = port; self.windowFrames = windowFrames; self.channels = channels
        self.token = token; self.timeout = timeout
    }

    /// Connects to the server at `url` (http://HOST:PORT) and takes the window shape it expects
    /// from GET /v1/judge.
    public static func connect(url: String, token: String? = nil, timeout: Double = 0.5) throws -> RemoteJudge {
        let (host, port) = try parse(url)
        let probe = RemoteJudge(host: host, port: port, windowFrames: 0, channels: 0, token: token, timeout: timeout)
        let reply = try probe.send("GET", "/v1/judge", contentType: nil, body: [])
        let info = try probe.object(reply)
        guard let frames = info["window_frames"] as? Int, let channels = info["channels"] as? Int, frames > 0, channels > 0 else {
            throw RemoteJudgeError.reply(url: probe.url, reason: "GET /v1/judge has no window_frames/channels")
        }
        return RemoteJudge(host: host, port: port, windowFrames: frames, channels: channels, token: token, timeout: timeout)
    }

    /// "http://HOST:PORT" (HOST may be a bracketed IPv6 address) as host and port.
    public static func parse(_ url: String) throws -> (host: String, port: Int) {
        guard let u = URLComponents(string: url), u.scheme == "http", var host = u.host, !host.isEmpty,
              u.path.isEmpty || u.path == "/" else { throw RemoteJudgeError.url(url) }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, u.port ?? 80)
    }

    public func scores(_ windows: [[Int8]]) throws -> [Double] {
        try windows.enumerated().map { i, w in
            guard w.count == windowFrames * channels else { throw RemoteJudgeError.window(index: i, count: w.count, expected: windowFrames * channels) }
            return try verdict(w).score
        }
    }

    /// The server's verdict on one window.
    public func verdict(_ window: [Int8]) throws -> RemoteVerdict {
        let bytes = window.withUnsafeBytes { Array($0.bindMemory(to: UInt8.self)) }
        let o = try object(try send("POST", "/v1/judge", contentType: "application/octet-stream", body: bytes))
        guard let accept = o["accept"] as? Bool, let score = (o["score"] as? NSNumber)?.doubleValue,
              let cutoff = (o["cutoff"] as? NSNumber)?.doubleValue, let batch = o["batch_size"] as? Int else {
            throw RemoteJudgeError.reply(url: url, reason: "the verdict lacks accept/score/cutoff/batch_size")
        }
        return RemoteVerdict(accept: accept, score: score, cutoff: cutoff, batchSize: batch)
    }

    /// One request on an idle kept-alive connection (or a new one). A reused connection the server
    /// had closed meanwhile fails before any answer: that request is sent once more on a new one.
    func send(_ method: String, _ path: String, contentType: String?, body: [UInt8]) throws -> HTTPReply {
        let deadline = Date().addingTimeInterval(timeout)
        var headers: [(String, String)] = []
        if let contentType { headers.append(("Content-Type", contentType)) }
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        do {
            while true {
                let reused: HTTPConnection? = { lock.lock(); defer { lock.unlock() }; return idle.popLast() }()
                let c = try reused ?? HTTPConnection(host: host, port: port, timeout: max(0.001, deadline.timeIntervalSinceNow))
                do {
                    let reply = try c.request(method, path, headers: headers, body: body, timeout: max(0.001, deadline.timeIntervalSinceNow))
                    if c.isOpen { lock.lock(); idle.append(c); lock.unlock() }
                    return reply
                } catch HTTPClientError.io where reused != nil && deadline.timeIntervalSinceNow > 0 {
                    continue
                }
            }
        } catch HTTPClientError.timeout(let host, let port, let phase, _) {
            // The call's own limit, not the part of it left when the step that ran out began.
            throw HTTPClientError.timeout(host: host, port: port, phase: phase, ms: Int((timeout * 1000).rounded()))
        }
    }

    /// The reply's JSON object, or the server's error as a RemoteJudgeError.
    func object(_ reply: HTTPReply) throws -> [String: Any] {
        let object = (try? JSONSerialization.jsonObject(with: Data(reply.body))) as? [String: Any]
        guard reply.status == 200 else {
            let error = object?["error"] as? [String: Any]
            throw RemoteJudgeError.server(url: url, status: reply.status, code: error?["code"] as? String ?? "http.\(reply.status)",
                                          message: error?["message"] as? String ?? String(reply.text.prefix(200)))
        }
        guard let object else { throw RemoteJudgeError.reply(url: url, reason: "the body is not a JSON object: \(reply.text.prefix(80))") }
        return object
    }
}
