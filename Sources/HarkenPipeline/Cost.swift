import Foundation
import HarkenCodegen
import HarkenCost
import HarkenData
import HarkenGraph
import HarkenStream
import HarkenTargets
import HarkenTrain

extension Pipeline {
    /// Builds the model's C for the target with a marker before each kernel call, runs
    /// init and `inputs.count` steps in the instruction-set simulator, and returns each
    /// kernel call's worst cycles over the steps (some kernels, LOGISTIC above all, take
    /// data-dependent paths, and a latency budget needs the slow one) and their sum.
    public static func measureCycles(plan: Plan, name: String, target: Target, home: HarkenHome, inputs: [[UInt8]],
                                     workDir: String) throws -> (layers: [Double], total: Double) {
        let (iss, names) = try simulatorImage(plans: [(name, plan)], target: target, home: home, workDir: workDir)
        let n = names[0]
        try iss.call("\(n)_init")
        let input = try iss.call("\(n)_input").ret
        var layers = [Double](repeating: 0, count: plan.steps.count)
        for step in inputs {
            try iss.write(step, at: input)
            iss.resetRegions()
            try iss.call("\(n)_invoke")
            for r in iss.regions() {
                if let k = r.marker, Int(k) < layers.count { layers[Int(k)] = max(layers[Int(k)], Double(r.cycles)) }
            }
        }
        return (layers, layers.reduce(0, +))
    }

    /// Builds plans (each with a marker before every kernel call) into one image for
    /// the target's core with its compiler and flags, loaded into the simulator.
    static func simulatorImage(plans: [(String, Plan)], target: Target, home: HarkenHome, workDir: String) throws -> (InstructionSetSimulator, [String]) {
        guard let core = InstructionSetSimulator.Core(targetCore: target.core) else {
            throw PipelineError.notBuildable(board: target.name, reason: "the instruction-set simulator models Cortex-M0/M0+, M4, M7 and M33; \(target.name) is \(target.core)")
        }
        let fw = home.firmware
        var sources: [String] = [], names: [String] = [], keep: [String] = []
        for (name, plan) in plans {
            let emitter = CEmitter(plan: plan, name: name, kernels: .forTarget(simd: target.simd, isa: target.isa), markers: true)
            names.append(emitter.name)
            keep += ["-Wl,-u,\(emitter.name)_init", "-Wl,-u,\(emitter.name)_invoke", "-Wl,-u,\(emitter.name)_input"]
            for f in emitter.files {
                let path = (workDir as NSString).appendingPathComponent(f.name)
                try writeAtomically(f.contents, to: path)
                if f.name.hasSuffix(".c") { sources.append(path) }
            }
        }
        let kernels = try FileManager.default.contentsOfDirectory(atPath: fw.appendingPathComponent("kernels").path)
            .filter { $0.hasSuffix(".c") }.sorted().map { fw.appendingPathComponent("kernels/\($0)").path }
        let elf = (workDir as NSString).appendingPathComponent("iss.elf")
        try runTool(target.toolchain.cc, target.toolchain.cflags + [
            "-std=c99", "-O2", "-ffunction-sections", "-fdata-sections", "-nostartfiles", "-DHK_ISS_PROFILE",
            "-I" + fw.appendingPathComponent("include").path, "-I" + workDir] + sources + kernels + [
            fw.appendingPathComponent("profile/hk_marker.c").path, "-T", fw.appendingPathComponent("profile/iss.ld").path,
            "-Wl,--gc-sections"] + keep + ["-o", elf])
        return (try InstructionSetSimulator(elf: elf, core: core, flashWaitStates: target.flash_wait_states), names)
    }

    /// Cycles of every layer of the built-in calibration suite on a target.
    public static func measureSuite(target: Target, home: HarkenHome) throws -> [(LayerFeatures, Double)] {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("harken-suite-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: work) }
        let suite = CalibrationSuite.plans()
        let (iss, names) = try simulatorImage(plans: suite, target: target, home: home, workDir: work)
        let variant = KernelVariant.forTarget(simd: target.simd, isa: target.isa)
        var samples: [(LayerFeatures, Double)] = []
        for ((_, plan), n) in zip(suite, names) {
            try iss.call("\(n)_init")
            iss.resetRegions()
            try iss.call("\(n)_invoke")
            let cycles = iss.regions().first { $0.marker == 0 }.map { Double($0.cycles) } ?? 0
            samples.append((LayerFeatures(step: plan.steps[0], variant: variant), cycles))
        }
        return samples
    }

    /// `harken cost`: the analytic model for a target, optionally beside the simulator.
    public static func cost(model: String, board: String, home: HarkenHome, measure: Bool, steps: Int = 20) throws -> ModelCost {
        let target = try TargetCatalog.board(board, home: home)
        let (_, plan) = try load(model: model)
        let costModel = CostModel(target: board, clockHz: target.clock_hz, coefficients: CostCoefficients(kernels: target.cost ?? [:]))
        let variant = KernelVariant.forTarget(simd: target.simd, isa: target.isa)
        var result = try costModel.evaluate(plan, variant: variant)
        let repeats = 200
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<repeats { _ = try costModel.evaluate(plan, variant: variant) }
        result.evaluationMicroseconds = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(repeats) / 1000
        if measure {
            let inputs = try costInputs(plan: plan, steps: steps)
            let work = FileManager.default.temporaryDirectory.appendingPathComponent("harken-cost-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: work) }
            let name = ((model as NSString).lastPathComponent as NSString).deletingPathExtension
            let m = try measureCycles(plan: plan, name: name, target: target, home: home, inputs: inputs, workDir: work)
            for i in result.layers.indices { result.layers[i].measuredCycles = m.layers[i] }
            result.measuredTotalCycles = m.total
        }
        return result
    }

    /// Steps of real features for measuring: a synthesized phrase scene, as the device would hear it.
    public static func costInputs(plan: Plan, steps: Int) throws -> [[UInt8]] {
        let audio = try DemoScene.make(phrase: "hey jarvis").audio
        var inputs = try FeatureSteps.make(audio, plan: plan)
        while inputs.count < steps { inputs += inputs }
        return Array(inputs.prefix(steps))
    }

    /// The three standard Sentry architectures as int8 graphs, untrained but with seeded BatchNorm
    /// statistics, calibrated on the demo scene: every kernel a Harken model uses.
    public static func sentryProbeGraphs() throws -> [(String, Graph)] {
        let x = try SentryModel.features(try DemoScene.make(phrase: "hey jarvis").audio)
        return try SentryArchitecture.allCases.enumerated().map { i, arch in
            let model = SentryModel(spec: .standard(arch), seed: UInt64(40 + i))
            model.randomizeStatistics(seed: UInt64(50 + i))
            var ranges = ActivationRanges()
            model.calibrate(x, into: &ranges)
            return ("sentry_" + arch.rawValue.replacingOccurrences(of: "-", with: "_"),
                    try model.streamingGraph(ranges: ranges, description: arch.rawValue))
        }
    }

    /// `sentryProbeGraphs`, lowered (for calibration and the cost checks).
    public static func sentryProbePlans() throws -> [(String, Plan)] {
        try sentryProbeGraphs().map { ($0.0, try $0.1.lower(file: $0.0)) }
    }

    /// `harken cost calibrate`: measures every layer of the built-in suite, the standard Sentries
    /// and the given models in the simulator and fits the target's per-kernel coefficients;
    /// returns them (the caller writes Targets/).
    public static func calibrate(board: String, models: [String], home: HarkenHome, steps: Int = 10) throws -> (CostCoefficients, samples: Int) {
        let target = try TargetCatalog.board(board, home: home)
        let variant = KernelVariant.forTarget(simd: target.simd, isa: target.isa)
        var samples = try measureSuite(target: target, home: home)
        var plans = try sentryProbePlans()
        for model in models { plans.append((((model as NSString).lastPathComponent as NSString).deletingPathExtension, try load(model: model).1)) }
        for (name, plan) in plans {
            let work = FileManager.default.temporaryDirectory.appendingPathComponent("harken-calibrate-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: work) }
            let m = try measureCycles(plan: plan, name: name, target: target, home: home, inputs: try costInputs(plan: plan, steps: steps), workDir: work)
            for (i, step) in plan.steps.enumerated() { samples.append((LayerFeatures(step: step, variant: variant), m.layers[i])) }
        }
        return (CostModel.fit(samples), samples.count)
    }

    /// Rewrites the target's YAML with a `cost:` block (through a temporary file and a rename).
    public static func writeCoefficients(_ c: CostCoefficients, board: String, home: HarkenHome) throws -> String {
        let path = home.targets.appendingPathComponent("\(board).yaml").path
        var text = try String(contentsOfFile: path, encoding: .utf8)
        if let r = text.range(of: "\n# Cycle coefficients") ?? text.range(of: "\ncost:") { text = String(text[..<r.lowerBound]) + "\n" }
        text += "# Cycle coefficients per kernel: " + LayerFeatures.names.joined(separator: ", ") + " (harken cost calibrate).\ncost:\n"
        for k in c.kernels.keys.sorted() {
            text += "  \(k): [" + c.kernels[k]!.map { String(format: "%.6g", $0) }.joined(separator: ", ") + "]\n"
        }
        try writeAtomically(text, to: path)
        return path
    }
}
