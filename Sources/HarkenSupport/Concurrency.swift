// Concurrency.swift: the few concurrency helpers the modules share.

import Dispatch
import Foundation

/// `body(index, item)` for every item on all cores; results in item order; the first error is thrown.
public func concurrentMap<T: Sendable, R: Sendable>(_ items: [T], _ body: @Sendable (Int, T) throws -> R) throws -> [R] {
    let slots = Slots<R>(items.count)
    DispatchQueue.concurrentPerform(iterations: items.count) { i in slots.set(i, Result { try body(i, items[i]) }) }
    return try slots.results.map { try $0!.get() }
}

private final class Slots<R>: @unchecked Sendable {
    private(set) var results: [Result<R, Error>?]
    private let lock = NSLock()
    init(_ n: Int) { results = Array(repeating: nil, count: n) }
    func set(_ i: Int, _ r: Result<R, Error>) { lock.lock(); results[i] = r; lock.unlock() }
}

/// A thread-safe counter (progress over concurrent work).
public final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    public init() {}
    public func increment() -> Int { add(1) }
    public func add(_ n: Int) -> Int { lock.lock(); defer { lock.unlock() }; value += n; return value }
}
