// GraphBuilder.swift: builds a Graph op by op (for models Harken trains itself), with the
// int8 quantization conventions TFLite and TFLM use.

import Foundation

public struct GraphBuilder {
    public private(set) var tensors: [Tensor] = []
    public private(set) var operators: [Operator] = []
    public private(set) var variables: [StateVariable] = []
    public var inputs: [Int] = []
    public var outputs: [Int] = []

    public init() {}

    /// Adds a tensor; `data` makes it a constant.
    public mutating func tensor(_ name: String, _ type: ElementType, _ shape: [Int],
                                _ quantization: Quantization? = nil, data: [UInt8]? = nil) -> Int {
        if let data { precondition(data.count == shape.reduce(1, *) * type.byteSize, "GraphBuilder: \(name) data size") }
        tensors.append(Tensor(index: tensors.count, name: name, type: type, shape: shape,
                              quantization: quantization, data: data))
        return tensors.count - 1
    }

    /// A constant int32 vector (shapes, slice bounds, axes).
    public mutating func int32s(_ name: String, _ values: [Int]) -> Int {
        tensor(name, .int32, [values.count], data: values.flatMap { Int32($0).littleEndianBytes })
    }

    public mutating func op(_ code: BuiltinOp, _ inputs: [Int], _ outputs: [Int],
                            _ configure: (inout OperatorOptions) -> Void = { _ in }) {
        var options = OperatorOptions()
        configure(&options)
        operators.append(Operator(index: operators.count, kind: .builtin(code), version: 1,
                                  inputs: inputs, outputs: outputs, options: options))
    }

    /// A streaming state variable, initialised to `initial`; returns its index.
    public mutating func variable(_ name: String, _ type: ElementType, _ shape: [Int], _ quantization: Quantization?,
                                  initial: [UInt8]) -> Int {
        variables.append(StateVariable(name: name, type: type, shape: shape, quantization: quantization, initial: initial))
        return variables.count - 1
    }

    /// Reads a variable into a new tensor.
    public mutating func read(_ v: Int) -> Int {
        let s = variables[v]
        let t = tensor("\(s.name)/read", s.type, s.shape, s.quantization)
        operators.append(Operator(index: operators.count, kind: .readState(variable: v), version: 1,
                                  inputs: [], outputs: [t], options: OperatorOptions()))
        return t
    }

    public mutating func assign(_ v: Int, _ value: Int) {
        operators.append(Operator(index: operators.count, kind: .writeState(variable: v), version: 1,
                                  inputs: [value], outputs: [], options: OperatorOptions()))
    }

    public func build(description: String) throws -> Graph {
        let g = Graph(tensors: tensors, operators: operators, inputs: inputs, outputs: outputs,
                      variables: variables, description: description)
        try g.check(file: description)
        return g
    }
}

extension Int32 {
    var littleEndianBytes: [UInt8] { withUnsafeBytes(of: littleEndian) { Array($0) } }
}

extension Quantization {
    public init(scale: Float, zeroPoint: Int32) {
        self.init(scales: [scale], zeroPoints: [Int64(zeroPoint)], axis: 0)
    }

    /// Per-tensor asymmetric int8 covering [min, max] (always including 0, so zero is exact),
    /// with the zero point nudged onto the integer grid as TFLite's converter does.
    public static func int8(min lo: Float, max hi: Float) -> Quantization {
        let lo = Swift.min(lo, 0), hi = Swift.max(hi, 0)
        let scale = Swift.max((hi - lo) / 255, 1e-8)
        let zp = Swift.min(Swift.max((-128 - lo / scale).rounded(), -128), 127)
        return Quantization(scale: scale, zeroPoint: Int32(zp))
    }

    /// Quantizes a real value.
    public func quantize(_ x: Float) -> Int8 {
        Int8(Swift.min(Swift.max((x / scale).rounded() + Float(zeroPoint), -128), 127))
    }
}

/// Symmetric int8 weights, one scale per output channel (or one for the tensor).
public struct SymmetricWeights {
    public var values: [Int8]
    public var scales: [Float]

    /// `channelOf(i)` says which output channel element i belongs to.
    public init(_ w: [Float], channels: Int, channelOf: (Int) -> Int) {
        var maxAbs = [Float](repeating: 0, count: channels)
        for (i, v) in w.enumerated() { maxAbs[channelOf(i)] = Swift.max(maxAbs[channelOf(i)], abs(v)) }
        scales = maxAbs.map { $0 > 0 ? $0 / 127 : 1e-8 }
        var q = [Int8](repeating: 0, count: w.count)
        for (i, v) in w.enumerated() {
            q[i] = Int8(Swift.min(Swift.max((v / scales[channelOf(i)]).rounded(), -127), 127))
        }
        values = q
    }

    public var bytes: [UInt8] { values.map { UInt8(bitPattern: $0) } }

    public func quantization(axis: Int) -> Quantization {
        Quantization(scales: scales, zeroPoints: [Int64](repeating: 0, count: scales.count), axis: axis)
    }

    /// int32 bias for input scale `inputScale`: round(b / (inputScale * weightScale)).
    public func bias(_ b: [Float], inputScale: Float) -> (bytes: [UInt8], quantization: Quantization) {
        // One bias scale per weight scale: per-tensor weights get a per-tensor bias (runtimes read a
        // per-channel bias of a per-tensor layer as scale 0).
        let scales = self.scales.map { inputScale * $0 }
        var out: [UInt8] = []
        for (c, v) in b.enumerated() {
            let q = (Double(v) / Double(scales[scales.count == 1 ? 0 : c])).rounded()
            out += Int32(Swift.min(Swift.max(q, Double(Int32.min)), Double(Int32.max))).littleEndianBytes
        }
        return (out, Quantization(scales: scales, zeroPoints: [Int64](repeating: 0, count: scales.count), axis: 0))
    }
}
