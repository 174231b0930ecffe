// DepthwiseConv2D.swift: per-channel convolution (depth multiplier 1) by direct loops.
//
// Input [N, H, W, C], weight [kh, kw, C], bias [C], output [N, OH, OW, C]. The innermost loop
// runs over channels, contiguous in NHWC, so it vectorises. Batch items run in parallel.

import Foundation

public final class DepthwiseConv2D: Layer {
    public let weight: Parameter
    public let bias: Parameter?
    public let kernel: (h: Int, w: Int)
    public let stride: (h: Int, w: Int)
    public let dilation: (h: Int, w: Int)
    public let padding: Padding
    public let channels: Int
    public var parallel = true

    private var input = Tensor(zeros: [0])

    public init(name: String = "dwconv", channels: Int, kernel: (h: Int, w: Int),
                stride: (h: Int, w: Int) = (1, 1), dilation: (h: Int, w: Int) = (1, 1),
                padding: Padding = .same, useBias: Bool = true, rng: inout SeededGenerator) {
        precondition(kernel.h > 0 && kernel.w > 0 && stride.h > 0 && stride.w > 0 && dilation.h > 0 && dilation.w > 0,
                     "DepthwiseConv2D \(name): kernel, stride and dilation must be positive")
        self.kernel = kernel; self.stride = stride; self.dilation = dilation; self.padding = padding
        self.channels = channels
        weight = Parameter(name: "\(name).weight",
                           value: .heNormal([kernel.h, kernel.w, channels], fanIn: kernel.h * kernel.w, using: &rng))
        bias = useBias ? Parameter(name: "\(name).bias", value: Tensor(zeros: [channels])) : nil
    }

    public var parameters: [Parameter] { bias.map { [weight, $0] } ?? [weight] }

    private func dims(_ x: Tensor) -> (n: Int, h: Int, w: Int, c: Int, oh: Int, ow: Int, padT: Int, padL: Int) {
        let (n, h, w, c) = x.nhwc
        precondition(c == channels, "DepthwiseConv2D: input has \(c) channels, layer expects \(channels)")
        let (oh, padT) = padding.output(input: h, kernel: kernel.h, stride: stride.h, dilation: dilation.h)
        let (ow, padL) = padding.output(input: w, kernel: kernel.w, stride: stride.w, dilation: dilation.w)
        return (n, h, w, c, oh, ow, padT, padL)
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let d = dims(x)
        if training { input = x }
        var out = Tensor(zeros: [d.n, d.oh, d.ow, d.c])
        let biasData = bias?.value.data ?? [Float](repeating: 0, count: d.c)
        x.data.withUnsafeBufferPointer { xp in
            weight.value.data.withUnsafeBufferPointer { wp in
                out.data.withUnsafeMutableBufferPointer { op in
                    let xb = xp.baseAddress!, wb = wp.baseAddress!, ob = op.baseAddress!
                    parallelFor(d.n, parallel: parallel) { item in
                        let xi = xb + item * d.h * d.w * d.c
                        for oy in 0..<d.oh {
                            for ox in 0..<d.ow {
                                let y = ob + ((item * d.oh + oy) * d.ow + ox) * d.c
                                for c in 0..<d.c { y[c] = biasData[c] }
                                for ky in 0..<self.kernel.h {
                                    let iy = oy * self.stride.h - d.padT + ky * self.dilation.h
                                    if iy < 0 || iy >= d.h { continue }
                                    for kx in 0..<self.kernel.w {
                                        let ix = ox * self.stride.w - d.padL + kx * self.dilation.w
                                        if ix < 0 || ix >= d.w { continue }
                                        let xs = xi + (iy * d.w + ix) * d.c
                                        let ws = wb + (ky * self.kernel.w + kx) * d.c
                                        for c in 0..<d.c { y[c] += xs[c] * ws[c] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        let d = dims(input)
        precondition(gradOutput.shape == [d.n, d.oh, d.ow, d.c],
                     "DepthwiseConv2D backward: gradient shape \(gradOutput.shape), expected \([d.n, d.oh, d.ow, d.c])")
        var dx = Tensor(zeros: input.shape)
        let wsize = kernel.h * kernel.w * d.c
        // Per item weight/bias gradient buffers, reduced in item order (deterministic).
        var scratch = [Float](repeating: 0, count: d.n * (wsize + d.c))
        input.data.withUnsafeBufferPointer { xp in
            weight.value.data.withUnsafeBufferPointer { wp in
                gradOutput.data.withUnsafeBufferPointer { gp in
                    dx.data.withUnsafeMutableBufferPointer { dxp in
                        scratch.withUnsafeMutableBufferPointer { sp in
                            let xb = xp.baseAddress!, wb = wp.baseAddress!, gb = gp.baseAddress!
                            let dxb = dxp.baseAddress!, sb = sp.baseAddress!
                            parallelFor(d.n, parallel: parallel) { item in
                                let xi = xb + item * d.h * d.w * d.c
                                let dxi = dxb + item * d.h * d.w * d.c
                                let dw = sb + item * (wsize + d.c)
                                let db = dw + wsize
                                for oy in 0..<d.oh {
                                    for ox in 0..<d.ow {
                                        let dy = gb + ((item * d.oh + oy) * d.ow + ox) * d.c
                                        for c in 0..<d.c { db[c] += dy[c] }
                                        for ky in 0..<self.kernel.h {
                                            let iy = oy * self.stride.h - d.padT + ky * self.dilation.h
                                            if iy < 0 || iy >= d.h { continue }
                                            for kx in 0..<self.kernel.w {
                                                let ix = ox * self.stride.w - d.padL + kx * self.dilation.w
                                                if ix < 0 || ix >= d.w { continue }
                                                let off = (iy * d.w + ix) * d.c
                                                let k = (ky * self.kernel.w + kx) * d.c
                                                let xs = xi + off, dxs = dxi + off, ws = wb + k, dws = dw + k
                                                for c in 0..<d.c {
                                                    dws[c] += xs[c] * dy[c]
                                                    dxs[c] += ws[c] * dy[c]
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        for item in 0..<d.n {
            let base = item * (wsize + d.c)
            weight.grad.data.withUnsafeMutableBufferPointer { gw in
                for i in 0..<wsize { gw[i] += scratch[base + i] }
            }
            if let bias {
                bias.grad.data.withUnsafeMutableBufferPointer { gbias in
                    for c in 0..<d.c { gbias[c] += scratch[base + wsize + c] }
                }
            }
        }
        return dx
    }
}
