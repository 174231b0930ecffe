// JudgeServing.swift: what `harken judge serve` serves (a Judge, its cutoff and the int8 input it
// expects), and the untrained probe Judge that benchmarks, cost and firmware work can start from.

import Foundation
import HarkenGraph
import HarkenStream
import HarkenSupport
import HarkenTrain

/// A Judge ready to answer windows: the model, the cutoff its verdicts use and its input's
/// quantization (a window's int8 value q stands for `(q - inputZeroPoint) * inputScale`).
public struct JudgeService: Sendable {
    public var judge: any WindowJudge
    /// The model's file (or a name, for a Judge made in code).
    public var model: String
    /// Accept when the score exceeds this.
    public var cutoff: Double
    /// Where the cutoff came from: "option", the manifest's path, or "default".
    public var cutoffSource: String
    public var inputScale: Double
    public var inputZeroPoint: Int

    public init(judge: any WindowJudge, model: String, cutoff: Double, cutoffSource: String = "option",
                inputScale: Double = Double(SentryModel.inputQuantization.scale),
                inputZeroPoint: Int = Int(SentryModel.inputQuantization.zeroPoint)) {
        self.judge = judge; self.model = model; self.cutoff = cutoff; self.cutoffSource = cutoffSource
        self.inputScale = inputScale; self.inputZeroPoint = inputZeroPoint
    }

    /// Values in one window (frames × channels).
    public var windowSize: Int { judge.windowFrames * judge.channels }
}

public enum JudgeServingError: CodedError, Sendable {
    public static let domain = "judge_serving"

    case cutoff(file: String, value: String)
    case manifest(file: String, reason: String)

    public var description: String {
        switch self {
        case .cutoff(let f, let v): return "\(f): judge.cutoff is \(v), expected a number in 0...1"
        case .manifest(let f, let r): return "\(f): \(r)"
        }
    }
}

extension Pipeline {
    /// The cutoff a Judge server uses when none is given: the manifest judge stage's cutoff beside
    /// the model, else 0.5.
    public static let defaultJudgeCutoff = 0.5

    /// Loads the Judge at `model` and settles its cutoff: `cutoff` when given, else the `judge.cutoff`
    /// of the manifest beside the model (`x.json` beside `x.tflite`, or the folder's `model.json`
    /// when its judge stage names this file), else 0.5.
    public static func judgeService(model: String, cutoff: Double? = nil) throws -> JudgeService {
        let judge = try loadJudge(model)
        var scale = Double(SentryModel.inputQuantization.scale)
        var zeroPoint = Int(SentryModel.inputQuantization.zeroPoint)
        if let plan = judge as? PlanJudge, let q = plan.plan.inputs.first?.quantization {
            scale = Double(q.scale); zeroPoint = Int(q.zeroPoint)
        }
        let (value, source) = try cutoff.map { ($0, "option") } ?? manifestJudgeCutoff(model: model) ?? (defaultJudgeCutoff, "default")
        return JudgeService(judge: judge, model: model, cutoff: value, cutoffSource: source, inputScale: scale, inputZeroPoint: zeroPoint)
    }

    /// `judge.cutoff` from a manifest beside the Judge's model, with the manifest's path: `x.json`
    /// beside `x.tflite`, else any manifest in the same folder whose judge stage names this file.
    static func manifestJudgeCutoff(model: String) throws -> (Double, String)? {
        struct Manifest: Decodable { struct Stage: Decodable { var model: String?; var cutoff: Double? }; var judge: Stage? }
        let target = URL(fileURLWithPath: model).standardizedFileURL
        let folder = target.deletingLastPathComponent()
        let beside = ModelManifest.besideModel(model)
        let others = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasSuffix(".json") }.sorted().map { folder.appendingPathComponent($0).path }.filter { $0 != beside }
        for path in [beside] + others where FileManager.default.fileExists(atPath: path) {
            let isBeside = path == beside
            guard let data = FileManager.default.contents(atPath: path) else {
                if isBeside { throw JudgeServingError.manifest(file: path, reason: "cannot be read") }
                continue
            }
            let manifest: Manifest
            do { manifest = try JSONDecoder().decode(Manifest.self, from: data) } catch {
                // Only the manifest beside the model must be one; other JSON files in its folder may be anything.
                if isBeside { throw JudgeServingError.manifest(file: path, reason: "its judge stage cannot be read (\(error))") }
                continue
            }
            guard let judge = manifest.judge, let cutoff = judge.cutoff else { continue }
            if !isBeside {
                guard let named = judge.model,
                      URL(fileURLWithPath: named, relativeTo: folder).standardizedFileURL.path == target.path else { continue }
            }
            guard (0...1).contains(cutoff) else { throw JudgeServingError.cutoff(file: path, value: "\(cutoff)") }
            return (cutoff, path)
        }
        return nil
    }

    /// Writes an untrained int8 Judge (`JudgeModel.probe`) as a .tflite at `out` (through a
    /// temporary file, renamed): a stand-in with the real Judge's shape and cost.
    public static func writeJudgeProbe(out: String, size: JudgeSize = .device, seed: UInt64 = 1) throws -> (path: String, bytes: Int) {
        let probe = try JudgeModel.probe(size: size, seed: seed)
        let data = try probe.graph.tfliteData(description: "harken judge probe (\(size.rawValue), seed \(seed), untrained)")
        let url = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        try data.write(to: tmp)
        if FileManager.default.fileExists(atPath: url.path) { try FileManager.default.removeItem(at: url) }
        try FileManager.default.moveItem(at: tmp, to: url)
        return (url.path, data.count)
    }
}

extension Pipeline {
    /// Milliseconds the Judge at `model` takes per window in this process, one thread, `windows`
    /// seeded random windows in one `scores()` call: the floor under a Judge server's latency.
    public static func judgeMillisecondsPerWindow(model: String, windows: Int, seed: UInt64 = 1) throws -> Double {
        let judge = try loadJudge(model)
        var rng = SplitMix64(seed: seed)
        let batch = (0..<max(1, windows)).map { _ in
            (0..<(judge.windowFrames * judge.channels)).map { _ in Int8(truncatingIfNeeded: rng.next()) }
        }
        _ = try judge.scores([batch[0]])  // warm-up
        let start = DispatchTime.now().uptimeNanoseconds
        _ = try judge.scores(batch)
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(batch.count)
    }
}
