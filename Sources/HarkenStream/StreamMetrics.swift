// StreamMetrics.swift: false rejects, false accepts per hour, near-miss acceptance and the DET
// curve, from the per-step outputs of a model over clips and hours of continuous negative audio.
//
// The detector is the device's: fire when the mean of the last `window` outputs exceeds the cutoff,
// re-arm once it falls back to the cutoff or below, nothing fires during the refractory time.
// Int8 models' outputs go through the device's own hk_detector (C); float models' probabilities
// through the same rule in double precision (DetectionRuleTests holds the two together).

import Foundation
import HarkenRuntime

/// A model's output at every inference step of one clip, in the form its detector reads.
public enum ScoreTrace: Sendable, Equatable {
    /// A float model's probabilities (0...1); 0 while its history is still filling.
    case probabilities([Float])
    /// An int8 model's output as the device's detector receives it: probability × 256 as a byte.
    case device([UInt8])
}

/// The detector a stream evaluation applies: window, refractory time, and the step it runs at.
public struct DetectionRule: Sendable, Equatable {
    public var window: Int
    public var refractoryMs: Int
    public var stepMs: Int

    public init(window: Int, refractoryMs: Int, stepMs: Int) {
        self.window = window; self.refractoryMs = refractoryMs; self.stepMs = stepMs
    }

    /// Steps where the detector fires at `cutoff`, and the window mean then.
    public func detections(_ trace: ScoreTrace, cutoff: Double) -> [(step: Int, mean: Double)] {
        detections(windowed(trace), cutoff: cutoff)
    }

    /// Whether a clip heard alone makes the detector fire at `cutoff`.
    public func accepts(_ trace: ScoreTrace, cutoff: Double) -> Bool {
        !detections(windowed(trace), cutoff: cutoff, firstOnly: true).isEmpty
    }

    /// A trace made ready for many cutoffs: a float trace's window means are computed once.
    enum Windowed {
        case means([Double])
        case device([UInt8])
    }

    func windowed(_ trace: ScoreTrace) -> Windowed {
        switch trace {
        case .probabilities(let p): return .means(floatMeans(p))
        case .device(let b): return .device(b)
        }
    }

    func detections(_ w: Windowed, cutoff: Double, firstOnly: Bool = false) -> [(step: Int, mean: Double)] {
        switch w {
        case .means(let m): return floatDetections(m, cutoff: cutoff, firstOnly: firstOnly)
        case .device(let b): return deviceDetections(b, cutoff: cutoff, firstOnly: firstOnly)
        }
    }

    /// The detector's window mean at every step (-1 until the window is full), as it compares them with the cutoff.
    public func windowMeans(_ trace: ScoreTrace) -> [Double] {
        switch trace {
        case .probabilities(let p): return floatMeans(p)
        case .device(let b):
            var sum = 0
            return b.indices.map { i in
                sum += Int(b[i])
                if i >= window { sum -= Int(b[i - window]) }
                return i >= window - 1 ? Double(sum) / Double(256 * window) : -1
            }
        }
    }

    /// The largest window mean of the trace (0 when it is shorter than the window).
    public func peak(_ trace: ScoreTrace) -> Double {
        switch trace {
        case .probabilities(let p): return floatMeans(p).max() ?? 0
        case .device(let b):
            var best = 0
            var sum = 0
            for i in b.indices {
                sum += Int(b[i])
                if i >= window { sum -= Int(b[i - window]) }
                if i >= window - 1 { best = max(best, sum) }
            }
            return Double(best) / Double(256 * window)
        }
    }

    var refractorySteps: Int { (refractoryMs + stepMs - 1) / max(stepMs, 1) }

    /// Mean of the last `window` probabilities at each step (-1 until the window is full).
    func floatMeans(_ p: [Float]) -> [Double] {
        var out = [Double](repeating: -1, count: p.count)
        var sum = 0.0
        for i in p.indices {
            sum += Double(p[i])
            if i >= window { sum -= Double(p[i - window]) }
            if i >= window - 1 { out[i] = sum / Double(window) }
        }
        return out
    }

    func floatDetections(_ means: [Double], cutoff: Double, firstOnly: Bool) -> [(step: Int, mean: Double)] {
        let refractory = refractorySteps
        var fired: [(step: Int, mean: Double)] = [], armed = true, blocked = 0
        for (i, m) in means.enumerated() {
            let wasBlocked = blocked > 0
            if wasBlocked { blocked -= 1 }
            if !armed && m <= cutoff { armed = true }
            if !wasBlocked && armed && m > cutoff {
                fired.append((i, m))
                if firstOnly { break }
                armed = false
                blocked = refractory
            }
        }
        return fired
    }

    func deviceDetections(_ b: [UInt8], cutoff: Double, firstOnly: Bool) -> [(step: Int, mean: Double)] {
        var detector = hk_detector_t()
        var config = DetectorSettings(cutoff: cutoff, window: window, refractoryMs: refractoryMs).config(stepMs: stepMs)
        guard hk_detector_init(&detector, &config) == 0 else { return [] }
        var fired: [(step: Int, mean: Double)] = []
        for (i, v) in b.enumerated() where hk_detector_push(&detector, v) != 0 {
            fired.append((i, Double(hk_detector_sum(&detector)) / Double(256 * window)))
            if firstOnly { break }
        }
        return fired
    }
}

public struct DETPoint: Codable, Sendable, Equatable {
    public var cutoff: Double
    public var falseRejectRate: Double
    public var falseAcceptsPerHour: Double
    public var nearMissAcceptRate: Double
}

public struct FalseAccept: Codable, Sendable, Equatable {
    public var clip: String
    public var timeS: Double
    public var meanProbability: Double
}

public struct EvalReport: Codable, Sendable {
    public var schemaVersion = 1
    public var model: String
    public var split: String
    public var positives: Int
    public var nearMisses: Int
    public var negativeHours: Double
    public var detectorWindow: Int
    public var refractoryMs: Int
    public var cutoff: Double
    public var cutoffChosenFor: String
    public var falseRejectRate: Double
    public var falseAcceptsPerHour: Double
    public var nearMissAcceptRate: Double
    public var det: [DETPoint]
    public var falseAccepts: [FalseAccept]
    public var missed: [String]
}

/// Scored clips of one split: positives and near misses (each heard alone) and continuous negative audio.
public struct ScoredSplit: Sendable {
    public struct Clip: Sendable {
        public var path: String
        public var seconds: Double
        public var trace: ScoreTrace
        public init(path: String, seconds: Double, trace: ScoreTrace) { self.path = path; self.seconds = seconds; self.trace = trace }
    }
    public var split: String
    public var positives: [Clip]
    public var nearMisses: [Clip]
    public var streams: [Clip]

    public init(split: String, positives: [Clip], nearMisses: [Clip], streams: [Clip]) {
        self.split = split; self.positives = positives; self.nearMisses = nearMisses; self.streams = streams
    }
}

extension DetectionRule {
    /// FRR, false accepts per hour and near-miss acceptance at cutoff `c`: one point of a DET curve.
    func detPoint(_ c: Double, positives: [Windowed], nearMisses: [Windowed], streams: [Windowed], hours: Double) -> DETPoint {
        func accepted(_ w: Windowed) -> Bool { !detections(w, cutoff: c, firstOnly: true).isEmpty }
        let fa = streams.map { detections($0, cutoff: c).count }.reduce(0, +)
        return DETPoint(cutoff: c, falseRejectRate: Double(positives.filter { !accepted($0) }.count) / Double(max(positives.count, 1)),
                        falseAcceptsPerHour: hours > 0 ? Double(fa) / hours : 0,
                        nearMissAcceptRate: nearMisses.isEmpty ? 0 : Double(nearMisses.filter(accepted).count) / Double(nearMisses.count))
    }

    /// The cutoffs of the DET sweep: every hundredth, then every thousandth above 0.99, as the
    /// decimals they print as (so `--cutoff 0.9` and the sweep's 0.90 are one threshold).
    public static let sweep: [Double] = (1..<100).map { Double($0) / 100 } + (0..<10).map { Double(990 + $0) / 1000 }

    /// FRR, false accepts per hour and near-miss acceptance at `cutoff`, or (nil) at the lowest
    /// cutoff of the sweep meeting `targetFAPerHour` on this split's negative audio.
    /// The DET curve alone: what every cutoff of the sweep gives on this split.
    public func det(_ scored: ScoredSplit) -> [DETPoint] {
        let hours = scored.streams.map(\.seconds).reduce(0, +) / 3600
        let positives = scored.positives.map { windowed($0.trace) }
        let nearMisses = scored.nearMisses.map { windowed($0.trace) }
        let streams = scored.streams.map { windowed($0.trace) }
        return DetectionRule.sweep.map { detPoint($0, positives: positives, nearMisses: nearMisses, streams: streams, hours: hours) }
    }

    /// `evaluate` with the DET curve `det(scored)` already computed (a threshold slider moving over
    /// the same scores recomputes only its own cutoff).
    public func evaluate(_ scored: ScoredSplit, cutoff fixed: Double?, targetFAPerHour: Double, model: String, det known: [DETPoint]? = nil) -> EvalReport {
        let hours = scored.streams.map(\.seconds).reduce(0, +) / 3600
        // Each clip's window means once, for every cutoff of the sweep.
        let positives = scored.positives.map { windowed($0.trace) }
        let nearMisses = scored.nearMisses.map { windowed($0.trace) }
        let streams = scored.streams.map { windowed($0.trace) }
        func accepted(_ w: Windowed, _ c: Double) -> Bool { !detections(w, cutoff: c, firstOnly: true).isEmpty }
        func point(_ c: Double) -> DETPoint { detPoint(c, positives: positives, nearMisses: nearMisses, streams: streams, hours: hours) }
        let det = known ?? DetectionRule.sweep.map(point)
        let chosen: Double, reason: String
        if let fixed {
            chosen = fixed; reason = "given"
        } else {
            chosen = det.first { $0.falseAcceptsPerHour <= targetFAPerHour }?.cutoff ?? 0.999
            reason = "lowest cutoff with at most \(targetFAPerHour) false accepts per hour on this split"
        }
        let at = point(chosen)
        var falseAccepts: [FalseAccept] = []
        let stepS = Double(stepMs) / 1000
        for (clip, w) in zip(scored.streams, streams) {
            for d in detections(w, cutoff: chosen) {
                // The step's last frame ends 20 ms after its 10 ms hop starts.
                falseAccepts.append(FalseAccept(clip: clip.path, timeS: Double(d.step + 1) * stepS + 0.02, meanProbability: d.mean))
            }
        }
        for (clip, w) in zip(scored.nearMisses, nearMisses) where accepted(w, chosen) {
            falseAccepts.append(FalseAccept(clip: clip.path, timeS: 0, meanProbability: peak(clip.trace)))
        }
        let missed = zip(scored.positives, positives).filter { !accepted($0.1, chosen) }.map(\.0.path)
        return EvalReport(model: model, split: scored.split, positives: positives.count, nearMisses: nearMisses.count,
                          negativeHours: hours, detectorWindow: window, refractoryMs: refractoryMs, cutoff: chosen,
                          cutoffChosenFor: reason, falseRejectRate: at.falseRejectRate, falseAcceptsPerHour: at.falseAcceptsPerHour,
                          nearMissAcceptRate: at.nearMissAcceptRate, det: det, falseAccepts: falseAccepts, missed: missed)
    }

}
