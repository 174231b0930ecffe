import Foundation
import HarkenGraph
import HarkenONNX
import HarkenTrain

public struct ExportResult: Codable, Sendable {
    public var schemaVersion = 1
    public var format: String
    public var files: [String]
    public var tensorArenaSize: Int
    public var operators: [String]
}

extension Pipeline {
    /// The operators ESPHome's micro_wake_word registers with its TFLM resolver.
    public static let esphomeOperators: Set<String> = [
        "CALL_ONCE", "VAR_HANDLE", "READ_VARIABLE", "ASSIGN_VARIABLE", "RESHAPE", "STRIDED_SLICE", "CONCATENATION",
        "CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "MUL", "ADD", "MEAN", "LOGISTIC", "QUANTIZE",
        "AVERAGE_POOL_2D", "MAX_POOL_2D", "PAD", "PACK", "SPLIT_V",
    ]

    /// `harken export`: a trained Sentry as `<name>.tflite` plus its manifest (format `tflite`), or
    /// that pair and an ESPHome YAML snippet (format `esphome`). The detection cutoff and window
    /// come from the model's own manifest (`model.json`, which train and quantize write from the
    /// validation split), or `cutoff` when given. Nothing is left half-written.
    public static func export(model: String, format: String, outDir: String, name: String?, cutoff: Double? = nil) throws -> ExportResult {
        guard ["tflite", "esphome", "onnx"].contains(format) else {
            throw TrainError.config("--format \(format): expected tflite, esphome or onnx")
        }
        if let cutoff, !(cutoff > 0 && cutoff < 1) { throw TrainError.config("--cutoff \(cutoff): expected a probability between 0 and 1") }
        guard isSentry(model) else {
            throw TrainError.config("\(model): expected a harken train output folder or its model.safetensors")
        }
        let saved = try SavedSentry.load(model)
        let base = name ?? slug(saved.phrase)
        func outPath(_ file: String) throws -> String {
            do { try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true) } catch {
                throw PipelineError.notWritable(path: outDir, reason: "\(error.localizedDescription)")
            }
            return (outDir as NSString).appendingPathComponent(file)
        }
        if format == "onnx" {
            // The float model, and the int8 model in QDQ form when its ranges are saved.
            let float = try ONNXExport.float(saved.model, name: base)
            let int8 = try saved.ranges.map { try ONNXExport.qdq(saved.model, ranges: $0, name: base) }
            var files = [try outPath("\(base).onnx")]
            try writeAtomically(float, to: files[0])
            if let int8 {
                files.append(try outPath("\(base)_int8_qdq.onnx"))
                try writeAtomically(int8, to: files[1])
            }
            return ExportResult(format: format, files: files, tensorArenaSize: 0, operators: [])
        }
        let graph = try saved.int8Graph()
        let ops = Array(Set(graph.operators.map(\.name))).sorted()
        if format == "esphome" {
            let missing = ops.filter { !esphomeOperators.contains($0) }
            guard missing.isEmpty else {
                throw TrainError.config("\(model): uses \(missing.joined(separator: ", ")), which ESPHome's micro_wake_word does not register; train with --preset esp32 or cortex-m4")
            }
        }
        let manifestPath = ModelManifest.besideModel(model)
        let trained: ModelManifest?
        if FileManager.default.fileExists(atPath: manifestPath) {
            trained = try ModelManifest.load(path: manifestPath)
        } else if cutoff != nil {
            trained = nil
        } else {
            throw TrainError.config("\(manifestPath): no manifest beside the model, so no validated detection cutoff; "
                                    + "export the folder harken train or harken quantize wrote, or pass --cutoff")
        }
        let data = try graph.tfliteData(description: "Harken Sentry: \(saved.phrase) (\(saved.model.spec.architecture.rawValue))")
        let manifest = ModelManifest.micro(wakeWord: saved.phrase, author: "harken", model: nil,
                                           cutoff: cutoff ?? trained!.micro.probability_cutoff,
                                           window: trained?.micro.sliding_window_size ?? saved.config?.detectorWindow ?? 5, graph: graph)
            .completed(model: "\(base).tflite", graph: graph)
        var files = [try outPath("\(base).tflite"), try outPath("\(base).json")]
        try writeAtomically(data, to: files[0])
        // ESPHome refuses keys it does not know: its manifest carries none of Harken's.
        try writeJSON(format == "esphome" ? manifest.esphome : manifest, to: files[1])
        if format == "esphome" {
            let yaml = """
                # ESPHome: copy \(base).tflite and \(base).json next to your device YAML, then add:
                micro_wake_word:
                  models:
                    - model: \(base).json
                  on_wake_word_detected:
                    - logger.log: "\(saved.phrase) heard"

                """
            files.append(try outPath("esphome.yaml"))
            try writeAtomically(yaml, to: files[2])
        }
        return ExportResult(format: format, files: files, tensorArenaSize: manifest.micro.tensor_arena_size!, operators: ops)
    }
}
