// Optimizer.swift: Adam and AdamW, global-norm gradient clipping, cosine schedule with warm-up.
//
// Adam (Kingma & Ba) with bias correction. Weight decay is either coupled (L2: decay * w added to
// the gradient, as torch.optim.Adam) or decoupled (AdamW, Loshchilov & Hutter: w -= lr * decay * w,
// as torch.optim.AdamW). Moments are kept per parameter object.

import Foundation

public struct AdamConfig: Sendable, Codable, Equatable {
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    public var weightDecay: Float = 0
    /// true: AdamW; false: L2 added to the gradient.
    public var decoupledWeightDecay = false

    public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 0, decoupledWeightDecay: Bool = false) {
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        self.weightDecay = weightDecay; self.decoupledWeightDecay = decoupledWeightDecay
    }
}

public final class Adam {
    public var config: AdamConfig
    public private(set) var step = 0
    /// First and second moments per parameter; holding the parameter keeps its identity from being reused.
    private struct Moments { let parameter: Parameter; var m: [Float]; var v: [Float] }
    private var moments: [ObjectIdentifier: Moments] = [:]

    public init(_ config: AdamConfig = AdamConfig()) { self.config = config }

    /// AdamW: decoupled weight decay.
    public static func adamW(weightDecay: Float = 0.01, beta1: Float = 0.9, beta2: Float = 0.999,
                             epsilon: Float = 1e-8) -> Adam {
        Adam(AdamConfig(beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay,
                        decoupledWeightDecay: true))
    }

    /// One update of every parameter from its accumulated gradient, at learning rate `lr`.
    /// `decay` filters which parameters take weight decay (default: all but biases and BN affine).
    public func update(_ parameters: [Parameter], lr: Float,
                       decay: (Parameter) -> Bool = Adam.decaysByDefault) {
        step += 1
        let c = config
        let bc1 = 1 - Foundation.pow(c.beta1, Float(step)), bc2 = 1 - Foundation.pow(c.beta2, Float(step))
        for p in parameters {
            let key = ObjectIdentifier(p)
            let zeros = [Float](repeating: 0, count: p.value.count)
            var state = moments.removeValue(forKey: key) ?? Moments(parameter: p, m: zeros, v: zeros)
            precondition(state.m.count == p.value.count, "Adam: parameter \(p.name) changed size between steps")
            let wd = decay(p) ? c.weightDecay : 0
            let g = p.grad.data
            p.value.data.withUnsafeMutableBufferPointer { w in
                for i in 0..<w.count {
                    var gi = g[i]
                    if !c.decoupledWeightDecay { gi += wd * w[i] }
                    state.m[i] = c.beta1 * state.m[i] + (1 - c.beta1) * gi
                    state.v[i] = c.beta2 * state.v[i] + (1 - c.beta2) * gi * gi
                    let mhat = state.m[i] / bc1, vhat = state.v[i] / bc2
                    if c.decoupledWeightDecay { w[i] -= lr * wd * w[i] }
                    w[i] -= lr * mhat / (vhat.squareRoot() + c.epsilon)
                }
            }
            moments[key] = state
        }
    }

    /// The step count and each parameter's moments by name (for checkpoints).
    public func state(of parameters: [Parameter]) -> (step: Int, moments: [String: (m: [Float], v: [Float])]) {
        var out: [String: (m: [Float], v: [Float])] = [:]
        for p in parameters { if let s = moments[ObjectIdentifier(p)] { out[p.name] = (s.m, s.v) } }
        return (step, out)
    }

    /// Restores what `state(of:)` returned, matching parameters by name.
    public func restore(step: Int, moments saved: [String: (m: [Float], v: [Float])], parameters: [Parameter]) {
        self.step = step
        moments = [:]
        for p in parameters {
            if let s = saved[p.name], s.m.count == p.value.count, s.v.count == p.value.count {
                moments[ObjectIdentifier(p)] = Moments(parameter: p, m: s.m, v: s.v)
            }
        }
    }

    public static func decaysByDefault(_ p: Parameter) -> Bool {
        !(p.name.hasSuffix(".bias") || p.name.hasSuffix(".gamma") || p.name.hasSuffix(".beta"))
    }
}

public enum GradientClipping {
    /// Scales all gradients so their joint L2 norm is at most `maxNorm`; returns the norm before clipping.
    @discardableResult
    public static func clipGlobalNorm(_ parameters: [Parameter], maxNorm: Float) -> Float {
        let norm = Float(parameters.reduce(0.0) { $0 + $1.grad.sumOfSquares }.squareRoot())
        if norm > maxNorm && norm > 0 {
            let s = maxNorm / norm
            for p in parameters { p.grad.scale(by: s) }
        }
        return norm
    }
}

/// Linear warm-up from 0 to `baseLR` over `warmupSteps`, then cosine decay to `minLR` at `totalSteps`.
public struct CosineSchedule: Sendable, Codable, Equatable {
    public var baseLR: Float
    public var warmupSteps: Int
    public var totalSteps: Int
    public var minLR: Float

    public init(baseLR: Float, warmupSteps: Int, totalSteps: Int, minLR: Float = 0) {
        precondition(totalSteps > warmupSteps && warmupSteps >= 0,
                     "CosineSchedule: need 0 <= warmupSteps (\(warmupSteps)) < totalSteps (\(totalSteps))")
        self.baseLR = baseLR; self.warmupSteps = warmupSteps; self.totalSteps = totalSteps; self.minLR = minLR
    }

    /// Learning rate for 0-based `step`.
    public func learningRate(at step: Int) -> Float {
        if step < warmupSteps { return baseLR * Float(step + 1) / Float(warmupSteps) }
        let t = min(Double(step - warmupSteps) / Double(totalSteps - warmupSteps), 1)
        return minLR + (baseLR - minLR) * Float(0.5 * (1 + Foundation.cos(Double.pi * t)))
    }
}
