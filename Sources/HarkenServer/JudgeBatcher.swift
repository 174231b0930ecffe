// JudgeBatcher.swift: windows from concurrent requests are scored together. A scoring thread takes
// what is waiting, waits at most `maxWait` for more while fewer than `maxBatch` are queued, and
// scores them in one `scores()` call; requests that arrive while a batch is scored form the next
// one. Scoring runs on the batcher's own threads, never on the event loops or Swift's cooperative
// pool.

import Foundation
import HarkenStream

final class JudgeBatcher: @unchecked Sendable {
    struct Verdict: Sendable { var score: Double; var batchSize: Int }

    private struct Pending {
        var window: [Int8]
        var continuation: CheckedContinuation<Verdict, any Error>
    }

    let judge: any WindowJudge
    let maxBatch: Int
    let maxWait: TimeInterval
    /// Windows queued at most; past it a request is refused as busy rather than queued.
    let maxQueue: Int

    private let condition = NSCondition()
    private var pending: [Pending] = []
    private var stopped = false
    private var running = 0
    private var largestBatch = 0
    private var batches = 0
    private var windows = 0

    init(judge: any WindowJudge, maxBatch: Int, maxWait: TimeInterval, maxQueue: Int, threads: Int) {
        self.judge = judge
        self.maxBatch = max(1, maxBatch)
        self.maxWait = max(0, maxWait)
        self.maxQueue = max(self.maxBatch, maxQueue)
        running = max(1, threads)
        for i in 0..<running {
            let t = Thread { [self] in loop() }
            t.name = "harken-judge-\(i)"
            t.start()
        }
    }

    /// Scores one window with whatever else is waiting.
    func score(_ window: [Int8]) async throws -> Verdict {
        try await withCheckedThrowingContinuation { c in
            condition.lock()
            if stopped || pending.count >= maxQueue {
                let stopped = self.stopped, queued = pending.count
                condition.unlock()
                c.resume(throwing: stopped ? JudgeServerError.stopping : JudgeServerError.busy(queued: queued))
                return
            }
            pending.append(Pending(window: window, continuation: c))
            condition.signal()
            condition.unlock()
        }
    }

    /// Counts so far: batches scored, windows scored, the largest batch.
    var statistics: (batches: Int, windows: Int, largestBatch: Int) {
        condition.lock(); defer { condition.unlock() }
        return (batches, windows, largestBatch)
    }

    /// Ends the threads; windows still queued are answered with `stopping`.
    func stop() {
        condition.lock()
        stopped = true
        let left = pending
        pending.removeAll()
        condition.broadcast()
        condition.unlock()
        for p in left { p.continuation.resume(throwing: JudgeServerError.stopping) }
    }

    private func loop() {
        while true {
            condition.lock()
            while pending.isEmpty && !stopped { condition.wait() }
            if stopped { running -= 1; condition.unlock(); return }
            // Give other clients' windows a moment to join, unless the batch is already full.
            let deadline = Date().addingTimeInterval(maxWait)
            while pending.count < maxBatch && !stopped && condition.wait(until: deadline) {}
            let take = min(pending.count, maxBatch)
            let batch = Array(pending.prefix(take))
            pending.removeFirst(take)
            if !pending.isEmpty { condition.signal() }
            condition.unlock()
            guard !batch.isEmpty else { continue }
            run(batch)
        }
    }

    private func run(_ batch: [Pending]) {
        let result: Result<[Double], any Error> = Result { try judge.scores(batch.map(\.window)) }
        condition.lock()
        batches += 1; windows += batch.count; largestBatch = max(largestBatch, batch.count)
        condition.unlock()
        switch result {
        case .success(let scores) where scores.count == batch.count:
            for (p, s) in zip(batch, scores) { p.continuation.resume(returning: Verdict(score: s, batchSize: batch.count)) }
        case .success(let scores):
            for p in batch { p.continuation.resume(throwing: JudgeServerError.judge("the Judge returned \(scores.count) scores for \(batch.count) windows")) }
        case .failure(let e):
            for p in batch { p.continuation.resume(throwing: JudgeServerError.judge("\(e)")) }
        }
    }
}
