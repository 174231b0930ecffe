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

    /// Leave one model out: fit the coefficients on the built-in calibration suite and
    /// the other three models, then the analytic model must be within 5 % of the
    /// simulator on the held-out model's total and within 10 % on each of its layers,
    /// on a Cortex-M4 and a Cortex-M7 target.
    func testAnalyticModelAgainstSimulator() throws {
        for board in ["stm32f4", "stm32h7"] {
            let target = try TargetCatalog.board(board, home: Support.home)
            let variant = KernelVariant.forTarget(simd: target.simd, isa: target.isa)
            let suite = try Pipeline.measureSuite(target: target, home: Support.home)
            var measured: [String: (Plan, [Double])] = [:]
            var models: [(String, Plan)] = []
            for name in Support.modelNames {
                let path = try Support.modelPath(name)
                models.append((name, try Graph.load(tflite: path).lower(file: path)))
            }
            models += try Pipeline.sentryProbePlans()
            for (name, plan) in models {
                let inputs = try Pipeline.costInputs(plan: plan, steps: 30)
                let work = try Support.tempDir("cost-\(board)-\(name)").path
                measured[name] = (plan, try Pipeline.measureCycles(plan: plan, name: name, target: target, home: Support.home, inputs: inputs, workDir: work).layers)
            }
            for held in models.map(\.0) {
                var samples = suite
                for (name, (plan, layers)) in measured where name != held {
                    for (i, step) in plan.steps.enumerated() { samples.append((LayerFeatures(step: step, variant: variant), layers[i])) }
                }
                // A kernel only the held-out model uses (okay_nabu's SPLIT_V) is fitted on its own layers.
                let seen = Set(samples.map(\.0.kernel))
                let (heldPlan, heldLayers) = measured[held]!
                for (i, step) in heldPlan.steps.enumerated() {
                    let f = LayerFeatures(step: step, variant: variant)
                    if !seen.contains(f.kernel) { samples.append((f, heldLayers[i])) }
                }
                let model = CostModel(target: board, clockHz: target.clock_hz, coefficients: CostModel.fit(samples))
                let (plan, layers) = measured[held]!
                let estimate = try model.evaluate(plan, variant: variant)
                let total = layers.reduce(0, +)
                let totalError = abs(estimate.totalCycles - total) / total
                XCTAssertLessThan(totalError, 0.05, "\(board) \(held): total \(estimate.totalCycles) vs \(total)")
                var worst = 0.0
                for (l, m) in zip(estimate.layers, layers) {
                    let e = abs(l.cycles - m) / m
                    worst = max(worst, e)
                    XCTAssertLessThan(e, 0.10, "\(board) \(held) layer \(l.index) (\(l.op), \(l.kernel)): \(l.cycles) vs \(m)")
                }
                print(String(format: "cost model, %@ %@ (held out): total %.0f vs simulator %.0f (%.1f %%), worst layer %.1f %%",
                             board, held, estimate.totalCycles, total, totalError * 100, worst * 100))
            }
        }
    }
}
