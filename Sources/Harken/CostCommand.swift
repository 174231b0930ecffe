import Foundation
import ArgumentParser
import HarkenCost
import HarkenGraph
import HarkenPipeline
import HarkenTargets

struct Cost: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Per-layer MACs, cycles, time, RAM and flash of a model on a target, from the calibrated cost model.",
        subcommands: [Estimate.self, Calibrate.self], defaultSubcommand: Estimate.self)

    struct Estimate: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "estimate", abstract: "Estimate a model's cost on a target.")

        @Option(help: "The .tflite model.") var model: String
        @Option(help: "Target from Targets/ (see `harken boards`).") var target: String
        @Flag(help: "Also run the model in the instruction-set simulator and show its counts and the error.") var measure = false
        @Option(help: "Inference steps the simulator runs with --measure.") var steps = 20
        @Option(help: "Kernels to estimate and measure: optimized (the target's variant, e.g. the DSP kernels on a Cortex-M4) or reference (the plain C99 kernels).")
        var kernels = "optimized"
        @Flag(help: "With --measure: simulate the flash without the target's accelerator or caches (every new instruction line and every flash data read pays the wait states).")
        var noFlashCache = false
        @Flag(help: "Print the result as JSON.") var json = false

        func validate() throws {
            guard ["optimized", "reference"].contains(kernels) else {
                throw ValidationError("--kernels: expected optimized or reference, got \(kernels)")
            }
            if noFlashCache && !measure { throw ValidationError("--no-flash-cache changes only the simulator's count: add --measure") }
        }

        func run() throws {
            let variant: KernelVariant? = kernels == "reference" ? .reference : nil
            let c = try guarded {
                try Pipeline.cost(model: model, board: target, home: try HarkenHome.locate(), measure: measure, steps: steps,
                                  kernels: variant, flashCache: !noFlashCache)
            }
            if json { return try printJSON(c) }
            print("\(model) on \(target) at \(c.clockHz / 1_000_000) MHz, \(c.kernelVariant) kernels")
            if let f = c.flashModel { print("  simulator flash: \(f)") }
            print("  layer  op                   kernel                    MACs      cycles       us" + (measure ? "   measured   error" : ""))
            for l in c.layers {
                var line = String(format: "  %5d  %-20@ %-22@ %7d %11.0f %8.1f", l.index, l.op as NSString, l.kernel as NSString, l.macs, l.cycles, l.microseconds)
                if let m = l.measuredCycles { line += String(format: " %10.0f %+6.1f%%", m, m > 0 ? (l.cycles - m) / m * 100 : 0) }
                print(line)
            }
            var total = String(format: "  total %48d %11.0f %8.1f", c.macs, c.totalCycles, c.totalMicroseconds)
            if let m = c.measuredTotalCycles { total += String(format: " %10.0f %+6.1f%%", m, (c.totalCycles - m) / m * 100) }
            print(total)
            if let d = c.dominantLayer { print("  dominant layer: \(d) (\(c.layers[d].op), \(String(format: "%.0f", c.layers[d].cycles / c.totalCycles * 100)) % of cycles)") }
            print("  RAM: arena \(c.arenaBytes) B + state \(c.stateBytes) B; flash: weights \(c.weightBytes) B")
            if let us = c.evaluationMicroseconds { print(String(format: "  the analytic model evaluates this model in %.0f us", us)) }
            for w in c.warnings { print("  warning: \(w)") }
        }
    }

    struct Calibrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure the models' layers in the instruction-set simulator, fit the target's coefficients, write them into Targets/.")

        @Option(help: "Target from Targets/.") var target: String
        @Option(help: "Models whose layers calibrate the fit (repeat).") var model: [String]
        @Option(help: "Inference steps per model.") var steps = 10
        @Flag(help: "Print the coefficients as JSON.") var json = false

        func validate() throws {
            if model.isEmpty { throw ValidationError("give at least one --model") }
        }

        func run() throws {
            let (c, samples) = try guarded { try Pipeline.calibrate(board: target, models: model, home: try HarkenHome.locate(), steps: steps) }
            let path = try guarded { try Pipeline.writeCoefficients(c, board: target, home: try HarkenHome.locate()) }
            let fit = KernelFit.report(c, samples: samples)
            if json {
                struct Calibration: Encodable {
                    var schemaVersion = 1; var target: String; var samples: Int; var path: String; var kernels: [String: [Double]]; var fit: [KernelFit]
                }
                return try printJSON(Calibration(target: target, samples: samples.count, path: path, kernels: c.kernels, fit: fit))
            }
            print("\(target): fitted \(c.kernels.count) kernels from \(samples.count) measured layers; wrote \(path)")
            for f in fit where abs(f.worstError) >= 0.10 {
                print(String(format: "  %@: %+.1f %% on %@ (%.0f cycles measured, %.0f fitted; %d layers)",
                             f.kernel, f.worstError * 100, f.worstSample, f.measuredCycles, f.fittedCycles, f.samples))
            }
        }
    }
}
