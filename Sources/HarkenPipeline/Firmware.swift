import Foundation
import HarkenCodegen
import HarkenCost
import HarkenGraph
import HarkenStream
import HarkenSupport
import HarkenTargets
import HarkenTrain

public struct FirmwareResult: Codable, Sendable {
    public var schemaVersion = 1
    public var board: String
    public var template: String
    public var outDir: String
    public var files: Int
    public var elf: String?
    /// Sizes of the built image, read with libelf (ElfSizes, as `harken size`): flash = text + rodata + data, RAM = data + bss.
    public var flashBytes: Int?
    public var ramBytes: Int?
    /// The cascade behind the Sentry (`--judge`); absent for the Sentry alone.
    public var cascade: CascadeSummary?
}

/// The cascade a firmware was generated with, and what it costs the device besides the Sentry.
public struct CascadeSummary: Codable, Sendable, Equatable {
    public var stage: JudgeStage
    /// The feature ring (the window, plus the frames a server's answer may take).
    public var ringBytes: Int
    /// The device Judge's static arena and flash weights (0 for a server Judge).
    public var judgeArenaBytes: Int
    public var judgeWeightBytes: Int
    public var timeoutFrames: Int
    public var retryFrames: Int
}

/// `harken firmware --judge ...`: the Judge behind the Sentry. Unset fields come from the Sentry's
/// manifest (its `judge` field, then its probability_cutoff for the Sentry), then the defaults.
public struct JudgeOptions: Sendable {
    public var model: String
    public var placement: JudgeStage.Placement?
    public var fallback: JudgeStage.Fallback?
    public var timeoutMs: Int?
    public var sentryCutoff: Double?
    public var judgeCutoff: Double?

    public init(model: String, placement: JudgeStage.Placement? = nil, fallback: JudgeStage.Fallback? = nil, timeoutMs: Int? = nil,
                sentryCutoff: Double? = nil, judgeCutoff: Double? = nil) {
        self.model = model; self.placement = placement; self.fallback = fallback; self.timeoutMs = timeoutMs
        self.sentryCutoff = sentryCutoff; self.judgeCutoff = judgeCutoff
    }

    /// A Judge's cutoff when neither the command nor the manifest gives one.
    public static let defaultJudgeCutoff = 0.5
}

extension Pipeline {
    /// The device defaults for a model: device feature rounding and the manifest's detector.
    public static func deviceDefaults(model: String, plan: Plan, manifest: String? = nil, overrides: DetectorOverrides = .init()) throws -> DeviceDefaults {
        let settings = try detectorSettings(model: model, manifest: manifest, overrides: overrides)
        let stepMs = 10 * (plan.inputs[0].elementCount / max(1, plan.inputs[0].shape.last ?? 1))
        let d = settings.config(stepMs: stepMs)
        let q = FeatureQuantizer.deviceRational(input: plan.inputs[0].quantization)
        return DeviceDefaults(featureNum: q.num, featureBias: q.bias, featureDen: q.den, featureZeroPoint: q.zero_point,
                              window: d.window, triggerSum: d.trigger_sum, releaseSum: d.release_sum, refractorySteps: d.refractory_steps)
    }

    /// `harken firmware`: a complete project for a board, optionally built; with `judge`, the
    /// cascade behind the Sentry (bare-metal boards).
    public static func firmware(model: String, board: String, home: HarkenHome, outDir: String, build: Bool, name: String? = nil,
                                judge: JudgeOptions? = nil) throws -> FirmwareResult {
        try firmware(model: model, target: try TargetCatalog.board(board, home: home), home: home, outDir: outDir, build: build, name: name,
                     judge: judge)
    }

    /// The Judge stage for `options`: the command's settings over the Sentry manifest's `judge`
    /// field over the defaults, the window split as the manifest says or 30 frames after the trigger.
    public static func judgeStage(_ options: JudgeOptions, judgePlan: Plan, sentryManifest: ModelManifest?) throws -> JudgeStage {
        let m = sentryManifest?.judge
        guard let placement = options.placement ?? m?.placement else {
            throw CascadeError.judge(file: options.model, field: "placement", expected: "--judge-placement device or server (the Sentry's manifest names none)")
        }
        let channels = judgePlan.inputs[0].shape.last ?? 1
        let frames = judgePlan.inputs[0].elementCount / max(channels, 1)
        let after = m?.framesAfter ?? min(JudgeStage.defaultFramesAfter, max(frames - 1, 0))
        return JudgeStage(model: options.model, placement: placement, framesBefore: m?.framesBefore ?? frames - after, framesAfter: after,
                          cutoff: options.judgeCutoff ?? m?.cutoff ?? JudgeOptions.defaultJudgeCutoff,
                          sentryCutoff: options.sentryCutoff ?? m?.sentryCutoff ?? sentryManifest?.micro.probability_cutoff ?? 0.5,
                          fallback: options.fallback ?? m?.fallback ?? .failOpen, timeoutMs: options.timeoutMs ?? m?.timeoutMs ?? 500)
    }

    static func firmware(model: String, target: Target, home: HarkenHome, outDir: String, build: Bool, name: String? = nil,
                         judge: JudgeOptions? = nil) throws -> FirmwareResult {
        let board = target.name
        let (graph, plan) = try load(model: model)
        let base = name ?? ((model as NSString).lastPathComponent as NSString).deletingPathExtension
        let manifestPath = ModelManifest.besideModel(model)
        let ownManifest = FileManager.default.fileExists(atPath: manifestPath) ? try ModelManifest.load(path: manifestPath) : nil
        var cascade: CascadeFirmware?
        var overrides = DetectorOverrides()
        if let judge {
            guard !isSentry(judge.model) else {
                throw CascadeError.judge(file: judge.model, field: "format", expected: "an int8 Judge .tflite (a float Judge checkpoint runs on a server: harken judge serve)")
            }
            let judgePlan = try Graph.load(tflite: judge.model).lower(file: judge.model)
            let stage = try judgeStage(judge, judgePlan: judgePlan, sentryManifest: ownManifest)
            cascade = try CascadeFirmware(stage: stage, judge: judgePlan, judgeFile: judge.model, sentry: plan)
            // The Sentry fires at its cascade cutoff (and re-arms below it).
            overrides.cutoff = stage.sentryCutoff
        }
        let defaults = try deviceDefaults(model: model, plan: plan, overrides: overrides)
        // The model's own manifest, or one from the detector defaults; either way complete for ESPHome.
        let manifest = (ownManifest
            ?? ModelManifest.micro(wakeWord: base.replacingOccurrences(of: "_", with: " "), author: nil, model: nil,
                                   cutoff: Double(defaults.triggerSum) / Double(256 * defaults.window), window: Int(defaults.window), graph: graph))
            .completed(model: "\(base).tflite", graph: graph)
        var generator = FirmwareGenerator(plan: plan, name: base, target: target, home: home, defaults: defaults,
                                          model: isSentry(model) ? try graph.tfliteData() : try Data(contentsOf: URL(fileURLWithPath: model)),
                                          manifest: manifest)
        generator.cascade = cascade
        let files = try generator.files()
        try removeStaleCascadeFiles(outDir: outDir, judgeName: generator.judgeName, cascade: cascade != nil,
                                    deviceJudge: cascade?.stage.placement == .device)
        for f in files {
            let path = (outDir as NSString).appendingPathComponent(f.path)
            // An unchanged file keeps its time stamp, so rebuilding a regenerated project recompiles only what changed.
            if FileManager.default.contents(atPath: path) == f.contents { continue }
            try writeAtomically(f.contents, to: path)
        }
        var result = FirmwareResult(board: board, template: target.template, outDir: outDir, files: files.count)
        if let cascade {
            let onDevice = cascade.stage.placement == .device
            result.cascade = CascadeSummary(stage: cascade.stage, ringBytes: cascade.ringBytes(zeroCode: defaults.featureZeroPoint),
                                            judgeArenaBytes: onDevice ? cascade.judge.arenaBytes : 0,
                                            judgeWeightBytes: onDevice ? cascade.judge.weightBytes : 0,
                                            timeoutFrames: cascade.timeoutFrames, retryFrames: cascade.retryFrames)
        }
        if build {
            guard target.template == "baremetal" else {
                throw PipelineError.notBuildable(board: board, reason: "\(target.template) projects build with their own SDK on your machine; see \(outDir)/README.md")
            }
            let buildDir = (outDir as NSString).appendingPathComponent("build")
            try runTool("cmake", ["-S", outDir, "-B", buildDir, "-DCMAKE_TOOLCHAIN_FILE=cmake/toolchain.cmake", "-DCMAKE_BUILD_TYPE=Release"])
            try runTool("cmake", ["--build", buildDir, "-j", "2"])
            let elf = (buildDir as NSString).appendingPathComponent("firmware.elf")
            result.elf = elf
            let sizes = try ElfSizes.read(elf)
            result.flashBytes = sizes.flashBytes
            result.ramBytes = sizes.ramBytes
        }
        return result
    }

    /// A project regenerated without its cascade, or with its Judge moved to a server, loses the
    /// generated files it no longer has (its CMake globs would compile them); nothing else in the
    /// folder is touched.
    static func removeStaleCascadeFiles(outDir: String, judgeName: String, cascade: Bool, deviceJudge: Bool) throws {
        let fm = FileManager.default
        func at(_ p: String) -> String { (outDir as NSString).appendingPathComponent(p) }
        var stale: [String] = []
        if !cascade { stale += [at("model/hk_cascade_binding.c"), at("harken/src/cascade")] }
        if !deviceJudge { stale += ["_model.h", "_model.c", "_weights.h", "_weights.c"].map { at("model/\(judgeName)\($0)") } }
        for path in stale where fm.fileExists(atPath: path) {
            do { try fm.removeItem(atPath: path) } catch {
                throw PipelineError.notWritable(path: path, reason: (error as NSError).localizedDescription)
            }
        }
    }

    @discardableResult
    static func runTool(_ tool: String, _ args: [String]) throws -> String { try Executable.run(tool, args) }
}
