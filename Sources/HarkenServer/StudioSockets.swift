// StudioSockets.swift: the two WebSockets. A job's live feed follows its files (state, epochs,
// log) and its process (telemetry), so every tab, and a server restarted mid-job, sees the same.
// Listen streams a microphone's samples through the exact device pipeline and answers each chunk
// with its probabilities and detections.

import Foundation
import HarkenPipeline
import HarkenStream
import HarkenSupport
import Hummingbird
import HummingbirdWebSocket

private let compact = HarkenJSON.encoder(pretty: false)

private func text<T: Encodable>(_ value: T) throws -> String { String(decoding: try compact.encode(value), as: UTF8.self) }

private struct SocketError: Encodable {
    var type = "error"
    var error: JudgeErrorReply.Body
    init(_ code: String, _ message: String) { error = .init(code: code, message: message) }
}

/// Messages a client sent that the socket refuses, answered on the writer's next turn.
private final class Refusals: @unchecked Sendable {
    private var pending: [SocketError] = []
    private let lock = NSLock()
    func add(_ e: SocketError) { lock.withLock { pending.append(e) } }
    func take() -> [SocketError] { lock.withLock { defer { pending = [] }; return pending } }
}

/// A socket's request refused after the handshake: the error as a message, then a close with
/// 4000 + the HTTP status it would have had (4401, 4404, ...) and the reason.
func refuseSocket(_ error: any Error, request: Request, outbound: WebSocketOutboundWriter) async throws {
    let response = studioResponse(for: error, request: request)
    let status = Int(response.status.code)
    let reply: JudgeErrorReply.Body
    if case let e as StudioError = error { reply = .init(code: e.code, message: e.description) }
    else { reply = .init(code: "studio.refused", message: "\(error)") }
    try await outbound.write(.text(try text(SocketError(reply.code, reply.message))))
    try await outbound.close(.unknown(UInt16(4000 + status)), reason: String(reply.message.prefix(120)))
}

/// Runs a socket's handler once its request has passed the token and `check`.
func guardedSocket(_ request: Request, token: String?, outbound: WebSocketOutboundWriter, check: () throws -> Void,
                   run: () async throws -> Void) async throws {
    do {
        if let problem = authProblem(request, token: token) { throw StudioSocketRefusal.unauthorized(problem) }
        try check()
    } catch {
        return try await refuseSocket(error, request: request, outbound: outbound)
    }
    try await run()
}

enum StudioSocketRefusal: Error { case unauthorized(String) }

struct JobFeed {
    let jobs: StudioJobs
    let id: String

    struct State: Encodable { var type = "state"; var job: StudioJob }
    struct Epoch: Encodable { var type = "epoch"; var epoch: StudioEpoch }
    /// The telemetry's own keys beside `"type": "telemetry"`.
    struct Telemetry: Encodable {
        enum Key: String, CodingKey { case type }
        let telemetry: StudioTelemetry
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encode("telemetry", forKey: .type)
            try telemetry.encode(to: encoder)
        }
    }
    struct Log: Encodable { var type = "log"; var line: String }

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let refusals = Refusals()
        try await withThrowingTaskGroup(of: Void.self) { group in
            // The client has nothing to say on this socket: anything it sends is answered as an error.
            group.addTask {
                for try await message in inbound.messages(maxSize: 1 << 16) {
                    refusals.add(SocketError("studio.bad_message", "this socket only sends (\(message.description.prefix(40))...): nothing to receive"))
                }
            }
            group.addTask { try await self.feed(outbound, refusals: refusals) }
            // Whichever ends first (the client leaving) ends the other.
            try await group.next()
            group.cancelAll()
        }
    }

    private func feed(_ outbound: WebSocketOutboundWriter, refusals: Refusals) async throws {
        var lastJob: StudioJob?, sentEpochs = 0, metricsBytes = -1, logOffset = 0, tick = 0
        while !Task.isCancelled {
            let job = try jobs.job(id)
            if job != lastJob {
                try await outbound.write(.text(try text(State(job: job))))
                lastJob = job
            }
            // metrics.jsonl only grows, an epoch at a time: read again when its size changes.
            let size = (try? FileManager.default.attributesOfItem(atPath: jobs.project.path(job.output + "/metrics.jsonl")))?[.size] as? Int ?? 0
            if StudioJobs.isTraining(job.kind), size != metricsBytes {
                metricsBytes = size
                let epochs = jobs.epochs(job.output)
                for e in epochs.dropFirst(sentEpochs) { try await outbound.write(.text(try text(Epoch(epoch: StudioEpoch(e))))) }
                sentEpochs = max(sentEpochs, epochs.count)
            }
            let (log, next) = try jobs.log(id, from: logOffset)
            logOffset = next
            for line in log.split(separator: "\n") where !line.hasPrefix("progress ") {
                try await outbound.write(.text(try text(Log(line: String(line)))))
            }
            if tick % 4 == 0 {
                try await outbound.write(.text(try text(Telemetry(telemetry: try jobs.telemetry(id)))))
            }
            for e in refusals.take() { try await outbound.write(.text(try text(e))) }
            tick += 1
            try await Task.sleep(nanoseconds: 250_000_000)
        }
    }
}

struct ListenFeed {
    let project: StudioProject
    let model: String

    struct Chunk: Encodable {
        var type = "trace"
        var points: [StudioListenPoint]
        var detections: [StudioListenDetection]
        /// Samples received so far: the client matches replies to what it sent by this.
        var samples: Int
    }

    struct Reset: Decodable { var type: String }

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let sim = try project.listener(model: model)
        var session = SimulatorSession(sim)
        var ready = Chunk(points: [], detections: [], samples: 0)
        ready.type = "ready"
        try await outbound.write(.text(try text(ready)))
        for try await message in inbound.messages(maxSize: 1 << 20) {
            switch message {
            case .binary(let buffer):
                guard buffer.readableBytes % 2 == 0 else {
                    try await outbound.write(.text(try text(SocketError("studio.bad_audio",
                        "binary message of \(buffer.readableBytes) bytes: expected int16 little-endian samples (an even byte count); ignored"))))
                    continue
                }
                var samples = [Int16](repeating: 0, count: buffer.readableBytes / 2)
                buffer.withUnsafeReadableBytes { raw in
                    for i in samples.indices { samples[i] = Int16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: Int16.self)) }
                }
                let (points, detections) = session.feed(samples[...])
                try await outbound.write(.text(try text(Chunk(points: points.map(StudioListenPoint.init),
                                                              detections: detections.map(StudioListenDetection.init), samples: session.samples))))
            case .text(let s):
                if let r = try? JSONDecoder().decode(Reset.self, from: Data(s.utf8)), r.type == "reset" {
                    session = SimulatorSession(sim)
                    try await outbound.write(.text(try text(ready)))
                } else {
                    try await outbound.write(.text(try text(SocketError("studio.bad_message",
                        "text message '\(s.prefix(60))': expected {\"type\":\"reset\"}; audio goes in binary messages"))))
                }
            }
        }
    }
}
