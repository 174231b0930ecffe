// StudioDeploy.swift: Deploy and Listen. Downloads are the CLI's own outputs (export, compile,
// firmware) zipped; Listen streams audio through the exact device pipeline (SimulatorSession), as
// `harken simulate` does for a file.

import Foundation
import HarkenAudio
import HarkenCost
import HarkenGraph
import HarkenStream
import HarkenSupport
import HarkenTargets
import ZIPFoundation

public struct StudioTarget: Codable, Sendable {
    public var name: String
    public var core: String
    public var clockHz: Int
    public var ramBytes: Int
    public var flashBytes: Int
    public var emulated: Bool
}

public struct StudioTargets: Codable, Sendable {
    public var schemaVersion = 1
    public var targets: [StudioTarget]
}

public struct StudioListenPoint: Codable, Sendable {
    public var timeS: Double
    public var probability: Double
    public var mean: Double

    public init(_ p: TracePoint) { timeS = p.timeS; probability = p.probability; mean = p.mean }
}

public struct StudioListenDetection: Codable, Sendable {
    public var timeS: Double
    public var meanProbability: Double

    public init(_ d: Detection) { timeS = d.timeS; meanProbability = d.meanProbability }
}

public struct StudioListenTrace: Codable, Sendable {
    public var schemaVersion = 1
    public var model: String
    public var audioSeconds: Double
    public var stepMs: Int
    public var cutoff: Double
    public var window: Int
    public var points: [StudioListenPoint]
    public var detections: [StudioListenDetection]
}

extension StudioProject {
    public static let downloadFormats = ["tflite", "esphome", "onnx", "c", "firmware"]

    public func targets(home: HarkenHome) throws -> StudioTargets {
        StudioTargets(targets: try TargetCatalog.load(home: home).map {
            StudioTarget(name: $0.name, core: $0.core, clockHz: $0.clock_hz, ramBytes: $0.sram_bytes, flashBytes: $0.flash_bytes, emulated: $0.emulator != nil)
        })
    }

    public func cost(model name: String, target: String, home: HarkenHome) throws -> ModelCost {
        let model = try self.model(named: name)
        _ = try TargetCatalog.board(target, home: home)
        return try Pipeline.cost(model: path(model.path), board: target, home: home, measure: false)
    }

    /// A zip of what the CLI writes for `format` (`harken export`, `compile` or `firmware`),
    /// built in exports/ and returned with its download name.
    public func download(model name: String, format: String, board: String?, home: HarkenHome) throws -> (file: String, name: String) {
        guard Self.downloadFormats.contains(format) else {
            throw StudioError.notFound("format '\(format)': expected one of \(Self.downloadFormats.joined(separator: ", "))")
        }
        let model = try self.model(named: name)
        let source = path(model.path)
        let stem = "\(name)-\(format)" + (format == "firmware" ? "-\(board ?? "")" : "")
        let work = (exportsDir as NSString).appendingPathComponent(".build-\(UUID().uuidString)")
        let folder = (work as NSString).appendingPathComponent(stem)
        defer { try? FileManager.default.removeItem(atPath: work) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        switch format {
        case "tflite" where model.kind == "tflite":
            for file in [source, ModelManifest.besideModel(source)] where FileManager.default.fileExists(atPath: file) {
                try FileManager.default.copyItem(atPath: file, toPath: (folder as NSString).appendingPathComponent((file as NSString).lastPathComponent))
            }
        case "tflite", "esphome", "onnx":
            guard model.kind == "run" else {
                throw StudioError.unprocessable("format \(format): needs a trained run; '\(name)' is an imported .tflite (download it as tflite, c or firmware)")
            }
            _ = try Pipeline.export(model: source, format: format, outDir: folder, name: nil)
        case "c":
            _ = try Pipeline.compile(model: source, outDir: folder, name: nil)
        default:
            guard let board else { throw StudioError.badRequest("board: required for a firmware download (see /api/v1/targets)") }
            _ = try TargetCatalog.board(board, home: home)
            _ = try Pipeline.firmware(model: source, board: board, home: home, outDir: folder, build: false)
        }
        try FileManager.default.createDirectory(atPath: exportsDir, withIntermediateDirectories: true)
        let zip = (work as NSString).appendingPathComponent(stem + ".zip")
        try FileManager.default.zipItem(at: URL(fileURLWithPath: folder), to: URL(fileURLWithPath: zip), shouldKeepParent: true)
        let target = (exportsDir as NSString).appendingPathComponent(stem + ".zip")
        try? FileManager.default.removeItem(atPath: target)
        try FileManager.default.moveItem(atPath: zip, toPath: target)
        return (target, stem + ".zip")
    }

    /// Serial devices a board could be on.
    public static func serialPorts() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/dev")) ?? []
        return names.filter { $0.hasPrefix("ttyACM") || $0.hasPrefix("ttyUSB") || $0.hasPrefix("ttyAMA") }.sorted().map { "/dev/" + $0 }
    }

    /// The device pipeline of a model with its manifest's detector, as `harken simulate` builds it.
    public func listener(model name: String) throws -> Simulator {
        let model = try self.model(named: name)
        let file = path(model.path)
        let (_, plan) = try Pipeline.load(model: file)
        return try Simulator(plan: plan, detector: try Pipeline.detectorSettings(model: file, manifest: nil, overrides: .init()), file: file)
    }

    /// A whole audio file through `listener`: what `harken simulate` reports for it.
    public func listen(model name: String, audio data: Data) throws -> StudioListenTrace {
        let tmp = NSTemporaryDirectory() + "harken-listen-\(UUID().uuidString)"
        try data.write(to: URL(fileURLWithPath: tmp))
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let audio: Audio
        do { audio = try Audio.read(tmp) } catch {
            throw StudioError.unsupportedMedia("body: not audio libsndfile reads as 16-bit PCM (\(error))".replacingOccurrences(of: tmp, with: "body"))
        }
        let sim = try listener(model: name)
        let session = SimulatorSession(sim)
        session.feed(audio.samples[...])
        return StudioListenTrace(model: name, audioSeconds: audio.seconds, stepMs: sim.stepMs, cutoff: sim.detector.cutoff,
                                 window: sim.detector.window, points: session.trace.map(StudioListenPoint.init),
                                 detections: session.detections.map(StudioListenDetection.init))
    }
}
