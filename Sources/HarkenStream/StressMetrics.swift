// StressMetrics.swift: accuracy on audio a model never heard in training, reported the way a user
// needs it: FRR at fixed false-accept rates with 95 % intervals, broken down by condition, SNR,
// engine, speaker and level; near-miss acceptance per near-miss text; the delay after the
// phrase's end; and the shipped cutoff's figures beside the operating points chosen on this audio.
//
// Detection is the device's rule (DetectionRule): a clip is accepted when the detector fires
// anywhere in it; false accepts are the detector's firings on hours of running speech.

import Foundation

/// A scored clip with what the benchmark knows about it.
public struct LabelledClip: Sendable {
    public var clip: ScoredSplit.Clip
    /// Breakdown keys to values: "condition" → "reverb+noise", "snr" → "0–5 dB", "engine" → "flite", ...
    public var tags: [String: String]
    /// Positives: where the phrase ends in the clip (seconds), for the detection delay.
    public var phraseEndS: Double?
    /// Near misses: what was said, and which kind of near miss it is ("neighbour", "partial").
    public var text: String?

    public init(clip: ScoredSplit.Clip, tags: [String: String] = [:], phraseEndS: Double? = nil, text: String? = nil) {
        self.clip = clip; self.tags = tags; self.phraseEndS = phraseEndS; self.text = text
    }
}

/// A proportion or a rate with its 95 % confidence interval.
public struct Estimate: Codable, Sendable, Equatable {
    public var value: Double
    public var low: Double
    public var high: Double
    /// Events counted (misses, acceptances, false accepts) and what they are out of (clips, or hours).
    public var count: Int
    public var of: Double

    /// k of n, with Wilson's score interval (it stays inside 0...1 and is honest at 0 and n).
    public static func proportion(_ k: Int, of n: Int) -> Estimate {
        guard n > 0 else { return Estimate(value: 0, low: 0, high: 1, count: 0, of: 0) }
        let z = 1.959963984540054, p = Double(k) / Double(n), nn = Double(n)
        let centre = (p + z * z / (2 * nn)) / (1 + z * z / nn)
        let half = z / (1 + z * z / nn) * (p * (1 - p) / nn + z * z / (4 * nn * nn)).squareRoot()
        return Estimate(value: p, low: max(0, centre - half), high: min(1, centre + half), count: k, of: nn)
    }

    /// k events in `hours`, per hour, with the exact (Garwood) Poisson interval.
    public static func rate(_ k: Int, perHours hours: Double) -> Estimate {
        guard hours > 0 else { return Estimate(value: 0, low: 0, high: .infinity, count: k, of: 0) }
        let low = k == 0 ? 0 : Poisson.mean(whereCDF: k - 1, is: 0.975)
        let high = Poisson.mean(whereCDF: k, is: 0.025)
        return Estimate(value: Double(k) / hours, low: low / hours, high: high / hours, count: k, of: hours)
    }
}

enum Poisson {
    /// P(X ≤ k) for a Poisson variable of mean `mean`, summed in log space.
    static func cdf(_ k: Int, mean: Double) -> Double {
        guard mean > 0 else { return 1 }
        var total = 0.0
        for i in 0...k {
            total += exp(Double(i) * log(mean) - mean - lgamma(Double(i) + 1))
        }
        return min(total, 1)
    }

    /// The mean at which P(X ≤ k) equals `p` (the CDF falls as the mean grows), by bisection.
    static func mean(whereCDF k: Int, is p: Double) -> Double {
        var lo = 0.0, hi = Double(k) + 20 + 10 * Double(k).squareRoot()
        for _ in 0..<100 {
            let mid = (lo + hi) / 2
            if cdf(k, mean: mid) > p { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }
}

/// One group of a breakdown: FRR of the positives, or false accepts per hour of the streams, in it.
public struct BreakdownRow: Codable, Sendable, Equatable {
    public var key: String
    public var value: String
    public var estimate: Estimate
}

public struct NearMissRow: Codable, Sendable, Equatable {
    public var text: String
    public var kind: String
    public var acceptance: Estimate
}

public struct LatencySummary: Codable, Sendable, Equatable {
    /// Detections counted; delays are from the phrase's end to the step the detector fired.
    public var detections: Int
    public var medianMs: Double
    public var p90Ms: Double
    public var meanMs: Double
}

/// The figures at one cutoff.
public struct OperatingPoint: Codable, Sendable, Equatable {
    public var name: String
    /// The false-accept rate the cutoff was chosen for on this audio (nil: a given cutoff).
    public var targetFAPerHour: Double?
    /// nil when no cutoff of the sweep meets the target.
    public var cutoff: Double?
    public var falseRejectRate: Estimate
    public var falseAcceptsPerHour: Estimate
    /// Acceptance per near-miss kind ("neighbour", "partial").
    public var nearMissAcceptance: [String: Estimate]
    public var latency: LatencySummary?
    /// FRR per group of positives, then false accepts per hour per group of streams (key "streams: ...").
    public var breakdown: [BreakdownRow]
    public var nearMisses: [NearMissRow]
}

public struct StressReport: Codable, Sendable {
    public var schemaVersion = 1
    public var model: String
    public var positives: Int
    public var nearMisses: Int
    public var negativeHours: Double
    public var detectorWindow: Int
    public var refractoryMs: Int
    public var operatingPoints: [OperatingPoint]
    public var det: [DETPoint]
}

/// The stress benchmark's clips, scored by one model.
public struct StressScored: Sendable {
    public var positives: [LabelledClip]
    public var nearMisses: [LabelledClip]
    public var streams: [LabelledClip]

    public init(positives: [LabelledClip], nearMisses: [LabelledClip], streams: [LabelledClip]) {
        self.positives = positives; self.nearMisses = nearMisses; self.streams = streams
    }
}

extension DetectionRule {
    /// The stress report: operating points at each of `targets` false accepts per hour (cutoffs
    /// chosen on this audio, as a DET curve reads) and at the `shipped` cutoff when given.
    /// A target counts as reached only at a cutoff that still accepts some positive (above 255/256
    /// an int8 model's detector can never fire, which meets any target by accepting nothing).
    public func stressReport(_ s: StressScored, model: String, targets: [Double] = [0.1, 0.5, 1], shipped: Double?) -> StressReport {
        let hours = s.streams.map(\.clip.seconds).reduce(0, +) / 3600
        let positives = s.positives.map { windowed($0.clip.trace) }
        let nearMisses = s.nearMisses.map { windowed($0.clip.trace) }
        let streams = s.streams.map { windowed($0.clip.trace) }
        func falseAccepts(_ c: Double) -> [Int] { streams.map { detections($0, cutoff: c).count } }
        func accepted(_ w: Windowed, _ c: Double) -> Bool { !detections(w, cutoff: c, firstOnly: true).isEmpty }

        let det = DetectionRule.fineSweep.map { detPoint($0, positives: positives, nearMisses: nearMisses, streams: streams, hours: hours) }

        func point(_ name: String, target: Double?, cutoff: Double?) -> OperatingPoint {
            guard let c = cutoff else {
                return OperatingPoint(name: name, targetFAPerHour: target, cutoff: nil,
                                      falseRejectRate: .proportion(positives.count, of: positives.count),
                                      falseAcceptsPerHour: .rate(0, perHours: hours), nearMissAcceptance: [:], latency: nil,
                                      breakdown: [], nearMisses: [])
            }
            let hits = positives.map { detections($0, cutoff: c, firstOnly: true).first }
            let fas = falseAccepts(c)
            var rows: [BreakdownRow] = []
            let keys = Set(s.positives.flatMap(\.tags.keys)).sorted()
            for key in keys {
                var groups: [String: (n: Int, missed: Int)] = [:]
                for (clip, hit) in zip(s.positives, hits) {
                    guard let v = clip.tags[key] else { continue }
                    groups[v, default: (0, 0)].n += 1
                    if hit == nil { groups[v, default: (0, 0)].missed += 1 }
                }
                rows += groups.sorted { $0.key < $1.key }.map { BreakdownRow(key: key, value: $0.key, estimate: .proportion($0.value.missed, of: $0.value.n)) }
            }
            for key in Set(s.streams.flatMap(\.tags.keys)).sorted() {
                var groups: [String: (seconds: Double, fa: Int)] = [:]
                for (clip, n) in zip(s.streams, fas) {
                    guard let v = clip.tags[key] else { continue }
                    groups[v, default: (0, 0)].seconds += clip.clip.seconds
                    groups[v, default: (0, 0)].fa += n
                }
                rows += groups.sorted { $0.key < $1.key }.map {
                    BreakdownRow(key: "streams: " + key, value: $0.key, estimate: .rate($0.value.fa, perHours: $0.value.seconds / 3600))
                }
            }
            var byText: [String: (kind: String, n: Int, accepted: Int)] = [:]
            var byKind: [String: (n: Int, accepted: Int)] = [:]
            for (clip, w) in zip(s.nearMisses, nearMisses) {
                let kind = clip.tags["kind"] ?? "near miss", text = clip.text ?? clip.clip.path
                let a = accepted(w, c) ? 1 : 0
                byText[text, default: (kind, 0, 0)].n += 1
                byText[text, default: (kind, 0, 0)].accepted += a
                byKind[kind, default: (0, 0)].n += 1
                byKind[kind, default: (0, 0)].accepted += a
            }
            let nearRows = byText.map { NearMissRow(text: $0.key, kind: $0.value.kind, acceptance: .proportion($0.value.accepted, of: $0.value.n)) }
                .sorted { ($0.acceptance.value, $1.text) > ($1.acceptance.value, $0.text) }
            // The step's last frame ends 20 ms after its hop starts (as in EvalReport).
            let delays = zip(s.positives, hits).compactMap { clip, hit -> Double? in
                guard let end = clip.phraseEndS, let hit else { return nil }
                return (Double(hit.step + 1) * Double(stepMs) / 1000 + 0.02 - end) * 1000
            }.sorted()
            let latency = delays.isEmpty ? nil : LatencySummary(detections: delays.count, medianMs: delays[delays.count / 2],
                                                                p90Ms: delays[min(delays.count - 1, delays.count * 9 / 10)],
                                                                meanMs: delays.reduce(0, +) / Double(delays.count))
            return OperatingPoint(name: name, targetFAPerHour: target, cutoff: c,
                                  falseRejectRate: .proportion(hits.filter { $0 == nil }.count, of: positives.count),
                                  falseAcceptsPerHour: .rate(fas.reduce(0, +), perHours: hours),
                                  nearMissAcceptance: byKind.mapValues { .proportion($0.accepted, of: $0.n) },
                                  latency: latency, breakdown: rows, nearMisses: nearRows)
        }
        func lowest(_ target: Double) -> Double? {
            det.first { $0.falseAcceptsPerHour <= target && $0.falseRejectRate < 1 }?.cutoff
        }
        var points = targets.map { t in point("\(Self.decimal(t)) FA/h", target: t, cutoff: lowest(t)) }
        if let shipped { points.append(point("shipped cutoff \(Self.decimal(shipped))", target: nil, cutoff: shipped)) }
        return StressReport(model: model, positives: positives.count, nearMisses: nearMisses.count, negativeHours: hours,
                            detectorWindow: window, refractoryMs: refractoryMs, operatingPoints: points, det: det)
    }

    /// The stress report's cutoffs: every hundredth below 0.5, every thousandth from 0.5 (where
    /// operating points lie; an int8 detector's window mean moves in steps of 1/(256 × window)).
    public static let fineSweep: [Double] = (1..<50).map { Double($0) / 100 } + (500..<1000).map { Double($0) / 1000 }

    static func decimal(_ x: Double) -> String {
        var s = String(format: "%.3f", x)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
}
