// StudioConfig.swift: every key `harken.yaml` takes, grouped, with its type, valid range, the
// preset's default and the project's value: the Train screen's expert panel. Saving writes
// harken.yaml (the file the CLI reads) only after TrainConfig itself has accepted it.

import Foundation
import HarkenSupport
import HarkenTrain
import Yams

public struct StudioConfigKey: Codable, Sendable {
    public var key: String
    public var type: String
    public var `default`: StudioValue
    public var value: StudioValue
    public var min: Double?
    public var max: Double?
    public var choices: [String]?
    public var help: String
}

public struct StudioConfigGroup: Codable, Sendable {
    public var name: String
    public var keys: [StudioConfigKey]
}

public struct StudioConfigSchema: Codable, Sendable {
    public var schemaVersion = 1
    public var file: String
    public var preset: String
    public var groups: [StudioConfigGroup]
}

public struct StudioConfigUpdate: Codable, Sendable {
    public var values: [String: StudioValue]
}

enum StudioConfigKeys {
    struct Key { var key: String; var group: String; var min: Double?; var max: Double?; var choices: [String]?; var help: String }

    /// The valid ranges are what training can use, not what it has been tuned on.
    static let all: [Key] = [
        Key(key: "architecture", group: "Model", min: nil, max: nil, choices: SentryArchitecture.allCases.map(\.rawValue), help: "Sentry network family"),
        Key(key: "epochs", group: "Schedule", min: 1, max: 1000, choices: nil, help: "passes over the training set"),
        Key(key: "batch_size", group: "Schedule", min: 1, max: 4096, choices: nil, help: "windows per optimiser step"),
        Key(key: "positive_repeats", group: "Schedule", min: 1, max: 100, choices: nil, help: "times each positive is seen per epoch, augmented anew"),
        Key(key: "negatives_per_positive", group: "Schedule", min: 0.1, max: 100, choices: nil, help: "negative windows per positive window"),
        Key(key: "learning_rate", group: "Optimiser", min: 1e-6, max: 1, choices: nil, help: "peak learning rate (after warm-up)"),
        Key(key: "min_learning_rate", group: "Optimiser", min: 0, max: 1, choices: nil, help: "learning rate at the end of the cosine decay"),
        Key(key: "warmup_epochs", group: "Optimiser", min: 0, max: 100, choices: nil, help: "epochs of linear warm-up"),
        Key(key: "weight_decay", group: "Optimiser", min: 0, max: 1, choices: nil, help: "AdamW weight decay"),
        Key(key: "gradient_clip", group: "Optimiser", min: 0, max: 1000, choices: nil, help: "global gradient norm clip (0: off)"),
        Key(key: "dropout", group: "Regularisation", min: 0, max: 0.9, choices: nil, help: "dropout before the classifier"),
        Key(key: "negative_weight", group: "Loss", min: 0.01, max: 100, choices: nil, help: "weight of negatives in the loss: false accepts cost more than misses"),
        Key(key: "loss", group: "Loss", min: nil, max: nil, choices: ["bce", "focal"], help: "loss function"),
        Key(key: "label_smoothing", group: "Loss", min: 0, max: 0.5, choices: nil, help: "positives learnt as 1 − this"),
        Key(key: "detector_window", group: "Detector", min: 1, max: 100, choices: nil, help: "outputs averaged by the detector"),
        Key(key: "refractory_ms", group: "Detector", min: 0, max: 60000, choices: nil, help: "pause after a detection"),
        Key(key: "target_false_accepts_per_hour", group: "Detector", min: 0.01, max: 100, choices: nil, help: "false accepts per hour the shipped cutoff meets on validation voices"),
        Key(key: "seed", group: "Schedule", min: 0, max: Double(Int32.max), choices: nil, help: "random seed"),
        Key(key: "augment.speed_probability", group: "Augmentation", min: 0, max: 1, choices: nil, help: "chance of a speed change"),
        Key(key: "augment.pitch_probability", group: "Augmentation", min: 0, max: 1, choices: nil, help: "chance of a pitch shift"),
        Key(key: "augment.reverb_probability", group: "Augmentation", min: 0, max: 1, choices: nil, help: "chance of a simulated or uploaded room"),
        Key(key: "augment.rooms", group: "Augmentation", min: 1, max: 1000, choices: nil, help: "simulated rooms"),
        Key(key: "augment.noise_probability", group: "Augmentation", min: 0, max: 1, choices: nil, help: "chance of background noise"),
        Key(key: "augment.second_noise_probability", group: "Augmentation", min: 0, max: 1, choices: nil, help: "chance of a second background"),
    ]

    static func flatten(_ object: [String: Any], prefix: String = "") -> [String: Any] {
        var out: [String: Any] = [:]
        for (k, v) in object {
            if let nested = v as? [String: Any] { out.merge(flatten(nested, prefix: prefix + k + "."), uniquingKeysWith: { a, _ in a }) }
            else { out[prefix + k] = v }
        }
        return out
    }

    static func value(_ any: Any?) -> StudioValue {
        switch any {
        case let n as NSNumber where String(cString: n.objCType) == "c": return .bool(n.boolValue)
        case let n as NSNumber where String(cString: n.objCType) == "d" || String(cString: n.objCType) == "f": return .number(n.doubleValue)
        case let n as NSNumber: return .int(n.intValue)
        case let s as String: return .string(s)
        default: return .string(any.map { "\($0)" } ?? "")
        }
    }
}

extension StudioProject {
    func configObject(_ config: TrainConfig) throws -> [String: Any] {
        StudioConfigKeys.flatten(try JSONSerialization.jsonObject(with: Data(try config.json().utf8)) as! [String: Any])
    }

    public func configSchema() throws -> StudioConfigSchema {
        let preset = settings().preset
        let defaults = try configObject(try TrainConfig.preset(preset))
        let current = try configObject(try Pipeline.trainConfig(preset: preset, yaml: FileManager.default.fileExists(atPath: configFile) ? configFile : nil, epochs: nil))
        var groups: [StudioConfigGroup] = []
        for k in StudioConfigKeys.all {
            let d = StudioConfigKeys.value(defaults[k.key]), v = StudioConfigKeys.value(current[k.key] ?? defaults[k.key])
            let type: String
            switch d { case .int: type = "int"; case .number: type = "number"; case .bool: type = "bool"; case .string: type = "string" }
            let key = StudioConfigKey(key: k.key, type: type, default: d, value: v, min: k.min, max: k.max, choices: k.choices, help: k.help)
            if let i = groups.firstIndex(where: { $0.name == k.group }) { groups[i].keys.append(key) } else { groups.append(.init(name: k.group, keys: [key])) }
        }
        return StudioConfigSchema(file: "harken.yaml", preset: preset, groups: groups)
    }

    /// Lays `values` over harken.yaml: each key known and in range, the result accepted by
    /// TrainConfig, then written through a temporary file.
    public func updateConfig(_ values: [String: StudioValue]) throws -> StudioConfigSchema {
        let known = Dictionary(uniqueKeysWithValues: StudioConfigKeys.all.map { ($0.key, $0) })
        var yaml: [String: Any] = [:]
        if let text = try? String(contentsOfFile: configFile, encoding: .utf8), let loaded = try? Yams.load(yaml: text) as? [String: Any] {
            yaml = loaded
        }
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            guard let k = known[key] else { throw StudioError.badRequest("values.\(key): unknown key; expected one of \(known.keys.sorted().joined(separator: ", "))") }
            let plain: Any
            switch value {
            case .int(let i): plain = i
            case .number(let d): plain = d
            case .bool(let b): plain = b
            case .string(let s): plain = s
            }
            if let choices = k.choices {
                guard case .string(let s) = value else { throw StudioError.badRequest("values.\(key): expected a string, got \(value)") }
                guard choices.contains(s) else { throw StudioError.unprocessable("values.\(key): expected one of \(choices.joined(separator: ", ")), got \(value)") }
            } else {
                let number: Double
                switch value {
                case .int(let i): number = Double(i)
                case .number(let d): number = d
                default: throw StudioError.badRequest("values.\(key): expected a number, got \(value)")
                }
                if let lo = k.min, number < lo { throw StudioError.unprocessable("values.\(key): \(value) is below the minimum \(lo)") }
                if let hi = k.max, number > hi { throw StudioError.unprocessable("values.\(key): \(value) is above the maximum \(hi)") }
            }
            let parts = key.split(separator: ".").map(String.init)
            if parts.count == 2 {
                var section = yaml[parts[0]] as? [String: Any] ?? [:]
                section[parts[1]] = plain
                yaml[parts[0]] = section
            } else {
                yaml[key] = plain
            }
        }
        let text = try Yams.dump(object: yaml, sortKeys: true)
        let tmp = configFile + ".check-\(getpid())"
        try text.write(toFile: tmp, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        do { _ = try TrainConfig.preset(settings().preset).overridden(byYAML: tmp) } catch {
            throw StudioError.unprocessable("\(error)".replacingOccurrences(of: tmp, with: "harken.yaml"))
        }
        try Pipeline.writeAtomically(Data(text.utf8), to: configFile)
        return try configSchema()
    }
}
