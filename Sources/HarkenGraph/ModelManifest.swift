import Foundation

/// The JSON manifest beside a model: ESPHome micro_wake_word v2 fields, plus Harken's own.
public struct ModelManifest: Codable, Sendable {
    public struct Micro: Codable, Sendable {
        public init(probability_cutoff: Double, feature_step_size: Int?, sliding_window_size: Int, tensor_arena_size: Int?,
                    minimum_esphome_version: String?) {
            self.probability_cutoff = probability_cutoff
            self.feature_step_size = feature_step_size
            self.sliding_window_size = sliding_window_size
            self.tensor_arena_size = tensor_arena_size
            self.minimum_esphome_version = minimum_esphome_version
        }

        public var probability_cutoff: Double
        public var feature_step_size: Int?
        public var sliding_window_size: Int
        public var tensor_arena_size: Int?
        public var minimum_esphome_version: String?
    }

    public var type: String?
    public var wake_word: String
    public var author: String?
    public var website: String?
    public var model: String?
    public var trained_languages: [String]?
    public var version: Int?
    public var micro: Micro
    /// Harken's: the cascade's Judge stage behind this Sentry, when there is one. ESPHome refuses
    /// unknown keys, so what goes to ESPHome is `esphome` (without it).
    public var judge: JudgeStage?

    public init(type: String?, wake_word: String, author: String?, model: String?, version: Int?, micro: Micro, judge: JudgeStage? = nil) {
        (self.type, self.wake_word, self.author, self.model, self.version, self.micro) = (type, wake_word, author, model, version, micro)
        self.judge = judge
    }

    /// The manifest as ESPHome's micro_wake_word reads it: Harken's own fields left out.
    public var esphome: ModelManifest {
        var m = self
        m.judge = nil
        return m
    }

    /// Reads `<model>.json` beside a `.tflite`, or the given manifest path.
    public static func load(path: String) throws -> ModelManifest {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw GraphError.unreadable(file: path, reason: "cannot read the manifest: \((error as NSError).localizedDescription)")
        }
        do {
            return try JSONDecoder().decode(ModelManifest.self, from: data)
        } catch let DecodingError.keyNotFound(key, ctx) {
            throw GraphError.invalid(file: path, location: (ctx.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: "."), expected: "a value (the field is missing)")
        } catch let DecodingError.typeMismatch(type, ctx) {
            throw GraphError.invalid(file: path, location: ctx.codingPath.map(\.stringValue).joined(separator: "."), expected: "a value of type \(type)")
        } catch {
            throw GraphError.invalid(file: path, location: "JSON", expected: "a micro_wake_word manifest (\(error))")
        }
    }

    /// `x.json` beside `x.tflite` or `x.safetensors`; `model.json` inside a trained model's folder.
    public static func besideModel(_ modelPath: String) -> String {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: modelPath, isDirectory: &isDir), isDir.boolValue {
            return (modelPath as NSString).appendingPathComponent("model.json")
        }
        return (modelPath as NSString).deletingPathExtension + ".json"
    }
}

/// micro_wake_word v2 as ESPHome reads it (its `version` is the format's version; ESPHome refuses
/// unknown keys, so these files carry no `schema_version` of Harken's). Every manifest Harken writes
/// is made here.
extension ModelManifest {
    public static let microVersion = 2
    /// Features arrive every 10 ms (the frontend's hop).
    public static let featureStepMs = 10
    /// The first ESPHome release that reads v2 manifests with resource-variable streaming models.
    public static let minimumESPHomeVersion = "2024.7.0"

    /// A manifest for an int8 graph: its detector settings and the TFLM arena it needs.
    public static func micro(wakeWord: String, author: String?, model: String?, cutoff: Double, window: Int, graph: Graph) -> ModelManifest {
        ModelManifest(type: "micro", wake_word: wakeWord, author: author, model: model, version: microVersion,
                      micro: .init(probability_cutoff: cutoff, feature_step_size: featureStepMs, sliding_window_size: window,
                                   tensor_arena_size: tensorArenaSize(graph), minimum_esphome_version: minimumESPHomeVersion))
    }

    /// This manifest with every field ESPHome requires, for `model` (a .tflite beside it) built from `graph`.
    public func completed(model: String, graph: Graph) -> ModelManifest {
        var m = self
        m.type = "micro"
        m.version = ModelManifest.microVersion
        m.model = model
        m.author = m.author ?? "harken"
        m.trained_languages = m.trained_languages ?? ["en"]
        m.micro.tensor_arena_size = m.micro.tensor_arena_size ?? ModelManifest.tensorArenaSize(graph)
        m.micro.feature_step_size = m.micro.feature_step_size ?? ModelManifest.featureStepMs
        m.micro.minimum_esphome_version = m.micro.minimum_esphome_version ?? ModelManifest.minimumESPHomeVersion
        return m
    }

    /// A TFLM arena size that holds the model: every non-constant tensor without reuse, the
    /// variables, and TFLM's per-tensor and per-operator bookkeeping, with room to spare (tests
    /// check it against TFLM's own minimum).
    public static func tensorArenaSize(_ g: Graph) -> Int {
        let activations = g.tensors.filter { !$0.isConstant }.map { ($0.byteCount + 15) / 16 * 16 }.reduce(0, +)
        let variables = g.variables.map { ($0.byteCount + 15) / 16 * 16 }.reduce(0, +)
        let bookkeeping = 64 * g.tensors.count + 160 * (g.operators.count + 2 * g.variables.count + 1)
        return (activations + variables + bookkeeping + 2048 + 1023) / 1024 * 1024
    }
}
