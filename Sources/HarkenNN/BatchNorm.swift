// BatchNorm.swift: batch normalisation over the last (channel) axis.
//
// Training normalises with the batch's statistics over every axis but the last (N, H, W) and
// updates running statistics Keras-style: running = momentum * running + (1 - momentum) * batch
// (the running variance takes the unbiased batch variance). Inference uses the running statistics.
// Sums are accumulated in Double.

import Foundation

public final class BatchNorm: Layer {
    public let gamma: Parameter
    public let beta: Parameter
    public var runningMean: Tensor
    public var runningVariance: Tensor
    public let channels: Int
    public let momentum: Float
    public let epsilon: Float
    private let name: String
    /// Normalise with the running statistics even while training, and leave them unchanged
    /// (the last phase of quantization-aware training; also makes the layer affine for checks).
    public var frozen = false

    // Cached by a training forward.
    private var xhat = Tensor(zeros: [0])
    private var invStd: [Float] = []
    private var trainingMode = true

    public init(name: String = "bn", channels: Int, momentum: Float = 0.99, epsilon: Float = 1e-3) {
        self.name = name
        self.channels = channels
        self.momentum = momentum
        self.epsilon = epsilon
        gamma = Parameter(name: "\(name).gamma", value: Tensor(repeating: 1, shape: [channels]))
        beta = Parameter(name: "\(name).beta", value: Tensor(zeros: [channels]))
        runningMean = Tensor(zeros: [channels])
        runningVariance = Tensor(repeating: 1, shape: [channels])
    }

    public var parameters: [Parameter] { [gamma, beta] }

    public var buffers: [(name: String, value: Tensor)] {
        [("\(name).running_mean", runningMean), ("\(name).running_variance", runningVariance)]
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let c = channels
        precondition(x.shape.last == c, "BatchNorm: input shape \(x.shape), expected \(c) channels last")
        let m = x.count / c
        var mean = [Float](repeating: 0, count: c), istd = [Float](repeating: 0, count: c)
        let batchStatistics = training && !frozen
        if batchStatistics {
            precondition(m > 1, "BatchNorm: training needs more than one value per channel, input \(x.shape)")
            var sum = [Double](repeating: 0, count: c), sq = [Double](repeating: 0, count: c)
            for r in 0..<m { for j in 0..<c { sum[j] += Double(x.data[r * c + j]) } }
            for j in 0..<c { sum[j] /= Double(m) }
            for r in 0..<m {
                for j in 0..<c { let d = Double(x.data[r * c + j]) - sum[j]; sq[j] += d * d }
            }
            for j in 0..<c {
                let variance = sq[j] / Double(m)
                mean[j] = Float(sum[j])
                istd[j] = Float(1 / (variance + Double(epsilon)).squareRoot())
                runningMean.data[j] = momentum * runningMean.data[j] + (1 - momentum) * mean[j]
                runningVariance.data[j] = momentum * runningVariance.data[j]
                    + (1 - momentum) * Float(sq[j] / Double(m - 1))
            }
        } else {
            for j in 0..<c {
                mean[j] = runningMean.data[j]
                istd[j] = 1 / (runningVariance.data[j] + epsilon).squareRoot()
            }
        }
        var xh = x
        var out = x
        let g = gamma.value.data, b = beta.value.data
        for r in 0..<m {
            for j in 0..<c {
                let v = (x.data[r * c + j] - mean[j]) * istd[j]
                xh.data[r * c + j] = v
                out.data[r * c + j] = g[j] * v + b[j]
            }
        }
        xhat = xh
        invStd = istd
        trainingMode = batchStatistics
        return out
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        let c = channels
        precondition(gradOutput.shape == xhat.shape,
                     "BatchNorm backward: gradient shape \(gradOutput.shape), expected \(xhat.shape)")
        let m = gradOutput.count / c
        var sumDy = [Double](repeating: 0, count: c), sumDyXhat = [Double](repeating: 0, count: c)
        for r in 0..<m {
            for j in 0..<c {
                let dy = Double(gradOutput.data[r * c + j])
                sumDy[j] += dy
                sumDyXhat[j] += dy * Double(xhat.data[r * c + j])
            }
        }
        for j in 0..<c {
            gamma.grad.data[j] += Float(sumDyXhat[j])
            beta.grad.data[j] += Float(sumDy[j])
        }
        var dx = gradOutput
        let g = gamma.value.data
        if trainingMode {
            // dx = gamma * istd / m * (m * dy - sum(dy) - xhat * sum(dy * xhat))
            for r in 0..<m {
                for j in 0..<c {
                    let dy = Double(gradOutput.data[r * c + j])
                    let v = Double(m) * dy - sumDy[j] - Double(xhat.data[r * c + j]) * sumDyXhat[j]
                    dx.data[r * c + j] = Float(Double(g[j] * invStd[j]) / Double(m) * v)
                }
            }
        } else {
            for r in 0..<m { for j in 0..<c { dx.data[r * c + j] = gradOutput.data[r * c + j] * g[j] * invStd[j] } }
        }
        return dx
    }
}
