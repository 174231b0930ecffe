// Residual.swift: elementwise addition of two branches.
//
// `Residual(body)` computes x + body(x) (shapes must match); its backward passes the gradient to
// both the skip and the body and sums them. `Add` is the two-input op for graphs that need it.

import Foundation

public final class Residual: Layer {
    public let body: Layer

    public init(_ body: Layer) { self.body = body }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let y = body.forward(x, training: training)
        precondition(y.shape == x.shape, "Residual: body maps \(x.shape) to \(y.shape); a residual needs equal shapes")
        return x + y
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        var g = body.backward(gradOutput)
        g.add(gradOutput)
        return g
    }

    public var parameters: [Parameter] { body.parameters }
    public var buffers: [(name: String, value: Tensor)] { body.buffers }
}

/// a + b; the gradient flows unchanged to both inputs.
public enum Add {
    public static func forward(_ a: Tensor, _ b: Tensor) -> Tensor { a + b }
    public static func backward(_ gradOutput: Tensor) -> (a: Tensor, b: Tensor) { (gradOutput, gradOutput) }
}
