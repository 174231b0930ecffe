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

    public init(type: String?, wake_word: String, author: String?, model: String?, version: Int?, micro: Micro) {
        (self.type, self.wake_word, self.author, self.model, self.version, self.micro) = (type, wake_word, author, model, version, micro)
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
