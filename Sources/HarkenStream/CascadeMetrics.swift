// CascadeMetrics.swift: the system's FRR and false accepts per hour when a Judge re-checks the
// Sentry's triggers, each stage's own figures, the Judge's wake-ups per hour, and the Sentry's and
// the Judge's cutoffs chosen together for a target system false-accept rate.
//
// Every clip is passed through the Sentry once (SentryPass); for each Sentry cutoff of a grid the
// device's triggers are found, and every distinct trigger window is scored by the Judge once.
// A positive counts as detected when one of its triggers is accepted; a false accept is an
// accepted trigger on negative audio.

import Foundation
import HarkenSupport

/// Passes of one evaluation set: positives and near misses (each heard alone) and hours of negative audio.
public struct CascadePasses: Sendable {
    public var positives: [SentryPass]
    public var nearMisses: [SentryPass]
    public var streams: [SentryPass]
    public var streamHours: Double

    public init(positives: [SentryPass], nearMisses: [SentryPass], streams: [SentryPass], streamHours: Double) {
        self.positives = positives; self.nearMisses = nearMisses; self.streams = streams; self.streamHours = streamHours
    }
}

/// The cascade at one pair of cutoffs.
public struct CascadePoint: Codable, Sendable, Equatable {
    public var sentryCutoff: Double
    /// nil: the Sentry alone.
    public var judgeCutoff: Double?
    public var falseRejectRate: Estimate
    public var falseAcceptsPerHour: Estimate
    public var nearMissAcceptRate: Estimate
    /// Sentry triggers per hour of negative audio: how often the Judge wakes (the big core, the network).
    public var judgeWakeupsPerHour: Double
    /// The Sentry's own figures at its cutoff.
    public var sentryFalseRejectRate: Double
    public var sentryFalseAcceptsPerHour: Double
    /// Of the Sentry's false accepts on negative audio, the share the Judge rejects; of its
    /// detections of positives, the share the Judge keeps.
    public var judgeRejectsFalseAccepts: Double?
    public var judgeKeepsTrueTriggers: Double?
}

public struct CascadeSweep: Sendable {
    public let rule: CascadeRule
    public let passes: CascadePasses
    /// Judge score of each distinct trigger window, by set, clip and step.
    private var scores: [String: Double] = [:]
    public static let sentryGrid: [Double] = (1...19).map { Double($0) / 20 }
    /// Hundredths, with thousandths at both ends (an int8 Judge's probability moves in 1/256 steps).
    public static let judgeGrid: [Double] = (1..<10).map { Double($0) / 1000 } + (1..<100).map { Double($0) / 100 }
        + (0..<10).map { Double(990 + $0) / 1000 }

    /// Scores every trigger window the grid of Sentry cutoffs (and `extraSentryCutoffs`) produces.
    public init(rule: CascadeRule, passes: CascadePasses, judge: any WindowJudge, extraSentryCutoffs: [Double] = [],
                progress: (@Sendable (Double) -> Void)? = nil) throws {
        self.rule = rule
        self.passes = passes
        let lowest = (CascadeSweep.sentryGrid + extraSentryCutoffs).min()!
        var wanted: [(key: String, pass: SentryPass, step: Int)] = []
        for (set, list) in [("p", passes.positives), ("n", passes.nearMisses), ("s", passes.streams)] {
            for (i, pass) in list.enumerated() {
                // Triggers at a higher cutoff are at steps where the window mean is above the lowest
                // one; scoring every step above the lowest cutoff covers them all.
                for step in CascadeSweep.candidateSteps(pass, rule: rule, above: lowest) {
                    wanted.append(("\(set)\(i):\(step)", pass, step))
                }
            }
        }
        let total = wanted.count
        let chunks = stride(from: 0, to: wanted.count, by: 32).map { Array(wanted[$0..<min($0 + 32, wanted.count)]) }
        let done = Counter()
        let scored = try concurrentMap(chunks) { _, chunk -> [Double] in
            let s = try judge.scores(chunk.map { $0.pass.window(triggerStep: $0.step, before: rule.framesBefore, after: rule.framesAfter) })
            progress?(Double(done.add(chunk.count)) / Double(max(total, 1)))
            return s
        }
        for (w, s) in zip(wanted, scored.flatMap { $0 }) { scores[w.key] = s }
    }

    /// Steps where the device detector's window mean exceeds `cutoff` (any trigger at a cutoff at
    /// least this high is at one of them).
    static func candidateSteps(_ pass: SentryPass, rule: CascadeRule, above cutoff: Double) -> [Int] {
        let w = rule.sentry.window
        var out: [Int] = [], sum = 0
        let level = Int((cutoff * Double(256 * w)).rounded(.down))
        for i in pass.outputs.indices {
            sum += Int(pass.outputs[i])
            if i >= w { sum -= Int(pass.outputs[i - w]) }
            if i >= w - 1 && sum > level { out.append(i) }
        }
        return out
    }

    /// The step where the detector's window sum is largest (where the Sentry came closest to firing).
    public static func peakStep(_ pass: SentryPass, window w: Int) -> Int {
        var best = 0, bestSum = -1, sum = 0
        for i in pass.outputs.indices {
            sum += Int(pass.outputs[i])
            if i >= w { sum -= Int(pass.outputs[i - w]) }
            if sum > bestSum { bestSum = sum; best = i }
        }
        return best
    }

    func triggerScores(_ set: String, _ i: Int, _ pass: SentryPass, sentryCutoff: Double) -> [Double] {
        rule.triggers(pass, cutoff: sentryCutoff).map { scores["\(set)\(i):\($0.step)"] ?? 0 }
    }

    /// Each clip's trigger scores at a Sentry cutoff, once for every Judge cutoff.
    struct AtSentryCutoff {
        var positives: [[Double]]
        var nearMisses: [[Double]]
        var streams: [[Double]]
    }

    func at(_ s: Double) -> AtSentryCutoff {
        AtSentryCutoff(positives: passes.positives.enumerated().map { triggerScores("p", $0, $1, sentryCutoff: s) },
                       nearMisses: passes.nearMisses.enumerated().map { triggerScores("n", $0, $1, sentryCutoff: s) },
                       streams: passes.streams.enumerated().map { triggerScores("s", $0, $1, sentryCutoff: s) })
    }

    func point(_ a: AtSentryCutoff, sentryCutoff s: Double, judgeCutoff j: Double?) -> CascadePoint {
        let pass = { (scores: [Double]) in scores.contains { j == nil || $0 > j! } }
        let missed = a.positives.filter { !pass($0) }.count
        let fa = a.streams.map { $0.filter { j == nil || $0 > j! }.count }.reduce(0, +)
        let sentryFA = a.streams.map(\.count).reduce(0, +)
        let sentryMissed = a.positives.filter(\.isEmpty).count
        let truePositiveTriggers = a.positives.filter { !$0.isEmpty }.count
        let hours = passes.streamHours
        return CascadePoint(
            sentryCutoff: s, judgeCutoff: j,
            falseRejectRate: .proportion(missed, of: a.positives.count),
            falseAcceptsPerHour: .rate(fa, perHours: hours),
            nearMissAcceptRate: .proportion(a.nearMisses.filter(pass).count, of: a.nearMisses.count),
            judgeWakeupsPerHour: hours > 0 ? Double(sentryFA) / hours : 0,
            sentryFalseRejectRate: Double(sentryMissed) / Double(max(a.positives.count, 1)),
            sentryFalseAcceptsPerHour: hours > 0 ? Double(sentryFA) / hours : 0,
            judgeRejectsFalseAccepts: j == nil || sentryFA == 0 ? nil : Double(sentryFA - fa) / Double(sentryFA),
            judgeKeepsTrueTriggers: j == nil || truePositiveTriggers == 0 ? nil
                : Double(a.positives.filter { !$0.isEmpty && pass($0) }.count) / Double(truePositiveTriggers))
    }

    /// The Sentry alone at cutoff `s`.
    public func sentryAlone(_ s: Double) -> CascadePoint { point(at(s), sentryCutoff: s, judgeCutoff: nil) }

    public func cascade(sentryCutoff s: Double, judgeCutoff j: Double) -> CascadePoint { point(at(s), sentryCutoff: s, judgeCutoff: j) }

    /// Every point of the grid.
    public func grid(extraSentryCutoffs: [Double] = []) -> [CascadePoint] {
        (CascadeSweep.sentryGrid + extraSentryCutoffs).flatMap { s -> [CascadePoint] in
            let a = at(s)
            return CascadeSweep.judgeGrid.map { point(a, sentryCutoff: s, judgeCutoff: $0) }
        }
    }

    /// The pair with the lowest system FRR at no more than `target` false accepts per hour (fewer
    /// Judge wake-ups, then the higher cutoffs, break ties); nil when no pair meets the target.
    public func choose(target: Double, extraSentryCutoffs: [Double] = []) -> CascadePoint? {
        CascadeSweep.best(in: grid(extraSentryCutoffs: extraSentryCutoffs), target: target)
    }

    /// `choose` over points already computed.
    public static func best(in grid: [CascadePoint], target: Double) -> CascadePoint? {
        grid.filter { $0.falseAcceptsPerHour.value <= target }.min { a, b in
            if a.falseRejectRate.value != b.falseRejectRate.value { return a.falseRejectRate.value < b.falseRejectRate.value }
            if a.judgeWakeupsPerHour != b.judgeWakeupsPerHour { return a.judgeWakeupsPerHour < b.judgeWakeupsPerHour }
            return (a.judgeCutoff ?? 0) > (b.judgeCutoff ?? 0)
        }
    }

    /// The Sentry alone at the lowest cutoff of a fine sweep meeting `target` (nil when none does).
    public func sentryAloneMeeting(target: Double) -> CascadePoint? {
        let fine = (1..<1000).map { Double($0) / 1000 }
        // FA/h falls as the cutoff rises: bisect on the first cutoff that meets the target.
        var lo = 0, hi = fine.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if streamsFalseAccepts(fine[mid]) <= target { hi = mid } else { lo = mid + 1 }
        }
        return lo < fine.count ? sentryAlone(fine[lo]) : nil
    }

    func streamsFalseAccepts(_ s: Double) -> Double {
        let n = passes.streams.map { rule.sentry.detections(.device($0.outputs), cutoff: s).count }.reduce(0, +)
        return passes.streamHours > 0 ? Double(n) / passes.streamHours : 0
    }
}

/// The Sentry alone and the cascade on one set of audio.
public struct CascadeReport: Codable, Sendable {
    public var schemaVersion = 1
    public var corpus: String
    public var split: String
    public var positives: Int
    public var nearMisses: Int
    public var negativeHours: Double
    public var targetFalseAcceptsPerHour: Double
    /// The Sentry alone at the lowest cutoff meeting the target on this audio.
    public var sentryAlone: CascadePoint?
    /// The Sentry at its shipped cutoff, alone.
    public var sentryShipped: CascadePoint?
    /// The cascade at the given cutoffs (chosen on other audio), when given.
    public var cascade: CascadePoint?
    /// The cascade's best pair meeting the target on this audio.
    public var cascadeBest: CascadePoint?
    /// DET curves: the Sentry alone per cutoff, and the cascade's lowest FRR at each false-accept level.
    public var sentryCurve: [CascadePoint]
    public var cascadeCurve: [CascadePoint]

    public init(corpus: String, split: String, positives: Int, nearMisses: Int, negativeHours: Double, targetFalseAcceptsPerHour: Double,
                sentryAlone: CascadePoint?, sentryShipped: CascadePoint?, cascade: CascadePoint?, cascadeBest: CascadePoint?,
                sentryCurve: [CascadePoint], cascadeCurve: [CascadePoint]) {
        self.corpus = corpus; self.split = split; self.positives = positives; self.nearMisses = nearMisses
        self.negativeHours = negativeHours; self.targetFalseAcceptsPerHour = targetFalseAcceptsPerHour
        self.sentryAlone = sentryAlone; self.sentryShipped = sentryShipped; self.cascade = cascade; self.cascadeBest = cascadeBest
        self.sentryCurve = sentryCurve; self.cascadeCurve = cascadeCurve
    }
}
