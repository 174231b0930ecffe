// TrainConfig.swift: every training hyper-parameter, the presets, and harken.yaml overrides.
//
// A preset alone trains a model; `harken.yaml` may override any key (snake_case, nested under
// `augment:` for the robustness engine). An unknown key is an error naming the file, the key and
// the nearest valid one, so a typo never silently trains with a default.

import Foundation
import HarkenData
import HarkenSupport
import Yams

public struct TrainConfig: Codable, Sendable, Equatable {
    public var architecture: SentryArchitecture
    public var epochs: Int
    public var batchSize: Int
    /// Steps of the training set per epoch: positives × positive_repeats, negatives in proportion.
    public var positiveRepeats: Int
    public var negativesPerPositive: Double
    public var learningRate: Float
    public var minLearningRate: Float
    public var warmupEpochs: Double
    public var weightDecay: Float
    public var gradientClip: Float
    public var dropout: Float
    /// Weight of negative examples in the loss (false accepts cost more than misses).
    public var negativeWeight: Float
    public var loss: String
    /// Positives are learnt as 1 − label_smoothing: the model keeps the top of its output range
    /// free, so its most confident speech and the phrase do not both sit at 255/256 where no
    /// cutoff separates them. Optional so configurations saved before it existed still load.
    public var labelSmoothing: Float?
    /// Streaming detector used for evaluation: outputs averaged and the pause after a detection.
    public var detectorWindow: Int
    public var refractoryMs: Int
    public var targetFalseAcceptsPerHour: Double
    public var seed: UInt64
    public var augment: AugmentConfig

    public static func preset(_ name: String) throws -> TrainConfig {
        var c = TrainConfig(architecture: .tinyConvV2, epochs: 30, batchSize: 64, positiveRepeats: 4,
                            negativesPerPositive: 5, learningRate: 0.003, minLearningRate: 0.00005,
                            warmupEpochs: 1, weightDecay: 0.01, gradientClip: 5, dropout: 0.1, negativeWeight: 2,
                            loss: "bce", labelSmoothing: 0.1, detectorWindow: 5, refractoryMs: 1000, targetFalseAcceptsPerHour: 0.5,
                            seed: 1, augment: AugmentConfig())
        switch name {
        case "tiny": c.epochs = 12; c.positiveRepeats = 2
        // The ESP32-S3 runs microWakeWord's MixedNet under ESPHome; the same family here.
        case "esp32": c.architecture = .mixedNet
        case "cortex-m4": c.architecture = .mixedNet
        case "accurate": c.architecture = .mobileNetV3Small; c.epochs = 40
        default: throw TrainError.config("unknown preset '\(name)'; presets are \(presets.joined(separator: ", "))")
        }
        return c
    }

    public static let presets = ["tiny", "esp32", "cortex-m4", "accurate"]

    static func coders() -> (JSONEncoder, JSONDecoder) {
        let e = JSONEncoder(), d = JSONDecoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys]
        d.keyDecodingStrategy = .convertFromSnakeCase
        return (e, d)
    }

    public func json() throws -> String {
        String(decoding: try TrainConfig.coders().0.encode(self), as: UTF8.self)
    }

    public static func fromJSON(_ text: String) throws -> TrainConfig {
        try coders().1.decode(TrainConfig.self, from: Data(text.utf8))
    }

    /// The preset with the YAML file's keys laid over it.
    public func overridden(byYAML path: String) throws -> TrainConfig {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw TrainError.config("\(path): cannot read the file")
        }
        let loaded: Any?
        do { loaded = try Yams.load(yaml: text) } catch {
            throw TrainError.config("\(path): not valid YAML (\(error))")
        }
        guard let overrides = loaded as? [String: Any] ?? (loaded == nil ? [:] : nil) else {
            throw TrainError.config("\(path): expected a mapping of keys to values at the top level")
        }
        let (encoder, decoder) = TrainConfig.coders()
        var base = try JSONSerialization.jsonObject(with: try encoder.encode(self)) as! [String: Any]
        try TrainConfig.merge(overrides, into: &base, path: path, prefix: "")
        do {
            return try decoder.decode(TrainConfig.self, from: try JSONSerialization.data(withJSONObject: base))
        } catch DecodingError.typeMismatch(let type, let context), DecodingError.valueNotFound(let type, let context) {
            let key = context.codingPath.map { $0.stringValue.snakeCased }.joined(separator: ".")
            throw TrainError.config("\(path): \(key) must be \(String(describing: type).lowercased())")
        } catch DecodingError.dataCorrupted(let context) {
            let key = context.codingPath.map { $0.stringValue.snakeCased }.joined(separator: ".")
            throw TrainError.config("\(path): \(key): \(context.debugDescription)")
        }
    }

    private static func merge(_ overrides: [String: Any], into base: inout [String: Any], path: String, prefix: String) throws {
        for (key, value) in overrides {
            guard let current = base[key] else {
                let near = base.keys.min { editDistance(Array($0), Array(key)) < editDistance(Array($1), Array(key)) } ?? ""
                throw TrainError.config("\(path): unknown key '\(prefix)\(key)' (did you mean '\(prefix)\(near)'?)")
            }
            if var nested = current as? [String: Any] {
                guard let sub = value as? [String: Any] else {
                    throw TrainError.config("\(path): '\(prefix)\(key)' is a section; give it keys")
                }
                try merge(sub, into: &nested, path: path, prefix: prefix + key + ".")
                base[key] = nested
            } else {
                base[key] = value
            }
        }
    }
}
