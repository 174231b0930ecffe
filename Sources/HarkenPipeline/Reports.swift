import Foundation
import HarkenGraph
import HarkenSupport
import HarkenTrain

extension Pipeline {
    /// A micro_wake_word v2 manifest for a Sentry's int8 graph: the detector settings and the TFLM
    /// arena the graph needs.
    static func sentryManifest(phrase: String, author: String, model: String?, cutoff: Double, window: Int, graph: Graph) -> ModelManifest {
        ModelManifest(type: "micro", wake_word: phrase, author: author, model: model, version: 2,
                      micro: .init(probability_cutoff: cutoff, feature_step_size: 10, sliding_window_size: window,
                                   tensor_arena_size: tensorArenaSize(graph), minimum_esphome_version: "2024.7.0"))
    }

    /// `model.json` beside a trained model.
    static func writeManifest(phrase: String, author: String, cutoff: Double, window: Int, graph: Graph, outDir: String) throws {
        try writeJSON(sentryManifest(phrase: phrase, author: author, model: nil, cutoff: cutoff, window: window, graph: graph),
                      to: (outDir as NSString).appendingPathComponent("model.json"))
    }

    /// `config.json` beside a run: the resolved hyper-parameters (the keys `harken.yaml` takes) and the schema version.
    static func writeConfig(_ config: TrainConfig, outDir: String) throws {
        var object = try JSONSerialization.jsonObject(with: Data(try config.json().utf8)) as! [String: Any]
        object["schema_version"] = 1
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        try writeAtomically(data + Data("\n".utf8), to: (outDir as NSString).appendingPathComponent("config.json"))
    }

    /// Pretty, key-sorted, snake_case JSON, written atomically: every file Harken writes.
    static func writeJSON<T: Encodable>(_ value: T, to path: String) throws {
        try writeAtomically(try HarkenJSON.encode(value), to: path)
    }
}
