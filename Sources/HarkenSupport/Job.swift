// Job.swift: what every long pipeline call takes and throws, so the command line, the web UI and
// notebooks drive the same functions: a progress sink, a log, a cancellation token, and errors
// with a stable machine-readable code.

import Foundation

/// One progress report: which stage, how far (0...1), and a short human detail.
public struct ProgressEvent: Codable, Sendable, Equatable {
    public var stage: String
    public var fraction: Double
    public var detail: String

    public init(stage: String, fraction: Double, detail: String = "") {
        self.stage = stage; self.fraction = fraction; self.detail = detail
    }
}

/// Set from any thread (a Ctrl-C handler, an HTTP request); long work checks it between units.
public final class CancellationToken: @unchecked Sendable {
    private var cancelled = false
    private let lock = NSLock()

    public init() {}

    public func cancel() { lock.lock(); cancelled = true; lock.unlock() }

    public var isCancelled: Bool { lock.lock(); defer { lock.unlock() }; return cancelled }
}

/// The progress sink, log and cancellation token of one pipeline call.
public struct Job: Sendable {
    public var progress: @Sendable (ProgressEvent) -> Void
    public var log: @Sendable (String) -> Void
    public let cancellation: CancellationToken

    public init(progress: @escaping @Sendable (ProgressEvent) -> Void = { _ in }, log: @escaping @Sendable (String) -> Void = { _ in },
                cancellation: CancellationToken = CancellationToken()) {
        self.progress = progress; self.log = log; self.cancellation = cancellation
    }

    /// No progress, no log, never cancelled from outside.
    public static var silent: Job { Job() }

    /// Throws `JobCancelled` once the token is set.
    public func checkCancelled() throws {
        if cancellation.isCancelled { throw JobCancelled() }
    }

    /// A `(fraction, detail)` callback for one stage, as lower layers take it.
    public func stage(_ name: String) -> @Sendable (Double, String) -> Void {
        let progress = self.progress
        return { fraction, detail in progress(ProgressEvent(stage: name, fraction: fraction, detail: detail)) }
    }
}

public struct JobCancelled: CodedError, Equatable {
    public init() {}
    public static let domain = "job"
    public var code: String { "job.cancelled" }
    public var description: String { "cancelled" }
}

/// An error with a stable code ("<domain>.<case>", snake_case) that the HTTP API and the UI can
/// switch on, beside its human description.
public protocol CodedError: Error, CustomStringConvertible {
    static var domain: String { get }
    var code: String { get }
}

extension CodedError {
    /// The enum case's name in snake_case after the domain: `GraphError.unsupportedOperator` is
    /// "graph.unsupported_operator". Renaming a case changes its code, so cases are named once.
    public var code: String {
        let mirror = Mirror(reflecting: self)
        let name = mirror.displayStyle == .enum ? (mirror.children.first?.label ?? String(describing: self)) : String(describing: Self.self)
        return Self.domain + "." + name.snakeCased
    }
}

extension String {
    /// camelCase -> snake_case (the key style of every JSON file Harken writes).
    public var snakeCased: String {
        var out = ""
        for (i, c) in enumerated() {
            if c.isUppercase {
                if i > 0 { out += "_" }
                out += c.lowercased()
            } else {
                out.append(c)
            }
        }
        return out
    }
}
