// Pooling.swift: average and max pooling over H×W windows, and global average pooling.
//
// Windows follow TensorFlow: SAME pads at the border; average pooling divides by the number of
// in-bounds taps (padding is not counted); max pooling ignores padding. Global average pooling
// maps [N, H, W, C] to [N, C].

import Foundation

public final class Pool2D: Layer {
    public enum Mode: String, Sendable { case average, max }

    public let mode: Mode
    public let window: (h: Int, w: Int)
    public let stride: (h: Int, w: Int)
    public let padding: Padding

    private var inputShape: [Int] = []
    /// For max: flat input index of each output's maximum; for average: unused.
    private var argmax: [Int] = []

    public init(_ mode: Mode, window: (h: Int, w: Int), stride: (h: Int, w: Int)? = nil, padding: Padding = .valid) {
        self.mode = mode
        self.window = window
        self.stride = stride ?? window
        self.padding = padding
    }

    private func outputGeometry(_ shape: [Int]) -> (oh: Int, ow: Int, padT: Int, padL: Int) {
        let (oh, padT) = padding.output(input: shape[1], kernel: window.h, stride: stride.h)
        let (ow, padL) = padding.output(input: shape[2], kernel: window.w, stride: stride.w)
        return (oh, ow, padT, padL)
    }

    /// In-bounds window rows/columns for output (oy, ox).
    private func bounds(_ oy: Int, _ ox: Int, _ h: Int, _ w: Int, _ padT: Int, _ padL: Int)
        -> (Range<Int>, Range<Int>) {
        let y0 = oy * stride.h - padT, x0 = ox * stride.w - padL
        return (max(y0, 0)..<min(y0 + window.h, h), max(x0, 0)..<min(x0 + window.w, w))
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let (n, h, w, c) = x.nhwc
        let (oh, ow, padT, padL) = outputGeometry(x.shape)
        inputShape = x.shape
        var out = Tensor(zeros: [n, oh, ow, c])
        if mode == .max { argmax = [Int](repeating: 0, count: out.count) }
        for b in 0..<n {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    let (ys, xs) = bounds(oy, ox, h, w, padT, padL)
                    let o = ((b * oh + oy) * ow + ox) * c
                    for ch in 0..<c {
                        var acc: Float = mode == .max ? -.infinity : 0
                        var best = 0
                        for iy in ys {
                            for ix in xs {
                                let i = ((b * h + iy) * w + ix) * c + ch
                                let v = x.data[i]
                                if mode == .max { if v > acc { acc = v; best = i } } else { acc += v }
                            }
                        }
                        if mode == .max { argmax[o + ch] = best } else { acc /= Float(ys.count * xs.count) }
                        out.data[o + ch] = acc
                    }
                }
            }
        }
        return out
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        let (n, h, w, c) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
        let (oh, ow, padT, padL) = outputGeometry(inputShape)
        precondition(gradOutput.shape == [n, oh, ow, c],
                     "Pool2D backward: gradient shape \(gradOutput.shape), expected \([n, oh, ow, c])")
        var dx = Tensor(zeros: inputShape)
        if mode == .max {
            for o in 0..<gradOutput.count { dx.data[argmax[o]] += gradOutput.data[o] }
            return dx
        }
        for b in 0..<n {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    let (ys, xs) = bounds(oy, ox, h, w, padT, padL)
                    let o = ((b * oh + oy) * ow + ox) * c
                    let scale = 1 / Float(ys.count * xs.count)
                    for iy in ys {
                        for ix in xs {
                            let i = ((b * h + iy) * w + ix) * c
                            for ch in 0..<c { dx.data[i + ch] += gradOutput.data[o + ch] * scale }
                        }
                    }
                }
            }
        }
        return dx
    }
}

/// [N, H, W, C] -> [N, C], the mean over H and W.
public final class GlobalAveragePool: Layer {
    private var inputShape: [Int] = []

    public init() {}

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let (n, h, w, c) = x.nhwc
        inputShape = x.shape
        var out = Tensor(zeros: [n, c])
        let scale = 1 / Float(h * w)
        for b in 0..<n {
            for p in 0..<(h * w) {
                let i = (b * h * w + p) * c
                for ch in 0..<c { out.data[b * c + ch] += x.data[i + ch] }
            }
            for ch in 0..<c { out.data[b * c + ch] *= scale }
        }
        return out
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        let (n, h, w, c) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
        precondition(gradOutput.shape == [n, c],
                     "GlobalAveragePool backward: gradient shape \(gradOutput.shape), expected \([n, c])")
        var dx = Tensor(zeros: inputShape)
        let scale = 1 / Float(h * w)
        for b in 0..<n {
            for p in 0..<(h * w) {
                let i = (b * h * w + p) * c
                for ch in 0..<c { dx.data[i + ch] = gradOutput.data[b * c + ch] * scale }
            }
        }
        return dx
    }
}
