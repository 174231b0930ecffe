// Activations.swift: elementwise activations with their derivatives.
//
// ReLU, ReLU6, hard-swish x * relu6(x + 3) / 6 and hard-sigmoid relu6(x + 3) / 6 (MobileNetV3),
// and the logistic sigmoid. At a kink the derivative takes the right-hand side's value except at
// the upper clip, where it is 0 (as TensorFlow does).

import Foundation

public enum ActivationKind: String, Sendable, Codable {
    case relu, relu6, hardSwish, hardSigmoid, sigmoid

    @inline(__always)
    public func apply(_ x: Float) -> Float {
        switch self {
        case .relu: return max(x, 0)
        case .relu6: return min(max(x, 0), 6)
        case .hardSwish: return x * min(max(x + 3, 0), 6) / 6
        case .hardSigmoid: return min(max(x + 3, 0), 6) / 6
        case .sigmoid: return 1 / (1 + Foundation.exp(-x))
        }
    }

    /// d apply / dx at x.
    @inline(__always)
    public func derivative(_ x: Float) -> Float {
        switch self {
        case .relu: return x > 0 ? 1 : 0
        case .relu6: return x > 0 && x < 6 ? 1 : 0
        case .hardSwish: return x < -3 ? 0 : (x > 3 ? 1 : (2 * x + 3) / 6)
        case .hardSigmoid: return x > -3 && x < 3 ? 1.0 / 6 : 0
        case .sigmoid: let s = 1 / (1 + Foundation.exp(-x)); return s * (1 - s)
        }
    }
}

public final class Activation: Layer {
    public let kind: ActivationKind
    private var input = Tensor(zeros: [0])

    public init(_ kind: ActivationKind) { self.kind = kind }

    public static func relu() -> Activation { Activation(.relu) }
    public static func relu6() -> Activation { Activation(.relu6) }
    public static func hardSwish() -> Activation { Activation(.hardSwish) }
    public static func hardSigmoid() -> Activation { Activation(.hardSigmoid) }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        if training { input = x }
        var out = x
        let k = kind
        out.data.withUnsafeMutableBufferPointer { o in
            for i in 0..<o.count { o[i] = k.apply(o[i]) }
        }
        return out
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        precondition(gradOutput.shape == input.shape,
                     "Activation backward: gradient shape \(gradOutput.shape), expected \(input.shape)")
        var dx = gradOutput
        let k = kind
        dx.data.withUnsafeMutableBufferPointer { d in
            input.data.withUnsafeBufferPointer { x in
                for i in 0..<d.count { d[i] *= k.derivative(x[i]) }
            }
        }
        return dx
    }
}
