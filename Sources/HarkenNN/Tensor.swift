// Tensor.swift: the float32 tensor HarkenNN trains with.
//
// Layout is channels-last (NHWC for images, [N, features] for dense layers), row-major,
// contiguous. A tensor is a value: a shape and a flat [Float]; layers read and write it
// through unsafe buffers in their hot loops.
//
// Note: HarkenGraph also has a `Tensor` (the int8 IR's); code importing both writes
// `HarkenNN.Tensor`.

import Foundation
import HarkenSupport

public struct Tensor: Sendable, Equatable {
    public var shape: [Int]
    public var data: [Float]

    public init(shape: [Int], data: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in \(shape)")
        precondition(shape.reduce(1, *) == data.count,
                     "Tensor: shape \(shape) holds \(shape.reduce(1, *)) values, data has \(data.count)")
        self.shape = shape
        self.data = data
    }

    public init(zeros shape: [Int]) {
        self.init(shape: shape, data: [Float](repeating: 0, count: shape.reduce(1, *)))
    }

    public init(repeating value: Float, shape: [Int]) {
        self.init(shape: shape, data: [Float](repeating: value, count: shape.reduce(1, *)))
    }

    public var count: Int { data.count }
    public var rank: Int { shape.count }

    /// Row-major strides in elements.
    public var strides: [Int] { Tensor.strides(of: shape) }

    public static func strides(of shape: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            s[i] = acc
            acc *= shape[i]
        }
        return s
    }

    /// Leading dimension (the batch) and the product of the rest.
    public var batchAndFeatures: (batch: Int, features: Int) {
        precondition(rank >= 1, "Tensor: a scalar has no batch dimension")
        return (shape[0], shape[0] == 0 ? 0 : count / shape[0])
    }

    /// NHWC dimensions of a rank-4 tensor.
    public var nhwc: (n: Int, h: Int, w: Int, c: Int) {
        precondition(rank == 4, "Tensor: expected NHWC (rank 4), got shape \(shape)")
        return (shape[0], shape[1], shape[2], shape[3])
    }

    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, data: data)
    }

    public subscript(flat i: Int) -> Float {
        get { data[i] }
        set { data[i] = newValue }
    }

    // MARK: elementwise helpers (not hot paths)

    public static func + (a: Tensor, b: Tensor) -> Tensor {
        precondition(a.shape == b.shape, "Tensor +: shapes \(a.shape) and \(b.shape) differ")
        var out = a
        for i in 0..<out.count { out.data[i] += b.data[i] }
        return out
    }

    public mutating func add(_ other: Tensor) {
        precondition(shape == other.shape, "Tensor add: shapes \(shape) and \(other.shape) differ")
        data.withUnsafeMutableBufferPointer { d in
            other.data.withUnsafeBufferPointer { o in
                for i in 0..<d.count { d[i] += o[i] }
            }
        }
    }

    public mutating func scale(by s: Float) {
        data.withUnsafeMutableBufferPointer { d in
            for i in 0..<d.count { d[i] *= s }
        }
    }

    public mutating func zero() {
        data.withUnsafeMutableBufferPointer { d in
            for i in 0..<d.count { d[i] = 0 }
        }
    }

    public var sumOfSquares: Double {
        data.reduce(0.0) { $0 + Double($1) * Double($1) }
    }
}

// MARK: seeded randomness

/// HarkenNN's seeded randomness is the project's one generator.
public typealias SeededGenerator = SplitMix64

extension Tensor {
    public static func uniform(_ shape: [Int], low: Float, high: Float,
                               using rng: inout SeededGenerator) -> Tensor {
        let n = shape.reduce(1, *)
        var d = [Float](repeating: 0, count: n)
        for i in 0..<n { d[i] = low + (high - low) * rng.nextUniform() }
        return Tensor(shape: shape, data: d)
    }

    public static func normal(_ shape: [Int], std: Float, using rng: inout SeededGenerator) -> Tensor {
        let n = shape.reduce(1, *)
        var d = [Float](repeating: 0, count: n)
        for i in 0..<n { d[i] = std * rng.nextNormal() }
        return Tensor(shape: shape, data: d)
    }

    /// Glorot/Xavier uniform: U(-a, a), a = sqrt(6 / (fanIn + fanOut)).
    public static func xavierUniform(_ shape: [Int], fanIn: Int, fanOut: Int,
                                     using rng: inout SeededGenerator) -> Tensor {
        let a = (6.0 / Float(fanIn + fanOut)).squareRoot()
        return uniform(shape, low: -a, high: a, using: &rng)
    }

    /// He/Kaiming normal for ReLU nets: N(0, 2 / fanIn).
    public static func heNormal(_ shape: [Int], fanIn: Int, using rng: inout SeededGenerator) -> Tensor {
        normal(shape, std: (2.0 / Float(max(fanIn, 1))).squareRoot(), using: &rng)
    }
}

/// How a window meets the border (TensorFlow semantics).
public enum Padding: String, Sendable, Codable {
    /// Output size ceil(in / stride); the zero padding is split with the extra row/column at the end.
    case same
    /// No padding; output size floor((in - effectiveKernel) / stride) + 1.
    case valid

    /// Output length and leading pad along one axis.
    public func output(input: Int, kernel: Int, stride: Int, dilation: Int = 1) -> (size: Int, padBefore: Int) {
        let effective = (kernel - 1) * dilation + 1
        switch self {
        case .valid:
            precondition(input >= effective,
                         "Padding.valid: input \(input) shorter than the dilated kernel \(effective)")
            return ((input - effective) / stride + 1, 0)
        case .same:
            let out = (input + stride - 1) / stride
            let total = max((out - 1) * stride + effective - input, 0)
            return (out, total / 2)
        }
    }
}
