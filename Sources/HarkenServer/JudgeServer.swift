// JudgeServer.swift: `harken judge serve`, the cascade's Judge over HTTP on Hummingbird 2.
//
//   POST /v1/judge   one window (int8 bytes, or JSON {"features": [...]}) -> JudgeVerdict
//   GET  /v1/judge   what the server expects -> JudgeInfo
//   GET  /healthz    -> JudgeHealth
//
// Windows from concurrent requests are scored together (JudgeBatcher). Bad input is answered with
// a 4xx JudgeErrorReply naming what was wrong; a token, when set, guards every route.

import Foundation
import HarkenPipeline
import HarkenStream
import HarkenSupport
import Hummingbird
import Logging
import ServiceLifecycle

public struct JudgeServerConfig: Sendable, Equatable {
    public var host: String
    /// 0 picks a free port (tests); the bound one is reported to `run`'s `onStart`.
    public var port: Int
    /// When set, every request needs `Authorization: Bearer <token>`; required off loopback.
    public var token: String?
    /// Windows scored in one `scores()` call at most.
    public var maxBatch: Int
    /// How long the first window of a batch waits for others.
    public var maxWaitMs: Double
    /// Request bodies above this are refused with 413.
    public var maxBodyBytes: Int
    /// Windows queued at most before requests are refused with 503.
    public var maxQueue: Int
    /// Threads scoring batches.
    public var threads: Int

    public static let defaultHost = "127.0.0.1"
    public static let defaultPort = 8090

    public init(host: String = JudgeServerConfig.defaultHost, port: Int = JudgeServerConfig.defaultPort, token: String? = nil,
                maxBatch: Int = 64, maxWaitMs: Double = 1, maxBodyBytes: Int = 1 << 20, maxQueue: Int = 4096,
                threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.host = host; self.port = port; self.token = token; self.maxBatch = maxBatch; self.maxWaitMs = maxWaitMs
        self.maxBodyBytes = maxBodyBytes; self.maxQueue = maxQueue; self.threads = threads
    }

    /// Refuses settings the server cannot keep: a non-loopback address without a token above all.
    public func validate() throws {
        guard !host.isEmpty else { throw JudgeServerError.option(name: "host", value: "''", expected: "an address such as 127.0.0.1") }
        guard (0...65_535).contains(port) else { throw JudgeServerError.option(name: "port", value: "\(port)", expected: "0...65535") }
        if let token, token.isEmpty || token.contains(where: { $0.isWhitespace || !$0.isASCII }) {
            throw JudgeServerError.option(name: "token", value: "(hidden)", expected: "a non-empty token of printable ASCII without spaces")
        }
        guard token != nil || JudgeServerConfig.isLoopback(host) else { throw JudgeServerError.tokenRequired(host: host) }
        guard (1...4096).contains(maxBatch) else { throw JudgeServerError.option(name: "max-batch", value: "\(maxBatch)", expected: "1...4096") }
        guard maxWaitMs >= 0, maxWaitMs <= 1000 else { throw JudgeServerError.option(name: "max-wait-ms", value: "\(maxWaitMs)", expected: "0...1000") }
        guard maxBodyBytes >= 1024 else { throw JudgeServerError.option(name: "max-body-bytes", value: "\(maxBodyBytes)", expected: "at least 1024") }
        guard (1...256).contains(threads) else { throw JudgeServerError.option(name: "threads", value: "\(threads)", expected: "1...256") }
    }

    /// 127.0.0.0/8, ::1 and localhost: reachable from this machine only.
    public static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if h == "localhost" || h == "::1" || h == "0:0:0:0:0:0:0:1" { return true }
        let parts = h.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}

public final class JudgeServer: @unchecked Sendable {
    public let service: JudgeService
    public let config: JudgeServerConfig
    /// The running service group, for `shutdown()`; guarded by `lock`.
    private var group: ServiceGroup?
    private var stopping = false
    private let lock = NSLock()

    /// Refuses to exist with settings `validate()` refuses, or a Judge without a window shape.
    public init(service: JudgeService, config: JudgeServerConfig) throws {
        try config.validate()
        guard service.judge.windowFrames > 0, service.judge.channels > 0 else {
            throw JudgeServerError.judge("\(service.model) has a window of \(service.judge.windowFrames) frames × \(service.judge.channels) channels")
        }
        self.service = service
        self.config = config
    }

    public var info: JudgeInfo {
        let j = service.judge
        return JudgeInfo(model: service.model, windowFrames: j.windowFrames, channels: j.channels, windowBytes: j.windowFrames * j.channels,
                         cutoff: service.cutoff, cutoffSource: service.cutoffSource,
                         inputQuantization: .init(scale: service.inputScale, zeroPoint: service.inputZeroPoint),
                         maxBatch: config.maxBatch, maxWaitMs: config.maxWaitMs, maxBodyBytes: config.maxBodyBytes,
                         contentTypes: ["application/octet-stream", "application/json"], tokenRequired: config.token != nil)
    }

    /// Serves until `shutdown()` (or, with `handleSignals`, SIGINT/SIGTERM; or the task's
    /// cancellation), calling `onStart` with the bound address once it listens.
    public func run(handleSignals: Bool = false, onStart: @escaping @Sendable (_ host: String, _ port: Int) -> Void = { _, _ in }) async throws {
        let batcher = JudgeBatcher(judge: service.judge, maxBatch: config.maxBatch, maxWait: config.maxWaitMs / 1000,
                                   maxQueue: config.maxQueue, threads: config.threads)
        defer { batcher.stop() }
        var logger = Logger(label: "harken.judge")
        logger.logLevel = .warning
        let host = config.host
        let app = Application(router: buildRouter(batcher: batcher),
                              configuration: .init(address: .hostname(config.host, port: config.port), serverName: "harken-judge"),
                              onServerRunning: { channel in onStart(host, channel.localAddress?.port ?? 0) },
                              logger: logger)
        let group = ServiceGroup(services: [app], gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [], logger: logger)
        let stopAtOnce: Bool = lock.withLock { self.group = group; return stopping }
        if stopAtOnce { await group.triggerGracefulShutdown() }
        try await group.run()
    }

    /// Stops accepting connections, finishes the requests under way, and makes `run` return.
    public func shutdown() async {
        let group: ServiceGroup? = lock.withLock { stopping = true; return self.group }
        await group?.triggerGracefulShutdown()
    }

    func buildRouter(batcher: JudgeBatcher) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: JudgeMiddleware(token: config.token, maxBodyBytes: config.maxBodyBytes))
        let info = self.info, cutoff = service.cutoff, limit = config.maxBodyBytes
        let frames = service.judge.windowFrames, channels = service.judge.channels
        router.get("/healthz") { _, _ in
            let s = batcher.statistics
            return try jsonResponse(JudgeHealth(status: "ok", batches: s.batches, windows: s.windows, largestBatch: s.largestBatch))
        }
        router.get("/v1/judge") { _, _ in try jsonResponse(info) }
        router.post("/v1/judge") { request, _ in
            let kind = try BodyKind(contentType: request.headers[.contentType])
            if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
                throw JudgeServerError.bodyTooLarge(bytes: declared, limit: limit)
            }
            let body = try await request.body.collect(upTo: limit)
            let bytes = Array(body.readableBytesView)
            let window = kind == .binary ? try WindowDecoding.binary(bytes, frames: frames, channels: channels)
                                         : try WindowDecoding.json(bytes, frames: frames, channels: channels)
            let v = try await batcher.score(window)
            guard v.score.isFinite else { throw JudgeServerError.judge("the Judge's score is \(v.score)") }
            return try jsonResponse(JudgeVerdict(accept: v.score > cutoff, score: v.score, cutoff: cutoff, batchSize: v.batchSize,
                                                 windowFrames: frames, channels: channels))
        }
        return router
    }
}

/// The two body encodings POST /v1/judge takes.
enum BodyKind: Equatable {
    case binary, json

    init(contentType: String?) throws {
        let media = contentType?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        switch media {
        case "application/octet-stream": self = .binary
        case "application/json": self = .json
        default: throw JudgeServerError.contentType(got: contentType.map { String($0.prefix(100)) })
        }
    }
}

/// Checks the token on every route and answers every error as a JudgeErrorReply.
struct JudgeMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let token: String?
    let maxBodyBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let token {
            let header = request.headers[.authorization]
            guard let header else { return errorResponse(.unauthorized(reason: "no Authorization header")) }
            guard header.hasPrefix("Bearer ") else { return errorResponse(.unauthorized(reason: "the Authorization header is not a Bearer token")) }
            guard constantTimeEqual(Array(header.utf8.dropFirst(7)), Array(token.utf8)) else {
                return errorResponse(.unauthorized(reason: "wrong token"))
            }
        }
        do {
            return try await next(request, context)
        } catch let e as JudgeServerError {
            return errorResponse(e)
        } catch let e as any HTTPResponseError {
            let path = request.uri.path
            switch e.status.code {
            case 404 where ["/v1/judge", "/healthz"].contains(path):
                return errorResponse(.method(method: request.method.rawValue, path: path, allowed: path == "/healthz" ? "GET" : "GET and POST"))
            case 404: return errorResponse(.notFound(method: request.method.rawValue, path: String(path.prefix(200))))
            case 413: return errorResponse(.bodyTooLarge(bytes: nil, limit: maxBodyBytes))
            default: return errorResponse(.judge("HTTP \(e.status.code)"), status: e.status.code)
            }
        } catch {
            return errorResponse(.judge("\(error)"))
        }
    }
}

/// Equal without telling, by its timing, how long a common prefix was.
func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    var diff = UInt8(a.count == b.count ? 0 : 1)
    for i in 0..<max(a.count, b.count) { diff |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0) }
    return diff == 0
}

private let encoder = HarkenJSON.encoder(pretty: false)

func jsonResponse<T: Encodable>(_ value: T, status: Int = 200) throws -> Response {
    let data = try encoder.encode(value)
    var headers = HTTPFields()
    headers[.contentType] = "application/json"
    if status == 401 { headers[.wwwAuthenticate] = "Bearer" }
    return Response(status: HTTPResponse.Status(code: status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
}

func errorResponse(_ e: JudgeServerError, status: Int? = nil) -> Response {
    let reply = JudgeErrorReply(error: .init(code: e.code, message: e.description))
    return (try? jsonResponse(reply, status: status ?? e.status)) ?? Response(status: .internalServerError)
}
