import Foundation
import HarkenCodegen
import HarkenGraph
import HarkenTrain
import HarkenSupport

public struct CompileResult: Codable, Sendable {
    public var schemaVersion = 1
    public var model: String
    public var name: String
    public var operators: Int
    public var kernelCalls: Int
    public var arenaBytes: Int
    public var stateBytes: Int
    public var weightBytes: Int
    public var macsPerStep: Int
    public var files: [String]
}

public enum PipelineError: CodedError {
    public static let domain = "pipeline"

    case notWritable(path: String, reason: String)
    case notBuildable(board: String, reason: String)
    case noEmulator(board: String)

    public var description: String {
        switch self {
        case let .notWritable(path, reason): return "\(path): cannot write: \(reason)"
        case let .notBuildable(board, reason): return "\(board): cannot build here: \(reason)"
        case let .noEmulator(board): return "\(board) has no emulator here (see `harken boards`); benchmark it on the board with --port"
        }
    }
}

public enum Pipeline {
    /// TFLite file (or a trained Sentry, quantized with its saved ranges) -> checked IR ->
    /// lowered, memory-planned plan.
    public static func load(model path: String) throws -> (Graph, Plan) {
        let graph = isSentry(path) ? try SavedSentry.load(path).int8Graph() : try Graph.load(tflite: path)
        return (graph, try graph.lower(file: path))
    }

    /// A `harken train` output folder or its .safetensors.
    public static func isSentry(_ path: String) -> Bool {
        path.hasSuffix(".safetensors") || FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent("model.safetensors"))
    }

    /// `harken compile`: C source and weight arrays for a model.
    public static func compile(model path: String, outDir: String, name: String? = nil) throws -> CompileResult {
        let (graph, plan) = try load(model: path)
        let base = name ?? ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let emitter = CEmitter(plan: plan, name: base)
        var written: [String] = []
        for file in emitter.files {
            let target = (outDir as NSString).appendingPathComponent(file.name)
            try writeAtomically(file.contents, to: target)
            written.append(target)
        }
        return CompileResult(model: path, name: emitter.name, operators: graph.operators.count, kernelCalls: plan.steps.count,
                             arenaBytes: plan.arenaBytes, stateBytes: plan.stateBytes, weightBytes: plan.weightBytes,
                             macsPerStep: plan.steps.reduce(0) { $0 + $1.macs }, files: written)
    }

    /// Writes through a temporary file and a rename, so a failure never leaves half a file.
    public static func writeAtomically(_ text: String, to path: String) throws {
        try writeAtomically(Data(text.utf8), to: path)
    }

    public static func writeAtomically(_ data: Data, to path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: dir.isEmpty ? "." : dir, withIntermediateDirectories: true)
            let tmp = path + ".tmp-\(getpid())"
            try data.write(to: URL(fileURLWithPath: tmp))
            if rename(tmp, path) != 0 {
                let reason = String(cString: strerror(errno))
                unlink(tmp)
                throw PipelineError.notWritable(path: path, reason: reason)
            }
        } catch let e as PipelineError {
            throw e
        } catch {
            throw PipelineError.notWritable(path: path, reason: (error as NSError).localizedDescription)
        }
    }
}
