// ONNXExport.swift: a Sentry's windowed float model as ONNX (opset 17), written with
// swift-protobuf from Harken's own subset of the ONNX messages.
//
// The input is Harken's [N, T, 1, features] (T free); one Transpose makes it NCHW, each stage is a
// Conv with BatchNorm folded in (grouped for depthwise) and its activation, squeeze-excite is two
// 1x1 Convs with HardSigmoid and Mul, a residual adds the newest frames of its input (Slice), and the
// head's logits come back as [N, T', 1, 1] with their Sigmoid beside them.

import Foundation
import HarkenGraph
import HarkenNN
import HarkenTrain
import SwiftProtobuf

public enum ONNXExport {
    public static func float(_ model: SentryModel, name: String) throws -> Data {
        try write(model, name: name, ranges: nil)
    }

    /// The int8 model in QDQ form: every tensor the int8 graph quantizes passes through
    /// QuantizeLinear/DequantizeLinear with the saved ranges, weights are int8 per output channel
    /// and biases int32, each behind a DequantizeLinear, rounded as the TFLite export rounds them.
    public static func qdq(_ model: SentryModel, ranges: ActivationRanges, name: String) throws -> Data {
        try write(model, name: name, ranges: ranges)
    }

    static func write(_ model: SentryModel, name: String, ranges: ActivationRanges?) throws -> Data {
        var b = Builder()
        b.ranges = ranges
        b.node("Transpose", ["features"], ["x_nchw"], [b.ints("perm", [0, 3, 1, 2])])
        let input = b.qdq("x_nchw", SentryModel.inputQuantization)
        let logitsNCHW = b.chain(model.chain, input: input)
        b.node("Transpose", [logitsNCHW], ["logits"], [b.ints("perm", [0, 2, 3, 1])])
        b.node("Sigmoid", ["logits"], ["probability"], [])

        var graph = Onnx_GraphProto()
        graph.name = name
        graph.node = b.nodes
        graph.initializer = b.initializers
        graph.input = [valueInfo("features", ["N", "T", 1, model.spec.features])]
        graph.output = [valueInfo("logits", ["N", "T_out", 1, 1]), valueInfo("probability", ["N", "T_out", 1, 1])]
        var m = Onnx_ModelProto()
        m.irVersion = 8
        m.producerName = "harken"
        m.graph = graph
        var opset = Onnx_OperatorSetIdProto()
        opset.domain = ""
        opset.version = 17
        m.opsetImport = [opset]
        return try m.serializedData()
    }

    /// A float tensor input/output with fixed (Int) or named (String) dimensions.
    static func valueInfo(_ name: String, _ dims: [Any]) -> Onnx_ValueInfoProto {
        var t = Onnx_TypeProto.Tensor()
        t.elemType = 1
        var shape = Onnx_TensorShapeProto()
        shape.dim = dims.map { d in
            var dim = Onnx_TensorShapeProto.Dimension()
            if let v = d as? Int { dim.dimValue = Int64(v) } else { dim.dimParam = "\(d)" }
            return dim
        }
        t.shape = shape
        var type = Onnx_TypeProto()
        type.tensorType = t
        var v = Onnx_ValueInfoProto()
        v.name = name
        v.type = type
        return v
    }

    struct Builder {
        var ranges: ActivationRanges?
        /// The quantization of each quantized tensor, by name (a convolution's bias scale needs its input's).
        var quantOf: [String: Quantization] = [:]
        var nodes: [Onnx_NodeProto] = []
        var initializers: [Onnx_TensorProto] = []
        var counter = 0

        mutating func fresh(_ stem: String) -> String { counter += 1; return "\(stem)_\(counter)" }

        func ints(_ name: String, _ values: [Int]) -> Onnx_AttributeProto {
            var a = Onnx_AttributeProto()
            a.name = name; a.type = .ints; a.ints = values.map(Int64.init)
            return a
        }

        func int(_ name: String, _ value: Int) -> Onnx_AttributeProto {
            var a = Onnx_AttributeProto()
            a.name = name; a.type = .int; a.i = Int64(value)
            return a
        }

        func float(_ name: String, _ value: Float) -> Onnx_AttributeProto {
            var a = Onnx_AttributeProto()
            a.name = name; a.type = .float; a.f = value
            return a
        }

        mutating func node(_ op: String, _ inputs: [String], _ outputs: [String], _ attributes: [Onnx_AttributeProto]) {
            var n = Onnx_NodeProto()
            n.opType = op; n.input = inputs; n.output = outputs; n.attribute = attributes
            n.name = "\(op)_\(nodes.count)"
            nodes.append(n)
        }

        /// An initializer of ONNX element type `dataType` (1 float, 3 int8, 6 int32, 7 int64), little-endian.
        mutating func initializer<T>(_ name: String, _ dataType: Int32, _ dims: [Int], _ values: [T]) -> String {
            var t = Onnx_TensorProto()
            t.name = name; t.dataType = dataType; t.dims = dims.map(Int64.init)
            t.rawData = values.withUnsafeBufferPointer { Data(buffer: $0) }
            initializers.append(t)
            return name
        }

        mutating func constant(_ name: String, _ dims: [Int], _ values: [Float]) -> String { initializer(name, 1, dims, values) }
        mutating func int8s(_ name: String, _ dims: [Int], _ values: [Int8]) -> String { initializer(name, 3, dims, values) }
        mutating func int32s(_ name: String, _ dims: [Int], _ values: [Int32]) -> String { initializer(name, 6, dims, values) }
        mutating func int64s(_ name: String, _ values: [Int64]) -> String { initializer(name, 7, [values.count], values) }

        /// QuantizeLinear then DequantizeLinear with `q` (int8, per tensor).
        mutating func qdq(_ x: String, _ q: Quantization) -> String {
            guard ranges != nil else { return x }
            let s = constant(fresh("scale"), [], [q.scale])
            let z = int8s(fresh("zero_point"), [], [Int8(q.zeroPoint)])
            let quantized = fresh(x + "_q"), out = fresh(x + "_dq")
            node("QuantizeLinear", [x, s, z], [quantized], [])
            node("DequantizeLinear", [quantized, s, z], [out], [])
            quantOf[out] = q
            return out
        }

        mutating func qdq(_ x: String, key: String) -> String {
            guard let r = ranges?.ranges[key] else { return x }
            return qdq(x, Quantization.int8(min: r.min, max: r.max))
        }

        /// Weights [cout, ...] and bias as the int8 export quantizes them, each behind a DequantizeLinear.
        mutating func quantizedWeights(_ stem: String, _ dims: [Int], _ w: [Float], _ bias: [Float], input: String) -> (String, String) {
            let cout = dims[0], per = w.count / cout
            let sw = SymmetricWeights(w, channels: cout) { $0 / per }
            let zeros8 = int8s(fresh(stem + "_wz"), [cout], [Int8](repeating: 0, count: cout))
            let wq = int8s(fresh(stem + "_wq"), dims, sw.values)
            let ws = constant(fresh(stem + "_ws"), [cout], sw.scales)
            let wOut = fresh(stem + "_w")
            node("DequantizeLinear", [wq, ws, zeros8], [wOut], [int("axis", 0)])
            let inScale = quantOf[input]?.scale ?? 1
            let bq = sw.bias(bias, inputScale: inScale)
            let values = stride(from: 0, to: bq.bytes.count, by: 4).map { i in
                Int32(bitPattern: UInt32(bq.bytes[i]) | UInt32(bq.bytes[i + 1]) << 8 | UInt32(bq.bytes[i + 2]) << 16 | UInt32(bq.bytes[i + 3]) << 24)
            }
            let bInt = int32s(fresh(stem + "_bq"), [cout], values)
            let bs = constant(fresh(stem + "_bs"), [cout], bq.quantization.scales)
            let bz = int32s(fresh(stem + "_bz"), [cout], [Int32](repeating: 0, count: cout))
            let bOut = fresh(stem + "_b")
            node("DequantizeLinear", [bInt, bs, bz], [bOut], [int("axis", 0)])
            return (wOut, bOut)
        }

        mutating func chain(_ c: TemporalChain, input: String) -> String {
            var x = input
            for node in c.nodes {
                switch node {
                case .stage(let s): x = stage(s, x)
                case .residual(let body):
                    let y = chain(body, input: x)
                    // The body's VALID convolutions drop `context` leading frames; the skip keeps the newest.
                    let context = body.stages.map(\.stateFrames).reduce(0, +)
                    let skip = fresh("\(body.name)_skip")
                    slice(x, skip, start: context)
                    let out = fresh("\(body.name)_add")
                    self.node("Add", [y, skip], [out], [])
                    x = qdq(out, key: "\(body.name).out")
                }
            }
            return x
        }

        mutating func slice(_ x: String, _ out: String, start: Int) {
            let starts = int64s(fresh("starts"), [Int64(start)]), ends = int64s(fresh("ends"), [Int64.max])
            let axes = int64s(fresh("axes"), [2])
            node("Slice", [x, starts, ends, axes], [out], [])
        }

        mutating func activation(_ a: ActivationKind?, _ x: String, _ stem: String) -> String {
            guard let a else { return x }
            let out = fresh(stem + "_act")
            switch a {
            case .relu: node("Relu", [x], [out], [])
            case .relu6:
                let lo = constant(fresh("zero"), [], [0]), hi = constant(fresh("six"), [], [6])
                node("Clip", [x, lo, hi], [out], [])
            case .hardSwish: node("HardSwish", [x], [out], [])
            case .hardSigmoid: node("HardSigmoid", [x], [out], [float("alpha", 1.0 / 6), float("beta", 0.5)])
            case .sigmoid: node("Sigmoid", [x], [out], [])
            }
            return out
        }

        mutating func stage(_ s: TemporalStage, _ x: String) -> String {
            switch s.kind {
            case .dropout: return x
            case .squeezeExcite:
                let se = s.squeezeExcite!
                // In QDQ form the gate is the int8 export's: excite weights / 6, bias (b + 3) / 6 and
                // the gate's [0, 255/256] quantization doing hard-sigmoid's clamp.
                func conv1x1(_ d: Dense, _ input: String, _ stem: String, scale: Float = 1, shift: Float = 0) -> String {
                    var w = [Float](repeating: 0, count: d.inFeatures * d.outFeatures)
                    for i in 0..<d.inFeatures { for o in 0..<d.outFeatures { w[o * d.inFeatures + i] = d.weight.value.data[i * d.outFeatures + o] * scale } }
                    let b = (d.bias?.value.data ?? [Float](repeating: 0, count: d.outFeatures)).map { ($0 + shift) * scale }
                    let dims = [d.outFeatures, d.inFeatures, 1, 1]
                    let (wn, bn) = ranges != nil
                        ? quantizedWeights(stem, dims, w, b, input: input)
                        : (constant(fresh(stem + "_w"), dims, w), constant(fresh(stem + "_b"), [d.outFeatures], b))
                    let out = fresh(stem)
                    node("Conv", [input, wn, bn], [out], [])
                    return out
                }
                let hidden = qdq(activation(.relu, conv1x1(se.squeeze, x, "\(s.name)_squeeze"), "\(s.name)_squeeze"),
                                 key: "\(s.name).hidden")
                let gate = ranges != nil
                    ? qdq(conv1x1(se.excite, hidden, "\(s.name)_excite", scale: 1.0 / 6, shift: 3), SentryModel.gateQuantization)
                    : activation(.hardSigmoid, conv1x1(se.excite, hidden, "\(s.name)_excite"), "\(s.name)_gate")
                let out = fresh("\(s.name)_scaled")
                node("Mul", [x, gate], [out], [])
                // The product keeps its input's quantization, as in the int8 graph.
                return quantOf[x].map { qdq(out, $0) } ?? out
            case .conv, .pointwise, .depthwise, .head: break
            }
            let (kh, cout, cin, dilation, stride, group): (Int, Int, Int, Int, Int, Int)
            let (folded, bias) = s.foldedWeights()
            var w = [Float](repeating: 0, count: folded.count)
            if let conv = s.conv {
                (kh, cout, cin, dilation, stride, group) = (conv.kernel.h, conv.outChannels, conv.inChannels, conv.dilation.h, conv.stride.h, 1)
                // [kh, 1, cin, cout] → [cout, cin, kh, 1]
                for k in 0..<kh { for i in 0..<cin { for o in 0..<cout { w[(o * cin + i) * kh + k] = folded[(k * cin + i) * cout + o] } } }
            } else {
                let dw = s.depthwise!
                (kh, cout, cin, dilation, stride, group) = (dw.kernel.h, dw.channels, 1, dw.dilation.h, dw.stride.h, dw.channels)
                // [kh, 1, c] → [c, 1, kh, 1]
                for k in 0..<kh { for c in 0..<cout { w[c * kh + k] = folded[k * cout + c] } }
            }
            let (wn, bn): (String, String)
            if ranges != nil {
                (wn, bn) = quantizedWeights(s.name, [cout, cin, kh, 1], w, bias, input: x)
            } else {
                (wn, bn) = (constant(fresh("\(s.name)_w"), [cout, cin, kh, 1], w), constant(fresh("\(s.name)_b"), [cout], bias))
            }
            let out = fresh("\(s.name)_conv")
            node("Conv", [x, wn, bn], [out], [ints("kernel_shape", [kh, 1]), ints("strides", [stride, 1]),
                                               ints("dilations", [dilation, 1]), ints("pads", [0, 0, 0, 0]), int("group", group)])
            // ReLU fuses into the int8 kernel (its output range starts at 0); hard-swish has its own input range.
            let pre = s.activation == .hardSwish ? qdq(out, key: "\(s.name).pre") : out
            return qdq(activation(s.activation, pre, s.name), key: "\(s.name).out")
        }
    }
}
