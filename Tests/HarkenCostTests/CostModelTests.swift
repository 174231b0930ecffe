import Foundation
import XCTest
import HarkenCodegen
import HarkenCost
import HarkenGraph
import HarkenPipeline
import HarkenTargets
import HarkenTestSupport

/// The instruction-set simulator against hand-counted code, and the analytic cost
/// model against the simulator on microWakeWord's models.
final class CostModelTests: XCTestCase {
    /// An SMLAD dot-product loop whose Cortex-M4 cycles are counted by hand from the
    /// TRM's timing table in Tests/ISS/smlad_loop.S: 8n + 17, plus W per taken branch.
    func testSMLADLoopCountsExactly() throws {
        let dir = try Support.tempDir("smlad")
        let elf = dir.appendingPathComponent("smlad.elf").path
        try Support.run("/usr/bin/arm-none-eabi-gcc", ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16",
                                                       "-nostartfiles", "-nostdlib", "-T", Support.repo.appendingPathComponent("Firmware/profile/iss.ld").path,
                                                       Support.repo.appendingPathComponent("Tests/ISS/smlad_loop.S").path, "-o", elf])
        for w in [0, 5] {
            let iss = try InstructionSetSimulator(elf: elf, core: .m4, flashWaitStates: w)
            for n in [1, 2, 100, 1000] {
                // a and b both point at the scratch buffer in RAM.
                let stats = try iss.call("smlad_dot", [0x2000_0000, 0x2000_0000, UInt32(n)])
                XCTAssertEqual(stats.cycles, UInt64(8 * n + 17 + w * (n - 1)), "n=\(n) W=\(w)")
                XCTAssertEqual(stats.instructions, UInt64(6 * n + 5), "n=\(n)")
            }
        }
    }

    /// STM32F4's ART accelerator as Targets/stm32f4.yaml describes it, against the hand counts of
    /// Tests/ISS/art_loop.S (derived there from RM0390's rules and the Cortex-M4 TRM's table): a
    /// straight loop misses once and prefetch hides the rest; 64 branch targets fit the instruction
    /// cache, 65 miss every time; 8 flash lines of data fit the data cache, 9 miss every time.
    /// Without the accelerator every new line pays.
    func testARTFlashModelCountsExactly() throws {
        let dir = try Support.tempDir("art")
        let elf = dir.appendingPathComponent("art.elf").path
        try Support.run("/usr/bin/arm-none-eabi-gcc", ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16",
                                                       "-nostartfiles", "-nostdlib", "-T", Support.repo.appendingPathComponent("Firmware/profile/iss.ld").path,
                                                       Support.repo.appendingPathComponent("Tests/ISS/art_loop.S").path, "-o", elf])
        let target = try TargetCatalog.board("stm32f4", home: Support.home)
        let w = UInt64(target.flash_wait_states)
        XCTAssertEqual(w, 5)
        let art = try XCTUnwrap(Pipeline.flashModel(target: target, flashCache: true), "stm32f4.yaml has a flash_cache: block")
        let bare = try XCTUnwrap(Pipeline.flashModel(target: target, flashCache: false))
        func run(_ model: InstructionSetSimulator.FlashModel, _ fn: String, _ args: [UInt32], wait: UInt64 = w) throws -> UInt64 {
            let iss = try InstructionSetSimulator(elf: elf, core: .m4, flashWaitStates: Int(wait))
            try iss.setFlashModel(model)
            return try iss.call(fn, args).cycles
        }
        for n: UInt64 in [1, 2, 10] {
            let a = UInt32(n)
            let straight = 17 * n + 11
            XCTAssertEqual(try run(art, "art_straight", [a], wait: 0), straight, "n=\(n) W=0")
            XCTAssertEqual(try run(art, "art_straight", [a]), straight + (n >= 2 ? w : 0), "ART n=\(n)")
            XCTAssertEqual(try run(bare, "art_straight", [a]), straight + w * (2 * n + 1), "no cache n=\(n)")
            XCTAssertEqual(try run(art, "art_chain64", [a, 0]), 193 * n + 3 + 63 * w, "ART 64 lines n=\(n)")
            XCTAssertEqual(try run(art, "art_chain65", [a, 0]), 196 * n + 3 + (65 * n - 1) * w, "ART 65 lines n=\(n)")
            XCTAssertEqual(try run(bare, "art_chain64", [a, 0]), 193 * n + 3 + (64 * n - 1) * w, "no cache 64 lines n=\(n)")
            let table = try InstructionSetSimulator(elf: elf, core: .m4).symbolAddress("art_table")
            XCTAssertEqual(try run(art, "art_data", [a, table, 8]), 52 * n + 8 + 8 * w, "ART 8 data lines n=\(n)")
            XCTAssertEqual(try run(art, "art_data", [a, table, 9]), 58 * n + 8 + 9 * n * w, "ART 9 data lines n=\(n)")
            XCTAssertEqual(try run(bare, "art_data", [a, table, 8]), 52 * n + 8 + 8 * n * w, "no cache 8 data lines n=\(n)")
        }
    }

    /// hey_jarvis on stm32f4 with the ART model sits between the same code at zero wait states and
    /// without the accelerator (the flash model only adds wait states, and the accelerator only
    /// removes some), and `harken cost --measure` reports the one it ran.
    func testFlashCacheSitsBetweenZeroWaitAndNoCache() throws {
        var target = try TargetCatalog.board("stm32f4", home: Support.home)
        let path = try Support.modelPath("hey_jarvis")
        let plan = try Graph.load(tflite: path).lower(file: path)
        let inputs = try Pipeline.costInputs(plan: plan, steps: 6)
        func total(_ t: Target, cache: Bool) throws -> Double {
            try Pipeline.measureCycles(plan: plan, name: "hey_jarvis", target: t, home: Support.home, inputs: inputs,
                                       workDir: try Support.tempDir("between").path, flashCache: cache).total
        }
        let art = try total(target, cache: true), none = try total(target, cache: false)
        target.flash_wait_states = 0
        let zero = try total(target, cache: true)
        print(String(format: "hey_jarvis on stm32f4: zero wait states %.0f, ART model %.0f, no flash cache %.0f cycles", zero, art, none))
        XCTAssertLessThan(zero, art)
        XCTAssertLessThan(art, none)
    }

    /// A kernel the target has no coefficients for is estimated, with one warning naming it and
    /// the source: first the same kernel on a same-core target, then the target's coefficients
    /// for the kernel's reference variant, then the generic figure. The estimates are the
    /// source's coefficients applied to the layer's features.
    func testUncalibratedKernelIsEstimatedWithWarning() throws {
        let path = try Support.modelPath("hey_jarvis")
        let plan = try Graph.load(tflite: path).lower(file: path)
        let variant = KernelVariant.cortexMDSP
        let features = plan.steps.map { LayerFeatures(step: $0, variant: variant) }
        let conv = try XCTUnwrap(features.first { $0.kernel != $0.reference }, "hey_jarvis has a layer whose DSP kernel differs from its reference")
        let table = CostCoefficients(kernels: Dictionary(uniqueKeysWithValues: Set(features.flatMap { [$0.kernel, $0.reference] }).map { ($0, [1.0, 2, 3, 4, 5, 6, 7, 8, 9]) }))
        var own = table.kernels
        own[conv.kernel] = nil
        own[conv.reference] = [0.5, 1, 0, 0, 0, 0, 100, 0, 0]
        let dot = { (c: [Double], f: LayerFeatures) in zip(c, f.vector).reduce(0) { $0 + $1.0 * $1.1 } }

        // From the reference variant on the same target.
        var cost = try CostModel(target: "board", clockHz: 1_000_000, coefficients: CostCoefficients(kernels: own)).evaluate(plan, variant: variant)
        XCTAssertEqual(cost.warnings.count, 1, "\(cost.warnings)")
        XCTAssertTrue(cost.warnings[0].contains("board: no coefficients for \(conv.kernel); estimated from its reference kernel \(conv.reference)"), cost.warnings[0])
        for (l, f) in zip(cost.layers, features) {
            XCTAssertEqual(l.cycles, dot(f.kernel == conv.kernel ? own[conv.reference]! : own[f.kernel]!, f), accuracy: 1e-6, "layer \(l.index)")
            XCTAssertEqual(l.estimatedFrom != nil, f.kernel == conv.kernel)
        }
        // From the same kernel on a same-core target, before the reference variant.
        let other = [conv.kernel: [0.25, 0, 0, 0, 0, 0, 9.0, 0, 0]]
        cost = try CostModel(target: "board", clockHz: 1_000_000, coefficients: CostCoefficients(kernels: own),
                             fallbacks: [("twin", CostCoefficients(kernels: other))]).evaluate(plan, variant: variant)
        XCTAssertTrue(cost.warnings.first?.contains("estimated from twin's \(conv.kernel) (same core)") == true, "\(cost.warnings)")
        for (l, f) in zip(cost.layers, features) where f.kernel == conv.kernel {
            XCTAssertEqual(l.cycles, dot(other[conv.kernel]!, f), accuracy: 1e-6)
        }
        // Nothing anywhere: the generic figure, still an estimate.
        cost = try CostModel(target: "board", clockHz: 1_000_000, coefficients: CostCoefficients(kernels: [:])).evaluate(plan, variant: variant)
        XCTAssertEqual(cost.warnings.count, Set(features.map(\.kernel)).count)
        XCTAssertEqual(cost.totalCycles, features.reduce(0) { $0 + dot(CostModel.generic, $1) }, accuracy: 1e-6)
        XCTAssertTrue(cost.warnings.allSatisfy { $0.contains("the generic figure") })
    }

    /// `harken cost calibrate`'s report: per kernel, the layer its coefficients miss most, as a signed
    /// relative error, worked out here from the coefficients and each layer's features.
    func testFitReportNamesEachKernelsWorstLayer() throws {
        let path = try Support.modelPath("hey_jarvis")
        let plan = try Graph.load(tflite: path).lower(file: path)
        let samples = plan.steps.enumerated().map { i, step in
            CalibrationSample(name: "layer \(i)", suite: false, features: LayerFeatures(step: step, variant: .cortexMDSP),
                              cycles: Double(1000 + 37 * i))
        }
        let c = CostModel.fit(samples.map { ($0.features, $0.cycles) })
        let report = KernelFit.report(c, samples: samples)
        XCTAssertEqual(Set(report.map(\.kernel)), Set(samples.map(\.features.kernel)))
        XCTAssertEqual(report.map { abs($0.worstError) }, report.map { abs($0.worstError) }.sorted(by: >))
        for r in report {
            let group = samples.filter { $0.features.kernel == r.kernel }
            let errors = group.map { s in (s.name, zip(c.kernels[r.kernel]!, s.features.vector).reduce(0) { $0 + $1.0 * $1.1 } / s.cycles - 1) }
            let worst = errors.max { abs($0.1) < abs($1.1) }!
            XCTAssertEqual(r.samples, group.count)
            XCTAssertEqual(r.worstSample, worst.0, r.kernel)
            XCTAssertEqual(r.worstError, worst.1, accuracy: 1e-9, r.kernel)
        }
    }

    /// `harken cost` on every Arm board estimates hey_jarvis and the calibration suite's AVERAGE_POOL_2D
    /// and SOFTMAX layers without a warning: every kernel is calibrated on every Arm target.
    func testEveryKernelIsCalibratedOnEveryArmTarget() throws {
        let plans = try CalibrationSuite.plans().map(\.plan) + [try Graph.load(tflite: try Support.modelPath("hey_jarvis")).lower(file: "hey_jarvis")]
        let arm = try TargetCatalog.load(home: Support.home).filter { InstructionSetSimulator.Core(targetCore: $0.core) != nil }
        XCTAssertEqual(Set(arm.map(\.name)), ["qemu-microbit", "rp2040", "qemu-mps2-an386", "qemu-mps2-an500", "qemu-mps2-an505",
                                              "nrf52840", "nrf5340", "stm32f4", "stm32h7"])
        for target in arm {
            let model = CostModel(target: target.name, clockHz: target.clock_hz, coefficients: CostCoefficients(kernels: target.cost ?? [:]))
            var missing = Set<String>(), nonPositive = Set<String>()
            for variant in Set([KernelVariant.forTarget(simd: target.simd, isa: target.isa), .reference]) {
                for plan in plans {
                    let cost = try model.evaluate(plan, variant: variant)
                    missing.formUnion(cost.layers.filter { $0.estimatedFrom != nil }.map(\.kernel))
                    nonPositive.formUnion(cost.layers.filter { $0.cycles <= 0 }.map(\.kernel))
                }
            }
            XCTAssertEqual(missing, [], "\(target.name): kernels without coefficients; run `make calibrate`")
            XCTAssertEqual(nonPositive, [], "\(target.name): kernels estimated at zero cycles or fewer")
        }
    }

    static let zooChecked = ["mlperf_sww", "ds_cnn_s"]

    /// Every model of the zoo on every Arm board: an estimate for every layer, never a refusal (a
    /// kernel without coefficients is estimated with a warning).
    func testZooIsEstimatedOnEveryArmTarget() throws {
        let zoo = try Pipeline.zoo(outDir: try Support.tempDir("zoo-all").path)
        let arm = try TargetCatalog.load(home: Support.home).filter { InstructionSetSimulator.Core(targetCore: $0.core) != nil }
        for m in zoo.models {
            for target in arm {
                let cost = try Pipeline.cost(model: m.file, board: target.name, home: Support.home, measure: false)
                XCTAssertTrue(cost.layers.allSatisfy { $0.cycles > 0 && $0.cycles.isFinite }, "\(m.name) on \(target.name): \(cost.layers.map(\.cycles))")
                XCTAssertEqual(cost.warnings.count, Set(cost.layers.compactMap { $0.estimatedFrom == nil ? nil : $0.kernel }).count)
            }
        }
    }

    /// Leave one model out: fit the coefficients on the built-in calibration suite and
    /// the other models, then compare the analytic model with the simulator on the
    /// held-out model, on a Cortex-M4 and a Cortex-M7 target with their flash caches.
    /// The goal is 5 % in total and 10 % per layer; every miss of it is printed
    /// ("beyond the goal"). What this asserts is what the model holds today, so that it
    /// cannot get worse unseen: microWakeWord's models and the Sentries within 5 % in
    /// total, the zoo's within 10 % (stm32h7's pointwise and im2col layers are fitted on
    /// one other zoo model), every layer within 20 %.
    func testAnalyticModelAgainstSimulator() throws {
        for board in ["stm32f4", "stm32h7"] {
            let target = try TargetCatalog.board(board, home: Support.home)
            let variant = KernelVariant.forTarget(simd: target.simd, isa: target.isa)
            let cache = Pipeline.dataCache(target: target)
            let suite = try Pipeline.measureSuite(target: target, home: Support.home).map { ($0.features, $0.cycles) }
            var measured: [String: (Plan, [Double])] = [:]
            var models: [(String, Plan)] = []
            for name in Support.modelNames {
                let path = try Support.modelPath(name)
                models.append((name, try Graph.load(tflite: path).lower(file: path)))
            }
            models += try Pipeline.sentryProbePlans()
            // Two of the model zoo's published shapes (not streaming: one step each): MLPerf Tiny's
            // streaming wake-word net and DS-CNN-S (pointwise and 3×3 depthwise on 25×5×64 maps).
            let zoo = try Pipeline.zoo(outDir: try Support.tempDir("zoo-\(board)").path, names: Self.zooChecked)
            models += try zoo.models.map { ($0.name, try Graph.load(tflite: $0.file).lower(file: $0.file)) }
            for (name, plan) in models {
                let inputs = try Pipeline.costInputs(plan: plan, steps: Self.zooChecked.contains(name) ? 1 : 30)
                let work = try Support.tempDir("cost-\(board)-\(name)").path
                measured[name] = (plan, try Pipeline.measureCycles(plan: plan, name: name, target: target, home: Support.home, inputs: inputs, workDir: work).layers)
            }
            for held in models.map(\.0) {
                var samples: [(LayerFeatures, Double)] = []
                for (name, (plan, layers)) in measured where name != held {
                    for (i, step) in plan.steps.enumerated() { samples.append((LayerFeatures(step: step, variant: variant, plan: plan, cache: cache), layers[i])) }
                }
                // A kernel only the held-out model uses (okay_nabu's SPLIT_V) is fitted on its own layers.
                let seen = Set((samples + suite).map(\.0.kernel))
                let (heldPlan, heldLayers) = measured[held]!
                for (i, step) in heldPlan.steps.enumerated() {
                    let f = LayerFeatures(step: step, variant: variant, plan: heldPlan, cache: cache)
                    if !seen.contains(f.kernel) { samples.append((f, heldLayers[i])) }
                }
                let model = CostModel(target: board, clockHz: target.clock_hz, coefficients: CostModel.fit(samples, suite: suite), cache: cache)
                let (plan, layers) = measured[held]!
                let estimate = try model.evaluate(plan, variant: variant)
                let total = layers.reduce(0, +)
                let totalError = abs(estimate.totalCycles - total) / total
                let zooModel = Self.zooChecked.contains(held)
                XCTAssertLessThan(totalError, zooModel ? 0.10 : 0.05, "\(board) \(held): total \(estimate.totalCycles) vs \(total)")
                if totalError >= 0.05 {
                    print(String(format: "beyond the goal: %@ %@ total %.1f %%", board, held, totalError * 100))
                }
                var worst = 0.0
                for (l, m) in zip(estimate.layers, layers) {
                    let e = abs(l.cycles - m) / m
                    if l.op == "LOGISTIC" {
                        // LOGISTIC computes only inside its input range and saturates outside it: the
                        // estimate is the computing path (the suite's inputs), a model whose steps all
                        // saturate measures less. The estimate may be above, by a bounded margin; below,
                        // as the other layers (stm32h7's are about 15 % under, the goal's 10 % missed).
                        XCTAssertTrue(l.cycles > 0.8 * m && l.cycles < 1.35 * m, "\(board) \(held) layer \(l.index) (LOGISTIC): \(l.cycles) vs \(m)")
                        if l.cycles < 0.9 * m {
                            print(String(format: "beyond the goal: %@ %@ layer %d (LOGISTIC) %.1f %% under", board, held, l.index, (1 - l.cycles / m) * 100))
                        }
                        continue
                    }
                    worst = max(worst, e)
                    XCTAssertLessThan(e, 0.20, "\(board) \(held) layer \(l.index) (\(l.op), \(l.kernel)): \(l.cycles) vs \(m)")
                    if e >= 0.10 {
                        print(String(format: "beyond the goal: %@ %@ layer %d (%@, %@) %.1f %%", board, held, l.index, l.op, l.kernel, e * 100))
                    }
                }
                print(String(format: "cost model, %@ %@ (held out): total %.0f vs simulator %.0f (%.1f %%), worst layer %.1f %%",
                             board, held, estimate.totalCycles, total, totalError * 100, worst * 100))
            }
        }
    }
}
