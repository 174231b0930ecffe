// StoredScores.swift: a scored split kept on disk (scores.json beside `harken eval --out`), so any
// cutoff, window and refractory time can be measured again in milliseconds: Studio's threshold
// slider, a later `--cutoff`. Traces are base64 (device bytes, or float32 little-endian).

import Foundation
import HarkenSupport

public struct StoredScores: Codable, Sendable {
    public struct Clip: Codable, Sendable {
        public var path: String
        public var seconds: Double
        /// The int8 model's detector bytes, base64.
        public var device: String?
        /// The float model's probabilities, float32 little-endian, base64.
        public var probabilities: String?

        init(_ c: ScoredSplit.Clip) {
            path = c.path; seconds = c.seconds
            switch c.trace {
            case .device(let b): device = Data(b).base64EncodedString()
            case .probabilities(let p):
                probabilities = p.withUnsafeBufferPointer { Data(buffer: $0) }.base64EncodedString()
            }
        }

        func clip(file: String) throws -> ScoredSplit.Clip {
            if let device, let bytes = Data(base64Encoded: device) {
                return ScoredSplit.Clip(path: path, seconds: seconds, trace: .device([UInt8](bytes)))
            }
            if let probabilities, let bytes = Data(base64Encoded: probabilities), bytes.count % 4 == 0 {
                let values = bytes.withUnsafeBytes { raw in (0..<bytes.count / 4).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) } }
                return ScoredSplit.Clip(path: path, seconds: seconds, trace: .probabilities(values))
            }
            throw StoredScoresError.malformed(file: file, clip: path)
        }
    }

    public var schemaVersion = 1
    public var model: String
    public var split: String
    public var window: Int
    public var refractoryMs: Int
    public var stepMs: Int
    public var positives: [Clip]
    public var nearMisses: [Clip]
    public var streams: [Clip]

    public init(_ m: ModelScores) {
        model = m.model; split = m.scored.split; window = m.rule.window; refractoryMs = m.rule.refractoryMs; stepMs = m.rule.stepMs
        positives = m.scored.positives.map(Clip.init); nearMisses = m.scored.nearMisses.map(Clip.init); streams = m.scored.streams.map(Clip.init)
    }

    /// scores.json read back, every trace decoded.
    public static func load(_ file: String) throws -> ModelScores {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch { throw StoredScoresError.unreadable(file: file, reason: error.localizedDescription) }
        let s: StoredScores
        do { s = try HarkenJSON.decoder().decode(StoredScores.self, from: data) } catch {
            throw StoredScoresError.unreadable(file: file, reason: "\(error)")
        }
        let scored = ScoredSplit(split: s.split, positives: try s.positives.map { try $0.clip(file: file) },
                                 nearMisses: try s.nearMisses.map { try $0.clip(file: file) }, streams: try s.streams.map { try $0.clip(file: file) })
        return ModelScores(model: s.model, rule: DetectionRule(window: s.window, refractoryMs: s.refractoryMs, stepMs: s.stepMs), scored: scored)
    }
}

/// A model's scores over a split and the detector they are measured with.
public struct ModelScores: Sendable {
    public var model: String
    public var rule: DetectionRule
    public var scored: ScoredSplit

    public init(model: String, rule: DetectionRule, scored: ScoredSplit) { self.model = model; self.rule = rule; self.scored = scored }

    /// What `harken eval` reports at `cutoff` (nil: the lowest meeting the target), with this
    /// detector or another window and refractory time.
    public func report(cutoff: Double?, targetFAPerHour: Double, rule other: DetectionRule? = nil, det: [DETPoint]? = nil) -> EvalReport {
        (other ?? rule).evaluate(scored, cutoff: cutoff, targetFAPerHour: targetFAPerHour, model: model, det: det)
    }
}

public enum StoredScoresError: Error, CustomStringConvertible, Equatable {
    case malformed(file: String, clip: String)
    case unreadable(file: String, reason: String)
    public var description: String {
        switch self {
        case let .unreadable(file, reason): return "\(file): cannot read stored scores: \(reason)"
        case let .malformed(file, clip): return "\(file): clip \(clip) has no readable device or probabilities trace"
        }
    }
}
