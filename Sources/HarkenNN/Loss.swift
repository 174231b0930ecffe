// Loss.swift: binary losses on logits, each returning the mean loss and its gradient.
//
// Both take logits z and targets y in [0, 1] of the same shape (any shape), and optional
// per-element weights; the reduction is the weighted sum divided by the element count.
// Computed in Double through stable softplus forms (no log of a rounded sigmoid).

import Foundation

@inline(__always)
func softplus(_ x: Double) -> Double { max(x, 0) + Foundation.log1p(Foundation.exp(-abs(x))) }

@inline(__always)
func sigmoid(_ x: Double) -> Double {
    x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
}

public enum Loss {
    /// Binary cross-entropy with logits: softplus(z) - y z per element.
    public static func binaryCrossEntropy(logits: Tensor, targets: Tensor, weights: Tensor? = nil)
        -> (loss: Float, grad: Tensor) {
        check(logits, targets, weights, "binaryCrossEntropy")
        let n = Double(logits.count)
        var total = 0.0
        var grad = Tensor(zeros: logits.shape)
        for i in 0..<logits.count {
            let z = Double(logits.data[i]), y = Double(targets.data[i])
            let wt = weights.map { Double($0.data[i]) } ?? 1
            total += wt * (softplus(z) - y * z)
            grad.data[i] = Float(wt * (sigmoid(z) - y) / n)
        }
        return (Float(total / n), grad)
    }

    /// Focal loss (Lin et al. 2017) with logits:
    /// y * [-alpha (1-p)^gamma log p] + (1-y) * [-(1-alpha) p^gamma log(1-p)], p = sigmoid(z).
    /// gamma = 0 and alpha = 0.5 give half the binary cross-entropy.
    public static func focal(logits: Tensor, targets: Tensor, alpha: Double = 0.25, gamma: Double = 2,
                             weights: Tensor? = nil) -> (loss: Float, grad: Tensor) {
        check(logits, targets, weights, "focal")
        let n = Double(logits.count)
        var total = 0.0
        var grad = Tensor(zeros: logits.shape)
        for i in 0..<logits.count {
            let z = Double(logits.data[i]), y = Double(targets.data[i])
            let wt = weights.map { Double($0.data[i]) } ?? 1
            let p = sigmoid(z), q = 1 - p
            let logP = -softplus(-z), logQ = -softplus(z)
            let qg = Foundation.pow(q, gamma), pg = Foundation.pow(p, gamma)
            let lossPos = -alpha * qg * logP
            let lossNeg = -(1 - alpha) * pg * logQ
            // d/dz: pos = alpha q^g (g p log p - q); neg = -(1-alpha) p^g (g q log q - p)
            let dPos = alpha * qg * (gamma * p * logP - q)
            let dNeg = -(1 - alpha) * pg * (gamma * q * logQ - p)
            total += wt * (y * lossPos + (1 - y) * lossNeg)
            grad.data[i] = Float(wt * (y * dPos + (1 - y) * dNeg) / n)
        }
        return (Float(total / n), grad)
    }

    private static func check(_ logits: Tensor, _ targets: Tensor, _ weights: Tensor?, _ name: String) {
        precondition(logits.shape == targets.shape,
                     "Loss.\(name): logits \(logits.shape) and targets \(targets.shape) differ in shape")
        precondition(logits.count > 0, "Loss.\(name): empty batch")
        if let weights {
            precondition(weights.shape == logits.shape,
                         "Loss.\(name): weights \(weights.shape) and logits \(logits.shape) differ in shape")
        }
    }
}
