// Dense.swift: fully connected layer by sgemm.
//
// Input [N, ...] (flattened to [N, inFeatures]), weight [inFeatures, outFeatures], bias [outFeatures],
// output [N, outFeatures]. The input gradient has the input's original shape.

import CBLAS
import Foundation

public final class Dense: Layer {
    public let weight: Parameter
    public let bias: Parameter?
    public let inFeatures: Int
    public let outFeatures: Int

    private var input = Tensor(zeros: [0])

    public init(name: String = "dense", inFeatures: Int, outFeatures: Int, useBias: Bool = true,
                rng: inout SeededGenerator) {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        weight = Parameter(name: "\(name).weight",
                           value: .xavierUniform([inFeatures, outFeatures], fanIn: inFeatures,
                                                 fanOut: outFeatures, using: &rng))
        bias = useBias ? Parameter(name: "\(name).bias", value: Tensor(zeros: [outFeatures])) : nil
    }

    public var parameters: [Parameter] { bias.map { [weight, $0] } ?? [weight] }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let (n, f) = x.batchAndFeatures
        precondition(f == inFeatures, "Dense: input has \(f) features per item, layer expects \(inFeatures)")
        if training { input = x }
        var out = Tensor(zeros: [n, outFeatures])
        if let b = bias?.value.data {
            for i in 0..<n { for o in 0..<outFeatures { out.data[i * outFeatures + o] = b[o] } }
        }
        let beta: Float = bias == nil ? 0 : 1
        x.data.withUnsafeBufferPointer { xp in
            weight.value.data.withUnsafeBufferPointer { wp in
                out.data.withUnsafeMutableBufferPointer { op in
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(outFeatures),
                                Int32(inFeatures), 1, xp.baseAddress, Int32(inFeatures), wp.baseAddress,
                                Int32(outFeatures), beta, op.baseAddress, Int32(outFeatures))
                }
            }
        }
        return out
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        let n = input.batchAndFeatures.batch
        precondition(gradOutput.shape == [n, outFeatures],
                     "Dense backward: gradient shape \(gradOutput.shape), expected \([n, outFeatures])")
        var dx = Tensor(zeros: input.shape)
        input.data.withUnsafeBufferPointer { xp in
            gradOutput.data.withUnsafeBufferPointer { gp in
                weight.grad.data.withUnsafeMutableBufferPointer { gw in
                    // dW += X^T dY
                    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(inFeatures), Int32(outFeatures),
                                Int32(n), 1, xp.baseAddress, Int32(inFeatures), gp.baseAddress,
                                Int32(outFeatures), 1, gw.baseAddress, Int32(outFeatures))
                }
                weight.value.data.withUnsafeBufferPointer { wp in
                    dx.data.withUnsafeMutableBufferPointer { dxp in
                        // dX = dY W^T
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(n), Int32(inFeatures),
                                    Int32(outFeatures), 1, gp.baseAddress, Int32(outFeatures), wp.baseAddress,
                                    Int32(outFeatures), 0, dxp.baseAddress, Int32(inFeatures))
                    }
                }
            }
        }
        if let bias {
            for i in 0..<n { for o in 0..<outFeatures { bias.grad.data[o] += gradOutput.data[i * outFeatures + o] } }
        }
        return dx
    }
}
