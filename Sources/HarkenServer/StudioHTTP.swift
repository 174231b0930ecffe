// StudioHTTP.swift: what every Studio route shares: the token check, errors as JSON naming what was
// wrong (with the status each kind of error means), strict JSON bodies, query parameters.

import Foundation
import HarkenPipeline
import HarkenSupport
import HarkenTrain
import Hummingbird
import HummingbirdWebSocket

/// The reply to every 4xx/5xx (the Judge server's shape: `{"schema_version":1,"error":{"code","message"}}`).
func studioError(_ status: Int, code: String, message: String) -> Response {
    let reply = JudgeErrorReply(error: .init(code: code, message: message))
    return (try? json(reply, status: status)) ?? Response(status: .internalServerError)
}

extension StudioError {
    var status: Int {
        switch self {
        case .badRequest: return 400
        case .notFound: return 404
        case .conflict: return 409
        case .tooLarge: return 413
        case .unsupportedMedia: return 415
        case .unprocessable: return 422
        }
    }
}

/// The status and reply for any error a handler throws: Studio's own by their kind, the
/// pipeline's (bad models, unreadable audio, bad settings) as 422, anything else 500.
func studioResponse(for error: any Error, request: Request) -> Response {
    switch error {
    case let e as StudioError: return studioError(e.status, code: e.code, message: e.description)
    case StudioSocketRefusal.unauthorized(let reason): return studioError(401, code: "studio.unauthorized", message: reason)
    case let e as any HTTPResponseError:
        switch e.status.code {
        case 404: return studioError(404, code: "studio.not_found", message: "\(request.method.rawValue) \(request.uri.path.prefix(200)): no such route")
        case 413: return studioError(413, code: "studio.too_large", message: "the request body is larger than this server takes")
        default: return studioError(Int(e.status.code), code: "studio.http", message: "HTTP \(e.status.code)")
        }
    case let e as DecodingError: return studioError(400, code: "studio.bad_request", message: describe(e))
    case let e as any CodedError: return studioError(422, code: e.code, message: e.description)
    default: return studioError(500, code: "studio.internal", message: "\(error)")
    }
}

/// "field.path: what was wrong" from a JSON decoding error.
func describe(_ e: DecodingError) -> String {
    func path(_ c: [any CodingKey]) -> String {
        let p = c.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue.snakeCased }.joined(separator: ".")
        return p.isEmpty ? "body" : p.replacingOccurrences(of: ".[", with: "[")
    }
    switch e {
    case let .typeMismatch(type, c): return "\(path(c.codingPath)): expected \(String(describing: type).lowercased())"
    case let .valueNotFound(type, c): return "\(path(c.codingPath)): expected \(String(describing: type).lowercased()), got null"
    case let .keyNotFound(key, c): return "\(path(c.codingPath + [key])): required"
    case let .dataCorrupted(c): return "\(path(c.codingPath)): \(c.debugDescription)"
    @unknown default: return "body: \(e)"
    }
}

/// Why a request may not use the API, or nil: a token in the header or in the `token` query
/// parameter (a WebSocket or a download link cannot set headers).
func authProblem(_ request: Request, token: String?) -> String? {
    guard let token else { return nil }
    let given: String
    if let header = request.headers[.authorization] {
        guard header.hasPrefix("Bearer ") else { return "the Authorization header is not a Bearer token" }
        given = String(header.dropFirst(7))
    } else if let query = request.uri.queryParameters.get("token") {
        given = query
    } else {
        return "no token: send Authorization: Bearer <token> or ?token="
    }
    return constantTimeEqual(Array(given.utf8), Array(token.utf8)) ? nil : "wrong token"
}

/// Checks the token on /api/ routes and answers every error as JSON. WebSocket handshakes pass:
/// a refused handshake reaches a browser as a bare failure, so their handlers accept, say what
/// is wrong in a message and close with 4000 + the HTTP status (`refuseSocket`).
struct StudioMiddleware: RouterMiddleware {
    typealias Context = BasicWebSocketRequestContext
    let token: String?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let socket = request.headers[.upgrade]?.lowercased() == "websocket"
        if request.uri.path.hasPrefix("/api/"), !socket, let problem = authProblem(request, token: token) {
            var r = studioError(401, code: "studio.unauthorized", message: problem)
            r.headers[.wwwAuthenticate] = "Bearer"
            return r
        }
        do {
            return try await next(request, context)
        } catch {
            return studioResponse(for: error, request: request)
        }
    }
}

func json<T: Encodable>(_ value: T, status: Int = 200) throws -> Response { try jsonResponse(value, status: status) }

func bytes(_ data: Data, type: String) -> Response {
    var headers = HTTPFields()
    headers[.contentType] = type
    return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
}

func body(_ request: Request, limit: Int) async throws -> Data {
    if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
        throw StudioError.tooLarge("body: \(declared) bytes; this server takes at most \(limit) (harken serve --max-upload-mb)")
    }
    do {
        let buffer = try await request.body.collect(upTo: limit)
        return Data(buffer.readableBytesView)
    } catch let e as any HTTPResponseError where e.status.code == 413 {
        throw StudioError.tooLarge("body: more than \(limit) bytes; this server takes at most that (harken serve --max-upload-mb)")
    }
}

/// A JSON request body whose top-level keys must all be known.
protocol StrictBody: Decodable { static var keys: Set<String> { get } }

func decode<T: StrictBody>(_ request: Request, limit: Int) async throws -> T {
    let media = request.headers[.contentType]?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
    guard media == "application/json" else {
        throw StudioError.unsupportedMedia("Content-Type \(request.headers[.contentType] ?? "(none)"): expected application/json")
    }
    let data = try await body(request, limit: limit)
    let object: Any
    do { object = try JSONSerialization.jsonObject(with: data) } catch {
        throw StudioError.badRequest("body: not JSON (\((error as NSError).localizedDescription))")
    }
    guard let dict = object as? [String: Any] else { throw StudioError.badRequest("body: expected a JSON object") }
    if let unknown = dict.keys.sorted().first(where: { !T.keys.contains($0) }) {
        throw StudioError.badRequest("\(unknown): unknown field; expected \(T.keys.sorted().joined(separator: ", "))")
    }
    return try HarkenJSON.decoder().decode(T.self, from: data)
}

/// Query parameters, typed, with errors naming the parameter.
struct Query {
    let request: Request
    init(_ request: Request) { self.request = request }

    func string(_ key: String) -> String? { request.uri.queryParameters.get(key) }

    func int(_ key: String) throws -> Int? {
        guard let s = string(key) else { return nil }
        guard let v = Int(s) else { throw StudioError.badRequest("\(key) '\(s.prefix(40))': expected an integer") }
        return v
    }

    func double(_ key: String) throws -> Double? {
        guard let s = string(key) else { return nil }
        guard let v = Double(s), v.isFinite else { throw StudioError.badRequest("\(key) '\(s.prefix(40))': expected a number") }
        return v
    }
}

/// An epoch of a run as the Train screen plots it: the trainer's metrics with the detector's FRR
/// and false accepts per hour after the epoch (`Pipeline.epochProbe`; runs from before it had
/// them show the validation windows' miss rate as FRR and no false accepts).
struct StudioEpoch: Codable {
    var epoch: Int
    var loss: Double
    var accuracy: Double
    var validationLoss: Double
    var validationAccuracy: Double
    var validationRecall: Double
    var validationFrr: Double
    var validationFaPerHour: Double?
    var learningRate: Double
    var seconds: Double
    var samplesPerSecond: Double

    init(_ m: EpochMetrics) {
        epoch = m.epoch; loss = m.loss; accuracy = m.accuracy; validationLoss = m.validationLoss; validationAccuracy = m.validationAccuracy
        validationRecall = m.validationRecall; validationFrr = m.validationFrr ?? 1 - m.validationRecall; validationFaPerHour = m.validationFaPerHour
        learningRate = m.learningRate; seconds = m.seconds; samplesPerSecond = m.samplesPerSecond
    }
}
