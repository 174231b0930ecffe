// SqueezeExcite.swift: MobileNetV3 squeeze-and-excite.
//
// s = mean_hw(x) [N, C] -> Dense(C, C/r) -> ReLU -> Dense(C/r, C) -> hard-sigmoid = a [N, C];
// y = x * a broadcast over H and W. Built from the layers it names, so it inherits their checks.

import Foundation

public final class SqueezeExcite: Layer {
    public let squeeze: Dense
    public let excite: Dense
    private let pool = GlobalAveragePool()
    private let relu = Activation(.relu)
    private let gate = Activation(.hardSigmoid)
    private var input = Tensor(zeros: [0])
    private var scale = Tensor(zeros: [0])

    public init(name: String = "se", channels: Int, reduced: Int, rng: inout SeededGenerator) {
        squeeze = Dense(name: "\(name).squeeze", inFeatures: channels, outFeatures: reduced, rng: &rng)
        excite = Dense(name: "\(name).excite", inFeatures: reduced, outFeatures: channels, rng: &rng)
    }

    public var parameters: [Parameter] { squeeze.parameters + excite.parameters }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let (n, h, w, c) = x.nhwc
        var a = pool.forward(x, training: training)
        a = squeeze.forward(a, training: training)
        a = relu.forward(a, training: training)
        a = excite.forward(a, training: training)
        a = gate.forward(a, training: training)
        if training { input = x; scale = a }
        var out = x
        for b in 0..<n {
            for p in 0..<(h * w) {
                let i = (b * h * w + p) * c
                for ch in 0..<c { out.data[i + ch] *= a.data[b * c + ch] }
            }
        }
        return out
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        let (n, h, w, c) = input.nhwc
        precondition(gradOutput.shape == input.shape,
                     "SqueezeExcite backward: gradient shape \(gradOutput.shape), expected \(input.shape)")
        var dx = gradOutput
        var da = Tensor(zeros: [n, c])
        for b in 0..<n {
            for p in 0..<(h * w) {
                let i = (b * h * w + p) * c
                for ch in 0..<c {
                    da.data[b * c + ch] += gradOutput.data[i + ch] * input.data[i + ch]
                    dx.data[i + ch] = gradOutput.data[i + ch] * scale.data[b * c + ch]
                }
            }
        }
        var g = gate.backward(da)
        g = excite.backward(g)
        g = relu.backward(g)
        g = squeeze.backward(g)
        dx.add(pool.backward(g))
        return dx
    }
}
