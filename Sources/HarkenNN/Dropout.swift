// Dropout.swift: inverted dropout with a seeded generator.
//
// Training zeroes each value with probability `rate` and scales the survivors by 1 / (1 - rate);
// inference is the identity. `freezeMask` reuses the last mask while the shape is unchanged
// (for gradient checks and for replaying a step).

import Foundation

public final class Dropout: Layer {
    public let rate: Float
    public var freezeMask = false
    private var rng: SeededGenerator
    private var mask: [Float] = []
    private var maskShape: [Int] = []
    private var trainingMode = false

    public init(rate: Float, seed: UInt64) {
        precondition(rate >= 0 && rate < 1, "Dropout: rate \(rate) must be in [0, 1)")
        self.rate = rate
        self.rng = SeededGenerator(seed: seed)
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        trainingMode = training
        guard training, rate > 0 else { return x }
        if !(freezeMask && maskShape == x.shape) {
            let keep = 1 / (1 - rate)
            mask = (0..<x.count).map { _ in rng.nextUniform() < rate ? 0 : keep }
            maskShape = x.shape
        }
        var out = x
        for i in 0..<out.count { out.data[i] *= mask[i] }
        return out
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        guard trainingMode, rate > 0 else { return gradOutput }
        precondition(gradOutput.shape == maskShape,
                     "Dropout backward: gradient shape \(gradOutput.shape), expected \(maskShape)")
        var dx = gradOutput
        for i in 0..<dx.count { dx.data[i] *= mask[i] }
        return dx
    }
}
