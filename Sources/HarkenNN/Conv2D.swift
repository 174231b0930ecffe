// Conv2D.swift: 2-D convolution by im2col + sgemm, forward and backward.
//
// Input [N, H, W, Cin], weight [kh, kw, Cin, Cout] (TensorFlow's HWIO, so a flattened weight row
// index (ky*kw + kx)*Cin + ci matches the im2col column order), bias [Cout], output
// [N, OH, OW, Cout]. Stride and dilation per axis; SAME/VALID padding; any kernel shape (1×k, k×1).
// Batch items run in parallel on all cores; each worker has its own im2col buffer and
// weight-gradient accumulator, reduced in worker order at the end.

import CBLAS
import Foundation

public final class Conv2D: Layer {
    public let weight: Parameter
    public let bias: Parameter?
    public let kernel: (h: Int, w: Int)
    public let stride: (h: Int, w: Int)
    public let dilation: (h: Int, w: Int)
    public let padding: Padding
    public let inChannels: Int
    public let outChannels: Int
    /// Batch-parallel passes (on by default); off gives the serial reference path.
    public var parallel = true

    private var input = Tensor(zeros: [0])

    public init(name: String = "conv", inChannels: Int, outChannels: Int, kernel: (h: Int, w: Int),
                stride: (h: Int, w: Int) = (1, 1), dilation: (h: Int, w: Int) = (1, 1),
                padding: Padding = .same, useBias: Bool = true, rng: inout SeededGenerator) {
        precondition(kernel.h > 0 && kernel.w > 0 && stride.h > 0 && stride.w > 0 && dilation.h > 0 && dilation.w > 0,
                     "Conv2D \(name): kernel, stride and dilation must be positive")
        self.kernel = kernel; self.stride = stride; self.dilation = dilation; self.padding = padding
        self.inChannels = inChannels; self.outChannels = outChannels
        let fanIn = kernel.h * kernel.w * inChannels
        weight = Parameter(name: "\(name).weight",
                           value: .heNormal([kernel.h, kernel.w, inChannels, outChannels], fanIn: fanIn, using: &rng))
        bias = useBias ? Parameter(name: "\(name).bias", value: Tensor(zeros: [outChannels])) : nil
    }

    public var parameters: [Parameter] { bias.map { [weight, $0] } ?? [weight] }

    struct Geometry {
        let n, h, w, cin, oh, ow, cout, padT, padL, k: Int
        var m: Int { oh * ow }
    }

    func geometry(_ x: Tensor) -> Geometry {
        let (n, h, w, c) = x.nhwc
        precondition(c == inChannels, "Conv2D: input has \(c) channels, layer expects \(inChannels)")
        let (oh, padT) = padding.output(input: h, kernel: kernel.h, stride: stride.h, dilation: dilation.h)
        let (ow, padL) = padding.output(input: w, kernel: kernel.w, stride: stride.w, dilation: dilation.w)
        return Geometry(n: n, h: h, w: w, cin: c, oh: oh, ow: ow, cout: outChannels,
                        padT: padT, padL: padL, k: kernel.h * kernel.w * c)
    }

    /// cols[M, K] for one batch item; out-of-bounds taps are zero.
    func im2col(_ x: UnsafePointer<Float>, _ g: Geometry, _ cols: UnsafeMutablePointer<Float>) {
        for oy in 0..<g.oh {
            for ox in 0..<g.ow {
                var dst = cols + (oy * g.ow + ox) * g.k
                for ky in 0..<kernel.h {
                    let iy = oy * stride.h - g.padT + ky * dilation.h
                    for kx in 0..<kernel.w {
                        let ix = ox * stride.w - g.padL + kx * dilation.w
                        if iy >= 0 && iy < g.h && ix >= 0 && ix < g.w {
                            dst.update(from: x + (iy * g.w + ix) * g.cin, count: g.cin)
                        } else {
                            dst.update(repeating: 0, count: g.cin)
                        }
                        dst += g.cin
                    }
                }
            }
        }
    }

    /// Scatter-adds dcols[M, K] into dx for one batch item.
    func col2im(_ dcols: UnsafePointer<Float>, _ g: Geometry, _ dx: UnsafeMutablePointer<Float>) {
        for oy in 0..<g.oh {
            for ox in 0..<g.ow {
                var src = dcols + (oy * g.ow + ox) * g.k
                for ky in 0..<kernel.h {
                    let iy = oy * stride.h - g.padT + ky * dilation.h
                    for kx in 0..<kernel.w {
                        let ix = ox * stride.w - g.padL + kx * dilation.w
                        if iy >= 0 && iy < g.h && ix >= 0 && ix < g.w {
                            let d = dx + (iy * g.w + ix) * g.cin
                            for c in 0..<g.cin { d[c] += src[c] }
                        }
                        src += g.cin
                    }
                }
            }
        }
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let g = geometry(x)
        if training { input = x }
        var out = Tensor(zeros: [g.n, g.oh, g.ow, g.cout])
        let workers = parallel ? min(g.n, workerCount) : 1
        var scratch = [Float](repeating: 0, count: max(workers, 1) * g.m * g.k)
        let biasData = bias?.value.data
        x.data.withUnsafeBufferPointer { xp in
            weight.value.data.withUnsafeBufferPointer { wp in
                out.data.withUnsafeMutableBufferPointer { op in
                    scratch.withUnsafeMutableBufferPointer { sp in
                        let xb = xp.baseAddress!, wb = wp.baseAddress!, ob = op.baseAddress!, sb = sp.baseAddress!
                        parallelFor(workers, parallel: workers > 1) { worker in
                            let cols = sb + worker * g.m * g.k
                            var item = worker
                            while item < g.n {
                                let y = ob + item * g.m * g.cout
                                if let b = biasData {
                                    for r in 0..<g.m { for c in 0..<g.cout { y[r * g.cout + c] = b[c] } }
                                }
                                self.im2col(xb + item * g.h * g.w * g.cin, g, cols)
                                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans,
                                            Int32(g.m), Int32(g.cout), Int32(g.k), 1, cols, Int32(g.k),
                                            wb, Int32(g.cout), biasData == nil ? 0 : 1, y, Int32(g.cout))
                                item += workers
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        let g = geometry(input)
        precondition(gradOutput.shape == [g.n, g.oh, g.ow, g.cout],
                     "Conv2D backward: gradient shape \(gradOutput.shape), expected \([g.n, g.oh, g.ow, g.cout])")
        var dx = Tensor(zeros: input.shape)
        let workers = parallel ? min(g.n, workerCount) : 1
        let wsize = g.k * g.cout
        // Per worker: cols, dcols, dW, db.
        let stride = 2 * g.m * g.k + wsize + g.cout
        var scratch = [Float](repeating: 0, count: max(workers, 1) * stride)
        input.data.withUnsafeBufferPointer { xp in
            weight.value.data.withUnsafeBufferPointer { wp in
                gradOutput.data.withUnsafeBufferPointer { gp in
                    dx.data.withUnsafeMutableBufferPointer { dxp in
                        scratch.withUnsafeMutableBufferPointer { sp in
                            let xb = xp.baseAddress!, wb = wp.baseAddress!, gb = gp.baseAddress!
                            let dxb = dxp.baseAddress!, sb = sp.baseAddress!
                            parallelFor(workers, parallel: workers > 1) { worker in
                                let cols = sb + worker * stride
                                let dcols = cols + g.m * g.k
                                let dw = dcols + g.m * g.k
                                let db = dw + wsize
                                var item = worker
                                while item < g.n {
                                    let dy = gb + item * g.m * g.cout
                                    self.im2col(xb + item * g.h * g.w * g.cin, g, cols)
                                    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans,
                                                Int32(g.k), Int32(g.cout), Int32(g.m), 1, cols, Int32(g.k),
                                                dy, Int32(g.cout), 1, dw, Int32(g.cout))
                                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans,
                                                Int32(g.m), Int32(g.k), Int32(g.cout), 1, dy, Int32(g.cout),
                                                wb, Int32(g.cout), 0, dcols, Int32(g.k))
                                    self.col2im(dcols, g, dxb + item * g.h * g.w * g.cin)
                                    for r in 0..<g.m { for c in 0..<g.cout { db[c] += dy[r * g.cout + c] } }
                                    item += workers
                                }
                            }
                        }
                    }
                }
            }
        }
        // Reduce the per-worker accumulators in a fixed order.
        for worker in 0..<workers {
            let base = worker * stride + 2 * g.m * g.k
            weight.grad.data.withUnsafeMutableBufferPointer { gw in
                for i in 0..<wsize { gw[i] += scratch[base + i] }
            }
            if let bias {
                bias.grad.data.withUnsafeMutableBufferPointer { gbias in
                    for c in 0..<g.cout { gbias[c] += scratch[base + wsize + c] }
                }
            }
        }
        return dx
    }
}
