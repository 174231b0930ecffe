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
    /// kernel call's worst cycles over the steps (some kernels, the reference LOGISTIC above all, take
    /// data-dependent paths, and a latency budget needs the slow one) and their sum.
    /// With a flash cache model, the first step also runs once uncounted before them, so the
    /// instruction cache holds what it holds on a device that runs the model step after step;
    /// the data cache starts every step empty.
    public static func measureCycles(plan: Plan, name: String, target: Target, home: HarkenHome, inputs: [[UInt8]],
                                     workDir: String, kernels: KernelVariant? = nil,
                                     flashCache: Bool = true) throws -> (layers: [Double], total: Double) {
        let (iss, names) = try simulatorImage(plans: [(name, plan)], target: target, home: home, workDir: workDir,
                                              kernels: kernels, flashCache: flashCache)
        let n = names[0]
        try iss.call("\(n)_init")
        let input = try iss.call("\(n)_input").ret
        var layers = [Double](repeating: 0, count: plan.steps.count)
        let cached = flashModelName(target: target, flashCache: flashCache).cached
        if cached, let first = inputs.first {
            try iss.write(first, at: input)
            try iss.call("\(n)_invoke")
        }
        for step in inputs {
            try iss.write(step, at: input)
            // Every step starts with an empty data cache: the weights a step reads were last read a
            // step earlier (30 ms or so), and the work in between (audio frontend, application) is
            // taken to have evicted them. The instruction cache stays warm.
            if cached { iss.invalidateDataCache() }
            iss.resetRegions()
            try iss.call("\(n)_invoke")
            for r in iss.regions() {
                if let k = r.marker, Int(k) < layers.count { layers[Int(k)] = max(layers[Int(k)], Double(r.cycles)) }
            }
        }
        return (layers, layers.reduce(0, +))
    }

    /// The flash model the simulator runs for a target: its `flash_cache:` block, the same flash
    /// without the accelerator (`flashCache` false), or nothing when the flash has no wait states.
    public static func flashModel(target: Target, flashCache: Bool) -> InstructionSetSimulator.FlashModel? {
        guard target.flash_wait_states > 0, let block = target.flash_cache, block.line_bytes != nil else { return nil }
        let c = flashCache ? block : block.disabled
        return InstructionSetSimulator.FlashModel(lineBytes: c.line_bytes!, instructionLines: c.instruction_lines ?? 0,
                                                  instructionWays: c.instruction_ways ?? 0, dataLines: c.data_lines ?? 0,
                                                  dataWays: c.data_ways ?? 0, prefetch: c.prefetch ?? false)
    }

    /// How `harken cost --measure` names the flash model it ran, and whether it has caches to warm.
    static func flashModelName(target: Target, flashCache: Bool) -> (name: String, cached: Bool) {
        if target.flash_wait_states == 0 { return ("zero wait states", false) }
        guard let m = flashModel(target: target, flashCache: flashCache) else {
            return ("\(target.flash_wait_states) wait states on every taken branch and flash data read (no flash_cache: block)", false)
        }
        if !flashCache { return ("\(target.flash_wait_states) wait states, no flash cache (\(m.lineBytes)-byte lines)", false) }
        let ways = { (lines: Int, ways: Int) in ways == 0 || ways == lines ? "fully associative" : "\(ways)-way" }
        let name = "\(target.flash_wait_states) wait states behind \(m.lineBytes)-byte lines: instruction cache \(m.instructionLines) lines "
            + "(\(ways(m.instructionLines, m.instructionWays))), data cache \(m.dataLines) lines (\(ways(m.dataLines, m.dataWays)))"
            + (m.prefetch ? ", prefetch" : "")
        return (name, m.instructionLines > 0 || m.dataLines > 0)
    }

    /// Builds plans (each with a marker before every kernel call) into one image for
    /// the target's core with its compiler and flags, loaded into the simulator.
    static func simulatorImage(plans: [(String, Plan)], target: Target, home: HarkenHome, workDir: String,
                               kernels: KernelVariant? = nil, flashCache: Bool = true) throws -> (InstructionSetSimulator, [String]) {
        guard let core = InstructionSetSimulator.Core(targetCore: target.core) else {
            throw PipelineError.notBuildable(board: target.name, reason: "the instruction-set simulator models Cortex-M0/M0+, M4, M7 and M33; \(target.name) is \(target.core)")
        }
        let fw = home.firmware
        var sources: [String] = [], names: [String] = [], keep: [String] = []
        for (name, plan) in plans {
            let emitter = CEmitter(plan: plan, name: name, kernels: kernels ?? .forTarget(simd: target.simd, isa: target.isa), markers: true)
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
        let iss = try InstructionSetSimulator(elf: elf, core: core, flashWaitStates: target.flash_wait_states)
        if let m = flashModel(target: target, flashCache: flashCache) { try iss.setFlashModel(m) }
        return (iss, names)
    }

    /// Cycles of every layer of the built-in calibration suite on a target. Each plan runs on
    /// seeded bytes (the reference LOGISTIC and SOFTMAX take data-dependent paths), twice when a flash cache
    /// model is on (the second run counts: the caches warm, as in a model run step after step).
    public static func measureSuite(target: Target, home: HarkenHome, kernels: KernelVariant? = nil) throws -> [CalibrationSample] {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("harken-suite-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: work) }
        let variant = kernels ?? KernelVariant.forTarget(simd: target.simd, isa: target.isa)
        let runs = flashModelName(target: target, flashCache: true).cached ? 2 : 1
        // As many plans per image as the simulator's RAM holds (Firmware/profile/iss.ld: 256 KiB,
        // the stack at its top): each plan has its own arena and state.
        var batches: [[(String, Plan)]] = [[]]
        var used = 0
        for entry in try CalibrationSuite.plans() {
            let bytes = entry.plan.arenaBytes + entry.plan.stateBytes + 64
            if used + bytes > 160 * 1024, !batches[batches.count - 1].isEmpty { batches.append([]); used = 0 }
            batches[batches.count - 1].append(entry)
            used += bytes
        }
        var samples: [CalibrationSample] = []
        for (b, batch) in batches.enumerated() {
            let dir = (work as NSString).appendingPathComponent("\(b)")
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let (iss, names) = try simulatorImage(plans: batch, target: target, home: home, workDir: dir, kernels: kernels)
            for ((name, plan), n) in zip(batch, names) {
                try iss.call("\(n)_init")
                let input = try iss.call("\(n)_input").ret
                try iss.write(CalibrationSuite.input(plan), at: input)
                for _ in 0..<runs {
                    iss.invalidateDataCache()   // as every step of a model (measureCycles)
                    iss.resetRegions()
                    try iss.call("\(n)_invoke")
                }
                let cycles = iss.regions().first { $0.marker == 0 }.map { Double($0.cycles) } ?? 0
                samples.append(CalibrationSample(name: "\(name) (\(variant.rawValue))", suite: true,
                                                 features: LayerFeatures(step: plan.steps[0], variant: variant, plan: plan, cache: dataCache(target: target)),
                                                 cycles: cycles))
            }
        }
        return samples
    }

    /// The analytic model for a target: its own coefficients, and for kernels it lacks, those of the
    /// catalog's other targets with the same core, nearest first (same flash wait states, then the
    /// closest clock).
    public static func costModel(target: Target, home: HarkenHome) throws -> CostModel {
        let others = try TargetCatalog.load(home: home)
            .filter { $0.name != target.name && $0.core == target.core && $0.isa == target.isa && $0.simd == target.simd && !($0.cost ?? [:]).isEmpty }
            .sorted {
                let a = ($0.flash_wait_states != target.flash_wait_states ? 1 : 0, abs($0.clock_hz - target.clock_hz), $0.name)
                let b = ($1.flash_wait_states != target.flash_wait_states ? 1 : 0, abs($1.clock_hz - target.clock_hz), $1.name)
                return a < b
            }
        return CostModel(target: target.name, clockHz: target.clock_hz, coefficients: CostCoefficients(kernels: target.cost ?? [:]),
                         fallbacks: others.map { ($0.name, CostCoefficients(kernels: $0.cost ?? [:])) }, cache: dataCache(target: target))
    }

    /// The target's flash data cache as the cost model's features see it (nil: no wait states or no data cache).
    public static func dataCache(target: Target) -> FlashDataCache? {
        guard let m = flashModel(target: target, flashCache: true), m.dataLines > 0 else { return nil }
        return FlashDataCache(lineBytes: m.lineBytes, bytes: m.dataLines * m.lineBytes)
    }

    /// `harken cost`: the analytic model for a target, optionally beside the simulator.
    /// `kernels` nil: the target's own variant (KernelVariant.forTarget); `.reference`: the plain
    /// reference kernels, estimated and measured. `flashCache` false measures the flash without
    /// the target's accelerator or caches.
    public static func cost(model: String, board: String, home: HarkenHome, measure: Bool, steps: Int = 20,
                            kernels: KernelVariant? = nil, flashCache: Bool = true) throws -> ModelCost {
        let target = try TargetCatalog.board(board, home: home)
        let (_, plan) = try load(model: model)
        let costModel = try costModel(target: target, home: home)
        let variant = kernels ?? KernelVariant.forTarget(simd: target.simd, isa: target.isa)
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
            let m = try measureCycles(plan: plan, name: name, target: target, home: home, inputs: inputs, workDir: work,
                                      kernels: variant, flashCache: flashCache)
            for i in result.layers.indices { result.layers[i].measuredCycles = m.layers[i] }
            result.measuredTotalCycles = m.total
            result.flashModel = flashModelName(target: target, flashCache: flashCache).name
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
    /// and the given models in the simulator and fits the target's per-kernel coefficients, for
    /// the target's kernel variant and, where it differs, the reference kernels (`harken cost
    /// --kernels reference`); returns them (the caller writes Targets/).
    public static func calibrate(board: String, models: [String], home: HarkenHome, steps: Int = 10) throws -> (CostCoefficients, samples: [CalibrationSample]) {
        let target = try TargetCatalog.board(board, home: home)
        let own = KernelVariant.forTarget(simd: target.simd, isa: target.isa)
        var plans = try sentryProbePlans()
        for model in models { plans.append((((model as NSString).lastPathComponent as NSString).deletingPathExtension, try load(model: model).1)) }
        var samples: [CalibrationSample] = []
        for variant in own == .reference ? [own] : [own, .reference] {
            samples += try measureSuite(target: target, home: home, kernels: variant)
            for (name, plan) in plans {
                let work = FileManager.default.temporaryDirectory.appendingPathComponent("harken-calibrate-\(UUID().uuidString)").path
                defer { try? FileManager.default.removeItem(atPath: work) }
                let m = try measureCycles(plan: plan, name: name, target: target, home: home, inputs: try costInputs(plan: plan, steps: steps),
                                          workDir: work, kernels: variant)
                for (i, step) in plan.steps.enumerated() {
                    samples.append(CalibrationSample(name: "\(name) layer \(i) (\(variant.rawValue))", suite: false,
                                                     features: LayerFeatures(step: step, variant: variant, plan: plan, cache: dataCache(target: target)),
                                                     cycles: m.layers[i]))
                }
            }
        }
        return (CostModel.fit(samples.filter { !$0.suite }.map { ($0.features, $0.cycles) },
                              suite: samples.filter(\.suite).map { ($0.features, $0.cycles) }), samples)
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
