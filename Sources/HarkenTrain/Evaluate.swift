// Evaluate.swift: false rejects, false accepts per hour and the DET curve, measured by streaming
// audio through the model and the device's detector (mean of the last `window` outputs above the
// cutoff fires; it re-arms when the mean falls back; nothing fires during the refractory time).
//
// Float Sentries are scored with their windowed form over whole files, which equals the
// streaming form step for step once every layer's history is filled (SentryTests); int8 models
// (any .tflite) run step by step in Harken's runtime, exactly as on the device.

import Foundation
import HarkenAudio
import HarkenData
import HarkenGraph
import HarkenNN
import HarkenStream
import HarkenSupport

/// Float models are scored one clip at a time (their layers keep per-call buffers); int8 plans
/// get a runner per clip, so they score on all cores.
public enum Scorer: @unchecked Sendable {
    case float(SentryModel)
    case int8(Plan)

    public var stepFrames: Int {
        switch self {
        case .float(let m): return m.spec.inputStride
        case .int8(let p): return p.inputs[0].elementCount / 40
        }
    }

    /// The model's output probability at every step of the audio (0 while a float model's
    /// history is still filling, as a freshly started device has no history either).
    public func probabilities(_ audio: Audio) throws -> [Float] {
        switch self {
        case .float(let model):
            let x = try SentryModel.features(audio)
            let s = model.spec.inputStride, f = model.spec.features
            let steps = x.shape[1] / s
            guard case .conv(_, let k, _, let d, _) = model.spec.blocks.first else { return [] }
            let lead = (k - 1) * d + 1 - s
            let padded = HarkenNN.Tensor(shape: [1, lead + steps * s, 1, f],
                                         data: [Float](repeating: 0, count: lead * f) + x.data.prefix(steps * s * f))
            guard padded.shape[1] >= model.spec.windowFrames else { return [Float](repeating: 0, count: steps) }
            let logits = model.forward(padded, training: false).data
            let warmup = steps - logits.count
            return [Float](repeating: 0, count: warmup) + logits.map { 1 / (1 + exp(-$0)) }
        case .int8(let plan):
            let sim = try Simulator(plan: plan, detector: DetectorSettings(cutoff: 0.5, window: 1))
            return sim.run(audio).trace!.map { Float($0.probability) }
        }
    }
}

public struct DETPoint: Codable, Sendable {
    public var cutoff: Double
    public var falseRejectRate: Double
    public var falseAcceptsPerHour: Double
    public var nearMissAcceptRate: Double
}

public struct FalseAccept: Codable, Sendable {
    public var clip: String
    public var timeS: Double
    public var meanProbability: Double
}

public struct EvalReport: Codable, Sendable {
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

public struct Evaluator: @unchecked Sendable {
    public var corpus: Corpus
    public var scorer: Scorer
    public var window: Int
    public var refractoryMs: Int

    public init(corpus: Corpus, scorer: Scorer, window: Int, refractoryMs: Int) {
        self.corpus = corpus; self.scorer = scorer; self.window = window; self.refractoryMs = refractoryMs
    }

    /// Mean of the last `window` probabilities at each step (nil until the window is full).
    func means(_ p: [Float]) -> [Float] {
        var out = [Float](repeating: -1, count: p.count)
        var sum: Float = 0
        for i in p.indices {
            sum += p[i]
            if i >= window { sum -= p[i - window] }
            if i >= window - 1 { out[i] = sum / Float(window) }
        }
        return out
    }

    /// Steps where the detector fires at `cutoff`.
    func detections(_ means: [Float], cutoff: Float) -> [Int] {
        let refractory = (refractoryMs + 10 * scorer.stepFrames - 1) / (10 * scorer.stepFrames)
        var fired: [Int] = [], armed = true, blocked = 0
        for (i, m) in means.enumerated() {
            let wasBlocked = blocked > 0
            if wasBlocked { blocked -= 1 }
            if !armed && m <= cutoff { armed = true }
            if !wasBlocked && armed && m > cutoff { fired.append(i); armed = false; blocked = refractory }
        }
        return fired
    }

    /// Scores every clip of the split once; `cutoff` nil picks the lowest cutoff meeting
    /// `targetFAPerHour` on this split's negative audio.
    public func run(split: ClipRecord.Split, cutoff fixed: Double?, targetFAPerHour: Double, modelName: String,
                    progress: @escaping @Sendable (Double) -> Void = { _ in }) throws -> EvalReport {
        let positives = corpus.clips([.positive], split), nearMisses = corpus.clips([.nearMiss], split)
        let streams = corpus.clips([.stream], split)
        guard !positives.isEmpty else { throw TrainError.data("\(corpus.root): no positive clips in the \(split.rawValue) split") }
        guard !streams.isEmpty else {
            throw TrainError.data("\(corpus.root): no continuous negative audio in the \(split.rawValue) split (harken synth --test-minutes/--validation-minutes)")
        }
        let total = Double(positives.count + nearMisses.count + streams.count)
        let done = Counter()
        let pad = [Int16](repeating: 0, count: 16000)
        let scorer = self.scorer
        // Clips are scored alone, between a second of silence before and after.
        @Sendable func peak(_ r: ClipRecord) throws -> Float {
            let audio = Audio(samples: pad + (try corpus.samples(r)).map { Int16(clamping: Int($0)) } + pad)
            let m = means(try scorer.probabilities(audio)).max() ?? 0
            progress(Double(done.increment()) / total)
            return m
        }
        // Float models batch through BLAS on all cores already; int8 plans run one clip per core.
        let parallel: Bool
        if case .int8 = scorer { parallel = true } else { parallel = false }
        func each<T: Sendable>(_ items: [ClipRecord], _ body: @escaping @Sendable (ClipRecord) throws -> T) throws -> [T] {
            parallel ? try concurrentMap(items) { _, r in try body(r) } : try items.map(body)
        }
        let positivePeaks = try each(positives) { try peak($0) }
        let nearPeaks = try each(nearMisses) { try peak($0) }
        let streamMeans = try each(streams) { r -> [Float] in
            let audio = Audio(samples: (try corpus.samples(r)).map { Int16(clamping: Int($0)) })
            let m = means(try scorer.probabilities(audio))
            progress(Double(done.increment()) / total)
            return m
        }
        let hours = streams.map(\.seconds).reduce(0, +) / 3600

        func point(_ c: Float) -> DETPoint {
            let fa = streamMeans.map { detections($0, cutoff: c).count }.reduce(0, +)
            return DETPoint(cutoff: Double(c),
                            falseRejectRate: Double(positivePeaks.filter { $0 <= c }.count) / Double(positivePeaks.count),
                            falseAcceptsPerHour: Double(fa) / hours,
                            nearMissAcceptRate: nearPeaks.isEmpty ? 0 : Double(nearPeaks.filter { $0 > c }.count) / Double(nearPeaks.count))
        }
        let cutoffs = (1..<100).map { Float($0) / 100 } + (0..<10).map { 0.99 + Float($0) / 1000 }
        let det = cutoffs.map(point)
        let chosen: Double, reason: String
        if let fixed {
            chosen = fixed; reason = "given"
        } else {
            chosen = det.first { $0.falseAcceptsPerHour <= targetFAPerHour }?.cutoff ?? 0.999
            reason = "lowest cutoff with at most \(targetFAPerHour) false accepts per hour on this split"
        }
        let at = point(Float(chosen))
        var falseAccepts: [FalseAccept] = []
        let stepS = Double(scorer.stepFrames) / 100
        for (r, m) in zip(streams, streamMeans) {
            for i in detections(m, cutoff: Float(chosen)) {
                falseAccepts.append(FalseAccept(clip: r.path, timeS: Double(i + 1) * stepS + 0.02, meanProbability: Double(m[i])))
            }
        }
        for (r, p) in zip(nearMisses, nearPeaks) where p > Float(chosen) {
            falseAccepts.append(FalseAccept(clip: r.path, timeS: 0, meanProbability: Double(p)))
        }
        let missed = zip(positives, positivePeaks).filter { $0.1 <= Float(chosen) }.map(\.0.path)
        return EvalReport(model: modelName, split: split.rawValue, positives: positives.count, nearMisses: nearMisses.count,
                          negativeHours: hours, detectorWindow: window, refractoryMs: refractoryMs, cutoff: chosen,
                          cutoffChosenFor: reason, falseRejectRate: at.falseRejectRate, falseAcceptsPerHour: at.falseAcceptsPerHour,
                          nearMissAcceptRate: at.nearMissAcceptRate, det: det, falseAccepts: falseAccepts, missed: missed)
    }
}

extension EvalReport {
    /// The DET curve as an SVG: false rejects against false accepts per hour (log scale).
    public func detSVG() -> String {
        let (w, h, m) = (560.0, 400.0, 50.0)
        func x(_ fa: Double) -> Double { m + (log10(max(fa, 0.01)) + 2) / 4 * (w - 2 * m) }   // 0.01 ... 100 per hour
        func y(_ frr: Double) -> Double { h - m - frr * (h - 2 * m) }
        let points = det.map { String(format: "%.1f,%.1f", x($0.falseAcceptsPerHour), y($0.falseRejectRate)) }.joined(separator: " ")
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        svg += String(format: "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"black\"/>\n", m, h - m, w - m, h - m)
        svg += String(format: "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"black\"/>\n", m, m, m, h - m)
        for fa in [0.01, 0.1, 1, 10, 100] {
            svg += String(format: "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%g</text>\n", x(fa), h - m + 16, fa)
        }
        for frr in [0, 0.25, 0.5, 0.75, 1] {
            svg += String(format: "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n", m - 6, y(frr) + 4, frr)
        }
        svg += "<text x=\"\(Int(w / 2))\" y=\"\(Int(h - 12))\" text-anchor=\"middle\">false accepts per hour</text>\n"
        svg += "<text x=\"14\" y=\"\(Int(h / 2))\" transform=\"rotate(-90 14 \(Int(h / 2)))\" text-anchor=\"middle\">false reject rate</text>\n"
        svg += "<polyline fill=\"none\" stroke=\"#1f5fbf\" stroke-width=\"2\" points=\"\(points)\"/>\n"
        svg += String(format: "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#c0392b\"/>\n", x(falseAcceptsPerHour), y(falseRejectRate))
        svg += "<text x=\"\(Int(w / 2))\" y=\"20\" text-anchor=\"middle\">\(model) (\(split)): cutoff \(String(format: "%.3f", cutoff)), FRR \(String(format: "%.1f", falseRejectRate * 100)) %, \(String(format: "%.2f", falseAcceptsPerHour)) FA/h</text>\n"
        return svg + "</svg>\n"
    }
}
