// QAT.swift: quantization-aware training of a trained Sentry.
//
// Each convolution stage is trained the way it will run in int8: BatchNorm is frozen and folded
// into the convolution (w' = w·γ/σ, b' = β − μ·γ/σ), the folded weights are fake-quantized per
// output channel exactly as the export quantizes them, and the stage's output (and a hard-swish's
// input) is fake-quantized per tensor with ranges that follow a moving average of what they see,
// then freeze for the last epochs. Rounding has no gradient; the straight-through estimator passes
// it unchanged inside the range and stops it outside. The gradients of w, γ and β are those of the
// folding, so the float parameters stay the ones the export folds again.

import HarkenGraph
import HarkenNN

/// Per-tensor asymmetric int8 fake quantization with a moving range.
final class FakeQuant {
    var range: (min: Float, max: Float)?
    var momentum: Float = 0.99
    var frozen = false
    private var mask: [Bool] = []

    func forward(_ x: HarkenNN.Tensor, training: Bool) -> HarkenNN.Tensor {
        if training && !frozen {
            var lo = Float.infinity, hi = -Float.infinity
            for v in x.data { lo = Swift.min(lo, v); hi = Swift.max(hi, v) }
            if let r = range {
                range = (momentum * r.min + (1 - momentum) * lo, momentum * r.max + (1 - momentum) * hi)
            } else {
                range = (lo, hi)
            }
        }
        guard let r = range else { return x }
        let q = Quantization.int8(min: r.min, max: r.max)
        let (scale, zp) = (q.scale, Float(q.zeroPoint))
        let lo = (-128 - zp) * scale, hi = (127 - zp) * scale
        var y = x
        if training { mask = x.data.map { $0 >= lo && $0 <= hi } }
        for i in 0..<y.count {
            let v = Swift.min(Swift.max((x.data[i] / scale).rounded() + zp, -128), 127)
            y.data[i] = (v - zp) * scale
        }
        return y
    }

    func backward(_ g: HarkenNN.Tensor) -> HarkenNN.Tensor {
        guard !mask.isEmpty else { return g }
        var out = g
        for i in 0..<out.count where !mask[i] { out.data[i] = 0 }
        return out
    }
}

/// A convolution stage as it runs in int8: BatchNorm folded, weights and output fake-quantized.
final class FoldedQuantStage: Layer {
    let stage: TemporalStage
    let output = FakeQuant()
    let preActivation = FakeQuant()
    /// Off: folding only (what the gradient check exercises).
    var quantize = true
    private var folded: (k: [Float], quantized: [Float], original: [Float])?
    private var preValues = HarkenNN.Tensor(zeros: [0])

    init(_ stage: TemporalStage) {
        precondition(stage.batchNorm != nil, "FoldedQuantStage: stage \(stage.name) has no BatchNorm")
        self.stage = stage
        stage.batchNorm!.frozen = true
    }

    private var weight: Parameter { stage.conv?.weight ?? stage.depthwise!.weight }
    private var conv: Layer { stage.conv ?? stage.depthwise! }

    /// k = γ/σ per channel, the folded bias, and the folded weights fake-quantized by the export's rule.
    private func fold() -> (k: [Float], bias: [Float], quantized: [Float]) {
        let k = stage.batchNormAffine().k
        let (w, bias) = stage.foldedWeights()
        guard quantize else { return (k, bias, w) }
        let q = SymmetricWeights(w, channels: k.count) { $0 % k.count }
        return (k, bias, q.values.enumerated().map { Float($0.element) * q.scales[$0.offset % k.count] })
    }

    func forward(_ x: HarkenNN.Tensor, training: Bool) -> HarkenNN.Tensor {
        let (k, bias, wq) = fold()
        let original = weight.value.data
        weight.value.data = wq
        var y = conv.forward(x, training: training)
        weight.value.data = original
        if training { folded = (k, wq, original) }
        let c = k.count
        for i in 0..<y.count { y.data[i] += bias[i % c] }
        guard let act = stage.activation else { return quantize ? output.forward(y, training: training) : y }
        if act == .hardSwish && quantize { y = preActivation.forward(y, training: training) }
        if training { preValues = y }
        for i in 0..<y.count { y.data[i] = act.apply(y.data[i]) }
        return quantize ? output.forward(y, training: training) : y
    }

    func backward(_ gradOutput: HarkenNN.Tensor) -> HarkenNN.Tensor {
        guard let (k, wq, original) = folded else { preconditionFailure("FoldedQuantStage: backward before a training forward") }
        var g = quantize ? output.backward(gradOutput) : gradOutput
        if let act = stage.activation {
            for i in 0..<g.count { g.data[i] *= act.derivative(preValues.data[i]) }
            if act == .hardSwish && quantize { g = preActivation.backward(g) }
        }
        let bn = stage.batchNorm!
        let c = k.count
        var dBias = [Float](repeating: 0, count: c)
        for i in 0..<g.count { dBias[i % c] += g.data[i] }
        // The convolution's backward runs with the weights it ran forward with; its weight gradient
        // (w.r.t. the folded weights, straight through the rounding) is mapped back to w, γ and β.
        let before = weight.grad.data
        weight.value.data = wq
        weight.grad.data = [Float](repeating: 0, count: before.count)
        let dx = conv.backward(g)
        weight.value.data = original
        var dK = [Float](repeating: 0, count: c)
        for i in before.indices {
            let dFolded = weight.grad.data[i]
            dK[i % c] += dFolded * original[i]
            weight.grad.data[i] = before[i] + dFolded * k[i % c]
        }
        let inverseSigma = stage.batchNormAffine().inverseSigma
        for j in 0..<c {
            // k = γ/σ and bias = β − μ·k.
            bn.gamma.grad.data[j] += (dK[j] - dBias[j] * bn.runningMean.data[j]) * inverseSigma[j]
            bn.beta.grad.data[j] += dBias[j]
        }
        return dx
    }

    var parameters: [Parameter] { [weight, stage.batchNorm!.gamma, stage.batchNorm!.beta] }
}

extension SentryModel {
    /// Swaps every convolution stage for its folded, fake-quantized form (BatchNorm statistics freeze).
    public func prepareQuantizationAwareTraining() {
        for s in chain.stages where s.batchNorm != nil && !(s.layer is FoldedQuantStage) {
            s.layer = FoldedQuantStage(s)
        }
    }

    /// Freezes the moving activation ranges (the last phase of QAT).
    public func freezeQuantizationRanges() {
        for s in chain.stages { if let f = s.layer as? FoldedQuantStage { f.output.frozen = true; f.preActivation.frozen = true } }
    }

    /// The ranges QAT trained with, by the export's tensor roles (`b3.out`, `b3.pre`).
    public var quantizationAwareRanges: ActivationRanges {
        var r = ActivationRanges()
        for s in chain.stages {
            guard let f = s.layer as? FoldedQuantStage else { continue }
            if let o = f.output.range { r.ranges["\(s.name).out"] = o }
            if let p = f.preActivation.range { r.ranges["\(s.name).pre"] = p }
        }
        return r
    }
}
