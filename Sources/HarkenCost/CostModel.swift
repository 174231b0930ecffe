import Foundation
import HarkenGraph
import HarkenSupport

/// Per-kernel cycle coefficients for one target, fitted from the instruction-set
/// simulator (`harken cost calibrate`): cycles = per_mac·MACs + per_output·outputs
/// + per_moved·moved + per_block·blocks + per_tail_tap·tail + per_call.
public struct CostCoefficients: Codable, Sendable, Equatable {
    public var kernels: [String: [Double]]

    public init(kernels: [String: [Double]]) { self.kernels = kernels }
}

public struct LayerCost: Codable, Sendable {
    public var index: Int
    public var op: String
    public var kernel: String
    public var macs: Int
    public var cycles: Double
    public var microseconds: Double
    /// Cycles the simulator counted for this layer, with `--measure`.
    public var measuredCycles: Double?
    /// Flash this layer's constants (weights, biases, tables) take; RAM is the arena all layers share.
    public var flashBytes: Int = 0
    /// Set when the target has no coefficients of its own for this kernel: where the estimate's came from.
    public var estimatedFrom: String?
}

public struct ModelCost: Codable, Sendable {
    public var schemaVersion = 1
    public var target: String
    public var clockHz: Int
    public var layers: [LayerCost]
    public var totalCycles: Double
    public var totalMicroseconds: Double
    public var macs: Int
    public var arenaBytes: Int
    public var stateBytes: Int
    public var weightBytes: Int
    public var dominantLayer: Int?
    public var measuredTotalCycles: Double?
    /// Mean wall time of one evaluation of the analytic model (a search loop's budget).
    public var evaluationMicroseconds: Double?
    /// The kernels estimated and measured: the target's variant ("dsp", ...) or "reference".
    public var kernelVariant: String = KernelVariant.reference.rawValue
    /// With `--measure`: the flash model the simulator ran (the target's accelerator or caches,
    /// none, or zero wait states).
    public var flashModel: String?
    /// Kernels estimated without coefficients of their own on this target, one line each.
    public var warnings: [String] = []
}

public enum CostError: CodedError, Equatable {
    public static let domain = "cost"

    case uncalibrated(target: String, kernel: String)
    public var description: String {
        switch self {
        case let .uncalibrated(target, kernel):
            return "\(target): no cost coefficients for \(kernel); run `harken cost calibrate --target \(target)`"
        }
    }
}

/// The analytic model: a few multiplications per layer, fast enough for a search loop.
///
/// A kernel the target has no coefficients for is estimated, never refused, from the first of:
/// the same kernel on another target with the same core (`fallbacks`, nearest first), this
/// target's coefficients for the kernel's reference variant, or `CostModel.generic`; each such
/// kernel gets one warning.
public struct CostModel: Sendable {
    public let target: String
    public let clockHz: Int
    public let coefficients: CostCoefficients
    /// Other targets' coefficients to estimate from, nearest first (same core).
    public var fallbacks: [(target: String, coefficients: CostCoefficients)]
    /// The target's flash data cache, when its flash has wait states and a cache is modelled.
    public var cache: FlashDataCache?

    /// The last resort for a kernel no target has calibrated, per feature (LayerFeatures.names):
    /// about what the portable reference kernels take on a Cortex-M4 at zero wait states (their
    /// calibrated coefficients on qemu-mps2-an386 are 2-9 cycles per MAC, 5-220 per output or value
    /// moved, 50-1200 per call); rounded up, since an unknown kernel should not look cheap.
    public static let generic: [Double] = [8, 100, 20, 0, 0, 0, 1000, 0, 0]

    public init(target: String, clockHz: Int, coefficients: CostCoefficients,
                fallbacks: [(target: String, coefficients: CostCoefficients)] = [], cache: FlashDataCache? = nil) {
        self.target = target
        self.clockHz = clockHz
        self.coefficients = coefficients
        self.fallbacks = fallbacks
        self.cache = cache
    }

    /// A layer's coefficients, and where they came from when they are not the target's own for its kernel.
    public func coefficients(for f: LayerFeatures) -> (values: [Double], estimatedFrom: String?) {
        if let c = coefficients.kernels[f.kernel] { return (c, nil) }
        for (other, table) in fallbacks {
            if let c = table.kernels[f.kernel] { return (c, "\(other)'s \(f.kernel) (same core)") }
        }
        if f.reference != f.kernel, let c = coefficients.kernels[f.reference] {
            return (c, "its reference kernel \(f.reference) on \(target)")
        }
        for (other, table) in fallbacks {
            if let c = table.kernels[f.reference] { return (c, "\(other)'s reference kernel \(f.reference) (same core)") }
        }
        return (Self.generic, "the generic figure (8 cycles per MAC, 100 per output, 20 per value moved, 1000 per call)")
    }

    public func cycles(_ f: LayerFeatures) -> Double { f.cycles(coefficients(for: f).values) }

    public func evaluate(_ plan: Plan, variant: KernelVariant = .reference) throws -> ModelCost {
        var layers: [LayerCost] = []
        var warnings: [String] = []
        for (i, step) in plan.steps.enumerated() {
            let f = LayerFeatures(step: step, variant: variant, plan: plan, cache: cache)
            let (coefficients, source) = coefficients(for: f)
            let c = f.cycles(coefficients)
            let flash = step.inputs.reduce(0) { sum, s in
                if case .constant(let k)? = s { return sum + plan.constants[k].count } else { return sum }
            }
            layers.append(LayerCost(index: i, op: step.opName, kernel: f.kernel, macs: step.macs, cycles: c,
                                    microseconds: c / Double(clockHz) * 1e6, measuredCycles: nil, flashBytes: flash, estimatedFrom: source))
            if let source {
                let w = "\(target): no coefficients for \(f.kernel); estimated from \(source) (run `harken cost calibrate --target \(target)`)"
                if !warnings.contains(w) { warnings.append(w) }
            }
        }
        let total = layers.reduce(0) { $0 + $1.cycles }
        return ModelCost(target: target, clockHz: clockHz, layers: layers, totalCycles: total,
                         totalMicroseconds: total / Double(clockHz) * 1e6, macs: plan.steps.reduce(0) { $0 + $1.macs },
                         arenaBytes: plan.arenaBytes, stateBytes: plan.stateBytes, weightBytes: plan.weightBytes,
                         dominantLayer: layers.max { $0.cycles < $1.cycles }?.index, measuredTotalCycles: nil,
                         kernelVariant: variant.rawValue, warnings: warnings)
    }

    /// How much one calibration-suite layer counts in `fit` beside one layer of a real model. The
    /// suite's one-layer models run with only their own kernel in the flash caches, on seeded data,
    /// in shapes no model may have: they settle the kernels and shapes models lack, while a kernel
    /// that real models use is fitted mostly on their layers, in the conditions a model runs in.
    public static let suiteWeight = 0.15

    /// Least-squares fit per kernel from (features, measured cycles) samples of real models and of
    /// the calibration suite (weighted `suiteWeight`), with a small ridge so kernels measured on
    /// few shapes stay well-conditioned.
    public static func fit(_ samples: [(LayerFeatures, Double)], suite: [(LayerFeatures, Double)] = []) -> CostCoefficients {
        var result: [String: [Double]] = [:]
        let all = samples.map { ($0.0, $0.1, 1.0) } + suite.map { ($0.0, $0.1, suiteWeight) }
        for (kernel, group) in Dictionary(grouping: all, by: { $0.0.kernel }) {
            let n = LayerFeatures.names.count
            var ata = [Double](repeating: 0, count: n * n), atb = [Double](repeating: 0, count: n)
            // Fit relative error: weight each sample by 1/y so small layers count as much as big ones.
            for (f, y, weight) in group {
                let x = f.vector, w = weight / max(y, 1) / max(y, 1)
                for r in 0..<n {
                    atb[r] += w * x[r] * y
                    for c in 0..<n { ata[r * n + c] += w * x[r] * x[c] }
                }
            }
            let trace = (0..<n).reduce(0.0) { $0 + ata[$1 * n + $1] }
            for d in 0..<n { ata[d * n + d] += 1e-9 * max(trace, 1e-12) }
            result[kernel] = solve(ata, atb, n)
        }
        return CostCoefficients(kernels: result)
    }

    /// Gaussian elimination with partial pivoting (n is the feature count).
    static func solve(_ a: [Double], _ b: [Double], _ n: Int) -> [Double] {
        var m = a, v = b
        for col in 0..<n {
            let pivot = (col..<n).max { abs(m[$0 * n + col]) < abs(m[$1 * n + col]) }!
            if pivot != col {
                for k in 0..<n { m.swapAt(col * n + k, pivot * n + k) }
                v.swapAt(col, pivot)
            }
            let d = m[col * n + col]
            guard abs(d) > 1e-300 else { continue }
            for r in (col + 1)..<n {
                let f = m[r * n + col] / d
                for k in col..<n { m[r * n + k] -= f * m[col * n + k] }
                v[r] -= f * v[col]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for r in stride(from: n - 1, through: 0, by: -1) {
            let d = m[r * n + r]
            guard abs(d) > 1e-300 else { continue }
            x[r] = (v[r] - ((r + 1)..<n).reduce(0) { $0 + m[r * n + $1] * x[$1] }) / d
        }
        return x
    }
}

/// One layer a calibration measured: a calibration-suite model's or a given model's, its features
/// and the simulator's cycles.
public struct CalibrationSample: Sendable {
    /// "cal_fc6 (dsp)", "hey_jarvis layer 3 (reference)": where the layer came from, under which kernels.
    public var name: String
    /// A calibration-suite layer (weighted `CostModel.suiteWeight` in the fit).
    public var suite: Bool
    public var features: LayerFeatures
    public var cycles: Double

    public init(name: String, suite: Bool, features: LayerFeatures, cycles: Double) {
        (self.name, self.suite, self.features, self.cycles) = (name, suite, features, cycles)
    }
}

/// How well fitted coefficients reproduce the layers they were fitted on, per kernel: the layer
/// the fit misses most, as a signed relative error (estimate / measured - 1).
public struct KernelFit: Codable, Sendable, Equatable {
    public var kernel: String
    public var samples: Int
    public var worstError: Double
    public var worstSample: String
    public var measuredCycles: Double
    public var fittedCycles: Double

    /// One entry per kernel of `coefficients` that has samples, worst miss first.
    public static func report(_ coefficients: CostCoefficients, samples: [CalibrationSample]) -> [KernelFit] {
        Dictionary(grouping: samples, by: \.features.kernel).compactMap { kernel, group -> KernelFit? in
            guard let c = coefficients.kernels[kernel] else { return nil }
            let fitted = group.map { s in let f = s.features.cycles(c); return (s, f, f / max(s.cycles, 1) - 1) }
            let (s, f, e) = fitted.max { abs($0.2) < abs($1.2) }!
            return KernelFit(kernel: kernel, samples: group.count, worstError: e, worstSample: s.name, measuredCycles: s.cycles, fittedCycles: f)
        }.sorted { abs($0.worstError) > abs($1.worstError) }
    }
}
