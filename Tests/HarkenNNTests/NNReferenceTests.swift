import HarkenNN
import HarkenTestSupport
import XCTest

/// Fast paths against naive references: im2col + sgemm and the depthwise loops against direct
/// convolution written from TensorFlow's definition, and BatchNorm's running statistics.
final class HarkenNNReferenceTests: XCTestCase {
    /// Direct convolution, TensorFlow semantics: SAME pads total max((out-1)*s + (k-1)*d + 1 - in, 0),
    /// the smaller half before. `depthwise` treats the weight as [kh, kw, C] applied per channel.
    static func naiveConv(_ x: Tensor, weight: Tensor, bias: Tensor?, kernel: (Int, Int), stride: (Int, Int),
                          dilation: (Int, Int), same: Bool, depthwise: Bool) -> Tensor {
        let (n, h, w, cin) = x.nhwc
        let cout = depthwise ? cin : weight.shape[3]
        func axis(_ size: Int, _ k: Int, _ s: Int, _ d: Int) -> (Int, Int) {
            let eff = (k - 1) * d + 1
            if !same { return ((size - eff) / s + 1, 0) }
            let out = (size + s - 1) / s
            return (out, max((out - 1) * s + eff - size, 0) / 2)
        }
        let (oh, pt) = axis(h, kernel.0, stride.0, dilation.0)
        let (ow, pl) = axis(w, kernel.1, stride.1, dilation.1)
        var out = Tensor(zeros: [n, oh, ow, cout])
        for b in 0..<n { for oy in 0..<oh { for ox in 0..<ow { for co in 0..<cout {
            var acc = Double(bias?.data[co] ?? 0)
            for ky in 0..<kernel.0 { for kx in 0..<kernel.1 {
                let iy = oy * stride.0 - pt + ky * dilation.0, ix = ox * stride.1 - pl + kx * dilation.1
                guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                if depthwise {
                    acc += Double(x.data[((b * h + iy) * w + ix) * cin + co]) * Double(weight.data[(ky * kernel.1 + kx) * cin + co])
                } else {
                    for ci in 0..<cin {
                        acc += Double(x.data[((b * h + iy) * w + ix) * cin + ci])
                            * Double(weight.data[((ky * kernel.1 + kx) * cin + ci) * cout + co])
                    }
                }
            } }
            out.data[((b * oh + oy) * ow + ox) * cout + co] = Float(acc)
        } } } }
        return out
    }

    func testConvolutionsMatchDirectReference() {
        var rng = SeededGenerator(seed: 1200)
        for k in [(3, 3), (1, 3), (3, 1), (5, 2)] {
            for s in [(1, 1), (2, 2), (2, 1)] {
                for d in [(1, 1), (2, 1)] {
                    for pad in [Padding.same, .valid] {
                        let label = "k=\(k) s=\(s) d=\(d) \(pad)"
                        let x = Tensor.uniform([3, 9, 8, 4], low: -1, high: 1, using: &rng)
                        let conv = Conv2D(inChannels: 4, outChannels: 5, kernel: k, stride: s, dilation: d,
                                          padding: pad, rng: &rng)
                        conv.bias!.value = Tensor.uniform([5], low: -1, high: 1, using: &rng)
                        let expected = Self.naiveConv(x, weight: conv.weight.value, bias: conv.bias!.value, kernel: k,
                                                      stride: s, dilation: d, same: pad == .same, depthwise: false)
                        assertClose(conv.forward(x, training: false), expected, "Conv2D \(label)")
                        let dw = DepthwiseConv2D(channels: 4, kernel: k, stride: s, dilation: d, padding: pad, rng: &rng)
                        dw.bias!.value = Tensor.uniform([4], low: -1, high: 1, using: &rng)
                        let expectedDW = Self.naiveConv(x, weight: dw.weight.value, bias: dw.bias!.value, kernel: k,
                                                        stride: s, dilation: d, same: pad == .same, depthwise: true)
                        assertClose(dw.forward(x, training: false), expectedDW, "DepthwiseConv2D \(label)")
                    }
                }
            }
        }
    }

    private func assertClose(_ a: Tensor, _ b: Tensor, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.shape, b.shape, label, file: file, line: line)
        guard a.shape == b.shape else { return }
        let worst = zip(a.data, b.data).map { abs($0 - $1) }.max() ?? 0
        XCTAssertLessThan(worst, 1e-5, label, file: file, line: line)
    }

    func testBatchNormRunningStatistics() {
        var rng = SeededGenerator(seed: 1300)
        let bn = BatchNorm(channels: 2, momentum: 0.9)
        let x = Tensor.uniform([8, 3], low: -1, high: 1, using: &rng).reshaped([4, 3, 2])
        _ = bn.forward(x, training: true)
        for c in 0..<2 {
            let v = stride(from: c, to: x.count, by: 2).map { Double(x.data[$0]) }
            let mean = v.reduce(0, +) / Double(v.count)
            let unbiased = v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count - 1)
            XCTAssertEqual(Double(bn.runningMean.data[c]), 0.1 * mean, accuracy: 1e-6)
            XCTAssertEqual(Double(bn.runningVariance.data[c]), 0.9 + 0.1 * unbiased, accuracy: 1e-6)
        }
        // Inference normalises with the running statistics.
        let y = bn.forward(x, training: false)
        let expected = (x.data[0] - bn.runningMean.data[0]) / (bn.runningVariance.data[0] + bn.epsilon).squareRoot()
        XCTAssertEqual(y.data[0], expected, accuracy: 1e-6)
        XCTAssertEqual(bn.buffers.map(\.name), ["bn.running_mean", "bn.running_variance"])
    }

    func testPaddingOutputSizes() {
        // TensorFlow: SAME gives ceil(in / stride); VALID gives floor((in - eff) / stride) + 1.
        XCTAssertTrue(Padding.same.output(input: 7, kernel: 3, stride: 2) == (4, 1))
        XCTAssertTrue(Padding.same.output(input: 8, kernel: 3, stride: 2) == (4, 0))
        XCTAssertTrue(Padding.same.output(input: 5, kernel: 3, stride: 1, dilation: 2) == (5, 2))
        XCTAssertTrue(Padding.valid.output(input: 7, kernel: 3, stride: 2) == (3, 0))
        XCTAssertTrue(Padding.valid.output(input: 9, kernel: 3, stride: 1, dilation: 3) == (3, 0))
    }
}
