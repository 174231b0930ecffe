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
}

extension Pipeline {
    /// The device defaults for a model: device feature rounding and the manifest's detector.
    public static func deviceDefaults(model: String, plan: Plan, manifest: String? = nil) throws -> DeviceDefaults {
        let settings = try detectorSettings(model: model, manifest: manifest, overrides: .init())
        let stepMs = 10 * (plan.inputs[0].elementCount / max(1, plan.inputs[0].shape.last ?? 1))
        let d = settings.config(stepMs: stepMs)
        let q = FeatureQuantizer.deviceRational(input: plan.inputs[0].quantization)
        return DeviceDefaults(featureNum: q.num, featureBias: q.bias, featureDen: q.den, featureZeroPoint: q.zero_point,
                              window: d.window, triggerSum: d.trigger_sum, releaseSum: d.release_sum, refractorySteps: d.refractory_steps)
    }

    /// `harken firmware`: a complete project for a board, optionally built.
    public static func firmware(model: String, board: String, home: HarkenHome, outDir: String, build: Bool, name: String? = nil) throws -> FirmwareResult {
        try firmware(model: model, target: try TargetCatalog.board(board, home: home), home: home, outDir: outDir, build: build, name: name)
    }

    static func firmware(model: String, target: Target, home: HarkenHome, outDir: String, build: Bool, name: String? = nil) throws -> FirmwareResult {
        let board = target.name
        let (graph, plan) = try load(model: model)
        let base = name ?? ((model as NSString).lastPathComponent as NSString).deletingPathExtension
        let manifestPath = ModelManifest.besideModel(model)
        let defaults = try deviceDefaults(model: model, plan: plan)
        // The model's own manifest, or one from the detector defaults; either way complete for ESPHome.
        let manifest = (FileManager.default.fileExists(atPath: manifestPath) ? try ModelManifest.load(path: manifestPath)
            : ModelManifest.micro(wakeWord: base.replacingOccurrences(of: "_", with: " "), author: nil, model: nil,
                                  cutoff: Double(defaults.triggerSum) / Double(256 * defaults.window), window: Int(defaults.window), graph: graph))
            .completed(model: "\(base).tflite", graph: graph)
        let generator = FirmwareGenerator(plan: plan, name: base, target: target, home: home, defaults: defaults,
                                          model: isSentry(model) ? try graph.tfliteData() : try Data(contentsOf: URL(fileURLWithPath: model)),
                                          manifest: manifest)
        let files = try generator.files()
        for f in files {
            try writeAtomically(f.contents, to: (outDir as NSString).appendingPathComponent(f.path))
        }
        var result = FirmwareResult(board: board, template: target.template, outDir: outDir, files: files.count)
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

    @discardableResult
    static func runTool(_ tool: String, _ args: [String]) throws -> String { try Executable.run(tool, args) }
}
