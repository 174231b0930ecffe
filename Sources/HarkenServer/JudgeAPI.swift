// JudgeAPI.swift: the JSON the Judge server answers with (snake_case keys, schema_version; each has
// its schema in Schemas/) and its errors, each with the HTTP status it is answered with.

import Foundation
import HarkenSupport

/// POST /v1/judge: the verdict on one window (Schemas/judge_verdict.schema.json).
public struct JudgeVerdict: Codable, Sendable, Equatable {
    public var schemaVersion = 1
    public var accept: Bool
    public var score: Double
    public var cutoff: Double
    /// Windows scored in the same `scores()` call as this one.
    public var batchSize: Int
    public var windowFrames: Int
    public var channels: Int
}

/// GET /v1/judge: what the server expects (Schemas/judge_info.schema.json).
public struct JudgeInfo: Codable, Sendable, Equatable {
    public struct InputQuantization: Codable, Sendable, Equatable {
        public var scale: Double
        public var zeroPoint: Int
    }

    public var schemaVersion = 1
    public var model: String
    public var windowFrames: Int
    public var channels: Int
    /// windowFrames × channels: the bytes of a binary body, the values of a JSON one.
    public var windowBytes: Int
    public var cutoff: Double
    public var cutoffSource: String
    public var inputQuantization: InputQuantization
    public var maxBatch: Int
    public var maxWaitMs: Double
    public var maxBodyBytes: Int
    public var contentTypes: [String]
    public var tokenRequired: Bool
}

/// GET /healthz (Schemas/judge_health.schema.json).
public struct JudgeHealth: Codable, Sendable, Equatable {
    public var schemaVersion = 1
    public var status: String
    public var batches: Int
    public var windows: Int
    public var largestBatch: Int
}

/// Every 4xx/5xx answer (Schemas/judge_error.schema.json).
public struct JudgeErrorReply: Codable, Sendable, Equatable {
    public struct Body: Codable, Sendable, Equatable {
        public var code: String
        public var message: String
    }

    public var schemaVersion = 1
    public var error: Body
}

public enum JudgeServerError: CodedError, Sendable, Equatable {
    public static let domain = "judge_server"

    /// A non-loopback address without a token.
    case tokenRequired(host: String)
    case option(name: String, value: String, expected: String)
    case unauthorized(reason: String)
    case contentType(got: String?)
    case bodyTooLarge(bytes: Int?, limit: Int)
    case binaryLength(got: Int, expected: Int, frames: Int, channels: Int)
    case json(offset: Int, reason: String)
    case features(path: String, reason: String)
    case notFound(method: String, path: String)
    case method(method: String, path: String, allowed: String)
    case busy(queued: Int)
    case stopping
    case judge(String)

    public var description: String {
        switch self {
        case .tokenRequired(let h):
            return "--host \(h) is not a loopback address: give --token (or set HARKEN_TOKEN) so that only clients holding it are answered"
        case .option(let n, let v, let e): return "--\(n) \(v): expected \(e)"
        case .unauthorized(let r): return "\(r); expected the header 'Authorization: Bearer <token>'"
        case .contentType(let got):
            return "Content-Type \(got.map { "'\($0)'" } ?? "missing"): expected application/octet-stream (int8 bytes) or application/json ({\"features\": [...]})"
        case .bodyTooLarge(let n, let limit):
            return "body \(n.map { "of \($0) bytes " } ?? "")is over the server's limit of \(limit) bytes"
        case .binaryLength(let got, let expected, let frames, let channels):
            let hint = got == 4 * expected ? " (float32? the window is int8, one byte per value)" : ""
            return "binary body is \(got) bytes, expected \(expected) (\(frames) frames × \(channels) channels of int8, frame-major)\(hint)"
        case .json(let offset, let reason): return "JSON body at byte \(offset): \(reason)"
        case .features(let path, let reason): return "\(path): \(reason)"
        case .notFound(let m, let p): return "no route \(m) \(p); the server answers POST /v1/judge, GET /v1/judge and GET /healthz"
        case .method(let m, let p, let a): return "\(p) does not take \(m); it answers \(a)"
        case .busy(let q): return "server busy: \(q) windows already queued; retry shortly"
        case .stopping: return "the server is stopping"
        case .judge(let reason): return "the Judge failed: \(reason)"
        }
    }

    /// The HTTP status this error is answered with.
    public var status: Int {
        switch self {
        case .tokenRequired, .option: return 500
        case .unauthorized: return 401
        case .contentType: return 415
        case .bodyTooLarge: return 413
        case .binaryLength, .json, .features: return 400
        case .notFound: return 404
        case .method: return 405
        case .busy, .stopping: return 503
        case .judge: return 500
        }
    }
}
