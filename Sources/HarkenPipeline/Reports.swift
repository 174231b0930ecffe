import Foundation
import HarkenGraph
import HarkenSupport
import HarkenTrain

extension Pipeline {
    /// `model.json` beside a trained model.
    static func writeManifest(phrase: String, author: String, cutoff: Double, window: Int, graph: Graph, outDir: String) throws {
        try writeJSON(ModelManifest.micro(wakeWord: phrase, author: author, model: nil, cutoff: cutoff, window: window, graph: graph),
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
    public static func writeJSON<T: Encodable>(_ value: T, to path: String) throws {
        try writeAtomically(try HarkenJSON.encode(value), to: path)
    }
}
