import Foundation
import HarkenRuntime

extension Graph {
    /// Lowers the graph to kernel calls with resolved parameters and plans memory.
    public func lower(file: String = "<model>") throws -> Plan {
        try Lowerer(graph: self, file: file).run()
    }
}

/// A kernel call before memory planning: operands are still tensor indices.
struct PendingStep {
    var op: Operator
    var kernel: Kernel
    var inputs: [Int]     // -1 for an omitted optional operand
    var outputs: [Int]
    var macs: Int
}

struct Lowerer {
    let graph: Graph
    let file: String

    func fail(_ op: Operator, _ expected: String) -> GraphError {
        .invalid(file: file, location: "operator \(op.index) (\(op.name))", expected: expected)
    }

    func tensor(_ i: Int) -> Tensor { graph.tensors[i] }

    func quant(_ op: Operator, _ i: Int, _ role: String) throws -> Quantization {
        guard let q = tensor(i).quantization else {
            throw fail(op, "\(role) tensor \(i) to be quantized")
        }
        return q
    }

    func requireType(_ op: Operator, _ i: Int, _ types: Set<ElementType>, _ role: String) throws {
        let t = tensor(i)
        guard types.contains(t.type) else {
            throw fail(op, "\(role) tensor \(i) of type \(types.map(\.rawValue).sorted().joined(separator: " or ")), got \(t.type.rawValue)")
        }
    }

    func run() throws -> Plan {
        var pending: [PendingStep] = []
        for op in graph.operators {
            pending.append(contentsOf: try lower(op))
        }
        return try MemoryPlanner(graph: graph, steps: pending, file: file).plan()
    }

    func lower(_ op: Operator) throws -> [PendingStep] {
        switch op.kind {
        case .readState(let v):
            // Reads are satisfied by aliasing or a copy; the planner decides.
            return [PendingStep(op: op, kernel: .copy(bytes: graph.variables[v].byteCount), inputs: [], outputs: op.outputs, macs: 0)]
        case .writeState(let v):
            return [PendingStep(op: op, kernel: .copy(bytes: graph.variables[v].byteCount), inputs: op.inputs, outputs: [], macs: 0)]
        case .builtin(let b):
            // Only the bias of CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED may be omitted.
            let optional: Set<Int> = [.conv2d, .depthwiseConv2d, .fullyConnected].contains(b) ? [2] : []
            for (i, t) in op.inputs.enumerated() where t < 0 && !optional.contains(i) {
                throw fail(op, "input \(i) to be a tensor, got \(t)")
            }
            switch b {
            case .conv2d, .depthwiseConv2d: return [try lowerConv(op, depthwise: b == .depthwiseConv2d)]
            case .fullyConnected: return [try lowerFullyConnected(op)]
            case .concatenation: return [try lowerConcat(op)]
            case .split, .splitV: return [try lowerSplit(op, v: b == .splitV)]
            case .stridedSlice: return [try lowerStridedSlice(op)]
            case .reshape: return [try lowerReshape(op)]
            case .logistic: return [try lowerLogistic(op)]
            case .quantize: return [try lowerQuantize(op)]
            case .averagePool2d, .maxPool2d: return [try lowerPool(op, max: b == .maxPool2d)]
            case .add: return [try lowerAdd(op)]
            case .mul: return [try lowerMul(op)]
            case .mean: return [try lowerMean(op)]
            case .pad: return [try lowerPad(op)]
            case .softmax: return [try lowerSoftmax(op)]
            case .dequantize: return [try lowerDequantize(op)]
            case .hardSwish: return [try lowerHardSwish(op)]
            default:
                throw GraphError.unsupportedOperator(file: file, op: b.name, version: op.version, operatorIndex: op.index)
            }
        }
    }

    func shape4(_ s: [Int]) -> hk_shape4_t {
        let p = [Int](repeating: 1, count: max(0, 4 - s.count)) + s.suffix(4)
        return hk_shape4_t(n: Int32(p[0]), h: Int32(p[1]), w: Int32(p[2]), c: Int32(p[3]))
    }

    func lowerConv(_ op: Operator, depthwise: Bool) throws -> PendingStep {
        guard op.inputs.count >= 2, op.outputs.count == 1 else { throw fail(op, "input, filter, optional bias and one output") }
        let (x, w, y) = (op.inputs[0], op.inputs[1], op.outputs[0])
        let b = op.inputs.count > 2 ? op.inputs[2] : -1
        try requireType(op, x, [.int8], "input")
        try requireType(op, w, [.int8], "filter")
        try requireType(op, y, [.int8], "output")
        guard tensor(w).isConstant else { throw fail(op, "a constant filter") }
        if b >= 0 {
            try requireType(op, b, [.int32], "bias")
            guard tensor(b).isConstant else { throw fail(op, "a constant bias") }
        }
        let (xs, ws, ys) = (tensor(x).shape, tensor(w).shape, tensor(y).shape)
        guard xs.count == 4, ws.count == 4, ys.count == 4 else { throw fail(op, "4-D input, filter and output") }
        let (qx, qw, qy) = (try quant(op, x, "input"), try quant(op, w, "filter"), try quant(op, y, "output"))
        let outC = ys[3]
        guard qw.scales.count == 1 || qw.scales.count == outC else { throw fail(op, "filter scales per tensor or per output channel (\(outC))") }
        if b >= 0, tensor(b).elementCount != outC { throw fail(op, "\(outC) bias values, got \(tensor(b).elementCount)") }
        let o = op.options
        guard o.strideH > 0, o.strideW > 0, o.dilationH > 0, o.dilationW > 0 else { throw fail(op, "positive strides and dilations") }
        let (kh, kw) = (ws[1], ws[2])
        let depthMultiplier: Int
        if depthwise {
            guard ws[0] == 1, ws[3] == outC, xs[3] > 0, outC % xs[3] == 0 else {
                throw fail(op, "a [1, kh, kw, \(outC)] depthwise filter with output channels a multiple of input channels")
            }
            depthMultiplier = outC / xs[3]
        } else {
            // Grouped convolution: the filter sees in_c / groups channels.
            guard ws[0] == outC, ws[3] > 0, xs[3] % ws[3] == 0, outC % (xs[3] / ws[3]) == 0 else {
                throw fail(op, "an [\(outC), kh, kw, \(xs[3]) / groups] filter")
            }
            depthMultiplier = 1
        }
        let (padH, outH) = try padding(op, in: xs[1], filter: kh, stride: Int(o.strideH), dilation: Int(o.dilationH))
        let (padW, outW) = try padding(op, in: xs[2], filter: kw, stride: Int(o.strideW), dilation: Int(o.dilationW))
        guard ys[0] == xs[0], ys[1] == outH, ys[2] == outW else {
            throw fail(op, "output shape [\(xs[0]), \(outH), \(outW), \(outC)], got \(ys)")
        }
        guard let (actMin, actMax) = activationRange(o.activation, scale: qy.scale, zeroPoint: qy.zeroPoint, type: .int8) else {
            throw fail(op, "fused activation NONE, RELU, RELU_N1_TO_1 or RELU6, got \(o.activation)")
        }
        var mult: [Int32] = [], shift: [Int32] = []
        for c in 0..<outC {
            let fs = qw.scales.count == 1 ? qw.scales[0] : qw.scales[c]
            let m = QuantizedMultiplier(Double(qx.scale) * Double(fs) / Double(qy.scale))
            mult.append(m.multiplier)
            shift.append(m.shift)
        }
        let p = hk_conv_params_t(
            input: shape4(xs), filter: shape4(ws), output: shape4(ys),
            stride_h: o.strideH, stride_w: o.strideW, dilation_h: o.dilationH, dilation_w: o.dilationW,
            pad_h: Int32(padH), pad_w: Int32(padW), depth_multiplier: Int32(depthMultiplier),
            input_offset: -qx.zeroPoint, output_offset: qy.zeroPoint, act_min: actMin, act_max: actMax,
            out_mult: nil, out_shift: nil)
        let perOutput = kh * kw * (depthwise ? 1 : ws[3])
        // int32 accumulators: 255 * 255 * taps must stay below 2^31.
        guard perOutput <= 32768 else { throw fail(op, "at most 32768 multiply-accumulates per output, got \(perOutput)") }
        return PendingStep(op: op, kernel: .conv(p, depthwise: depthwise, mult: mult, shift: shift),
                           inputs: [x, w, b], outputs: [y], macs: ys.reduce(1, *) * perOutput)
    }

    /// TFLite's SAME/VALID arithmetic: output size and top/left padding.
    func padding(_ op: Operator, in size: Int, filter: Int, stride: Int, dilation: Int) throws -> (Int, Int) {
        let effective = (filter - 1) * dilation + 1
        let out: Int
        switch op.options.padding {
        case 0: out = (size + stride - 1) / stride
        case 1: out = (size - effective + stride) / stride
        default: throw fail(op, "padding SAME or VALID, got \(op.options.padding)")
        }
        let pad = max(((out - 1) * stride + effective - size) / 2, 0)
        return (pad, out)
    }

    func lowerFullyConnected(_ op: Operator) throws -> PendingStep {
        guard op.inputs.count >= 2, op.outputs.count == 1 else { throw fail(op, "input, weights, optional bias and one output") }
        let (x, w, y) = (op.inputs[0], op.inputs[1], op.outputs[0])
        let b = op.inputs.count > 2 ? op.inputs[2] : -1
        try requireType(op, x, [.int8], "input")
        try requireType(op, w, [.int8], "weights")
        try requireType(op, y, [.int8], "output")
        guard tensor(w).isConstant, tensor(w).shape.count == 2 else { throw fail(op, "constant 2-D weights") }
        let (outDepth, inDepth) = (tensor(w).shape[0], tensor(w).shape[1])
        guard inDepth > 0, tensor(x).elementCount % inDepth == 0 else { throw fail(op, "input elements a multiple of \(inDepth)") }
        let batches = tensor(x).elementCount / inDepth
        guard inDepth <= 32768 else { throw fail(op, "an input depth of at most 32768, got \(inDepth)") }
        guard tensor(y).elementCount == batches * outDepth else { throw fail(op, "\(batches * outDepth) output elements") }
        if b >= 0 {
            try requireType(op, b, [.int32], "bias")
            guard tensor(b).isConstant, tensor(b).elementCount == outDepth else { throw fail(op, "a constant bias of \(outDepth) values") }
        }
        guard op.options.weightsFormat == 0 else { throw fail(op, "DEFAULT weights format") }
        let (qx, qw, qy) = (try quant(op, x, "input"), try quant(op, w, "weights"), try quant(op, y, "output"))
        guard qw.scales.count == 1 || qw.scales.count == outDepth else { throw fail(op, "weight scales per tensor or per output") }
        guard let (actMin, actMax) = activationRange(op.options.activation, scale: qy.scale, zeroPoint: qy.zeroPoint, type: .int8) else {
            throw fail(op, "fused activation NONE, RELU, RELU_N1_TO_1 or RELU6")
        }
        var mult: [Int32] = [], shift: [Int32] = []
        for s in qw.scales {
            let m = QuantizedMultiplier(Double(qx.scale) * Double(s) / Double(qy.scale))
            mult.append(m.multiplier)
            shift.append(m.shift)
        }
        let p = hk_fc_params_t(batches: Int32(batches), in_depth: Int32(inDepth), out_depth: Int32(outDepth),
                               input_offset: -qx.zeroPoint, filter_offset: -qw.zeroPoint, output_offset: qy.zeroPoint,
                               act_min: actMin, act_max: actMax, n_mult: Int32(mult.count), out_mult: nil, out_shift: nil)
        return PendingStep(op: op, kernel: .fullyConnected(p, mult: mult, shift: shift), inputs: [x, w, b], outputs: [y],
                           macs: batches * inDepth * outDepth)
    }

    /// Concatenation and split move bytes only, so every side must share one quantization.
    func sameQuantization(_ op: Operator, _ tensors: [Int]) throws {
        let qs = tensors.map { tensor($0).quantization }
        let types = Set(tensors.map { tensor($0).type })
        guard types.count == 1 else { throw fail(op, "one element type on every input and output") }
        for q in qs where q?.scales != qs[0]?.scales || q?.zeroPoints != qs[0]?.zeroPoints {
            throw fail(op, "the same scale and zero point on every input and output (requantizing concatenation is not supported)")
        }
    }

    func rowSplit(_ op: Operator, parts: [Int], whole: Int, axis rawAxis: Int) throws -> (hk_concat_params_t, [Int32]) {
        let shape = tensor(whole).shape
        let axis = rawAxis < 0 ? rawAxis + shape.count : rawAxis
        guard axis >= 0, axis < shape.count else { throw fail(op, "an axis in -\(shape.count)..<\(shape.count), got \(rawAxis)") }
        let outer = shape[..<axis].reduce(1, *)
        let size = tensor(whole).type.byteSize
        var partBytes: [Int32] = []
        var total = 0
        for p in parts {
            let s = tensor(p).shape
            guard s.count == shape.count, zip(s, shape).enumerated().allSatisfy({ $0.offset == axis || $0.element.0 == $0.element.1 }) else {
                throw fail(op, "parts of shape \(shape) except along axis \(axis), got \(s)")
            }
            let bytes = s[axis...].reduce(1, *) * size
            partBytes.append(Int32(bytes))
            total += s[axis]
        }
        guard total == shape[axis] else { throw fail(op, "parts summing to \(shape[axis]) along axis \(axis), got \(total)") }
        let p = hk_concat_params_t(outer: Int32(outer), n_parts: Int32(parts.count), part_bytes: nil,
                                   row_bytes: partBytes.reduce(0, +))
        return (p, partBytes)
    }

    func lowerConcat(_ op: Operator) throws -> PendingStep {
        guard !op.inputs.isEmpty, op.outputs.count == 1 else { throw fail(op, "inputs and one output") }
        guard op.options.activation == 0 else { throw fail(op, "no fused activation") }
        try sameQuantization(op, op.inputs + op.outputs)
        let (p, parts) = try rowSplit(op, parts: op.inputs, whole: op.outputs[0], axis: Int(op.options.axis))
        return PendingStep(op: op, kernel: .concat(p, partBytes: parts), inputs: op.inputs, outputs: op.outputs, macs: 0)
    }

    func constantInts(_ op: Operator, _ i: Int, _ role: String) throws -> [Int] {
        let t = tensor(i)
        guard let data = t.data, t.type == .int32 || t.type == .int64 else { throw fail(op, "a constant integer \(role) tensor") }
        if t.type == .int64 {
            return stride(from: 0, to: data.count, by: 8).map { o in
                Int(data[o..<o + 8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
            }
        }
        return stride(from: 0, to: data.count, by: 4).map { o in
            Int(Int32(bitPattern: UInt32(data[o]) | UInt32(data[o + 1]) << 8 | UInt32(data[o + 2]) << 16 | UInt32(data[o + 3]) << 24))
        }
    }

    func lowerSplit(_ op: Operator, v: Bool) throws -> PendingStep {
        guard op.inputs.count == (v ? 3 : 2), !op.outputs.isEmpty else { throw fail(op, v ? "input, size_splits and axis" : "axis and input") }
        let input = v ? op.inputs[0] : op.inputs[1]
        let axisTensor = v ? op.inputs[2] : op.inputs[0]
        guard let axis = try constantInts(op, axisTensor, "axis").first else { throw fail(op, "a constant axis") }
        try sameQuantization(op, [input] + op.outputs)
        let (p, parts) = try rowSplit(op, parts: op.outputs, whole: input, axis: axis)
        return PendingStep(op: op, kernel: .split(p, partBytes: parts), inputs: [input], outputs: op.outputs, macs: 0)
    }

    func lowerStridedSlice(_ op: Operator) throws -> PendingStep {
        guard op.inputs.count == 4, op.outputs.count == 1 else { throw fail(op, "input, begin, end, strides and one output") }
        let x = op.inputs[0], y = op.outputs[0]
        let shape = tensor(x).shape
        let rank = shape.count
        guard rank >= 1, rank <= 4 else { throw fail(op, "an input of rank 1 to 4 (as TFLM)") }
        let o = op.options
        guard o.ellipsisMask == 0, o.newAxisMask == 0 else { throw fail(op, "no ellipsis_mask or new_axis_mask") }
        let begin = try constantInts(op, op.inputs[1], "begin")
        let end = try constantInts(op, op.inputs[2], "end")
        let strides = try constantInts(op, op.inputs[3], "strides")
        guard begin.count == rank, end.count == rank, strides.count == rank else { throw fail(op, "begin, end and strides of length \(rank)") }
        try sameQuantization(op, [x, y])
        var p = hk_slice_params_t()
        p.rank = Int32(rank)
        p.elem_bytes = Int32(tensor(x).type.byteSize)
        var ins = [Int32](repeating: 1, count: 5), starts = [Int32](repeating: 0, count: 5)
        var steps = [Int32](repeating: 1, count: 5), outs = [Int32](repeating: 1, count: 5)
        var kept: [Int] = []
        for i in 0..<rank {
            let dim = shape[i], s = strides[i]
            guard s != 0 else { throw fail(op, "nonzero strides") }
            func clamp(_ v: Int) -> Int { s > 0 ? min(max(v, 0), dim) : min(max(v, -1), dim - 1) }
            var start: Int
            if o.beginMask & (1 << i) != 0 { start = s > 0 ? 0 : dim - 1 } else {
                start = begin[i]
                if start < 0 { start += dim }
                start = clamp(start)
            }
            var stop: Int
            if o.shrinkAxisMask & (1 << i) != 0 {
                // begin_mask applies to shrunk axes too (TFLite's StartForAxis).
                guard start >= 0, start < dim else { throw fail(op, "a shrunk index inside dimension \(i)") }
                stop = start + 1
            } else if o.endMask & (1 << i) != 0 { stop = s > 0 ? dim : -1 } else {
                stop = o.offset ? begin[i] + end[i] : end[i]
                if stop < 0 { stop += dim }
                stop = clamp(stop)
            }
            let count = s > 0 ? max(0, (stop - start + s - 1) / s) : max(0, (start - stop - s - 1) / -s)
            ins[i] = Int32(dim); starts[i] = Int32(start); steps[i] = Int32(s); outs[i] = Int32(count)
            if o.shrinkAxisMask & (1 << i) == 0 { kept.append(count) }
        }
        guard tensor(y).elementCount == outs.reduce(1, *), kept.reduce(1, *) == tensor(y).elementCount else {
            throw fail(op, "output shape \(kept), got \(tensor(y).shape)")
        }
        p.in_shape = (ins[0], ins[1], ins[2], ins[3], ins[4])
        p.begin = (starts[0], starts[1], starts[2], starts[3], starts[4])
        p.stride = (steps[0], steps[1], steps[2], steps[3], steps[4])
        p.out_shape = (outs[0], outs[1], outs[2], outs[3], outs[4])
        return PendingStep(op: op, kernel: .stridedSlice(p), inputs: [x], outputs: [y], macs: 0)
    }

    func lowerReshape(_ op: Operator) throws -> PendingStep {
        guard !op.inputs.isEmpty, op.outputs.count == 1 else { throw fail(op, "an input and one output") }
        let x = op.inputs[0], y = op.outputs[0]
        guard tensor(x).byteCount == tensor(y).byteCount, tensor(x).type == tensor(y).type else {
            throw fail(op, "an output of the same type and size as the input")
        }
        return PendingStep(op: op, kernel: .copy(bytes: tensor(x).byteCount), inputs: [x], outputs: [y], macs: 0)
    }

    func lowerLogistic(_ op: Operator) throws -> PendingStep {
        guard op.inputs.count == 1, op.outputs.count == 1 else { throw fail(op, "one input and one output") }
        let x = op.inputs[0], y = op.outputs[0]
        try requireType(op, x, [.int8], "input")
        try requireType(op, y, [.int8], "output")
        let (qx, qy) = (try quant(op, x, "input"), try quant(op, y, "output"))
        guard qy.zeroPoint == -128, qy.scale == 1.0 / 256 else { throw fail(op, "output scale 1/256 and zero point -128") }
        guard let p = LogisticQuantization(inputScale: qx.scale) else { throw fail(op, "an input scale whose Q4.27 multiplier fits in 31 bits") }
        let params = hk_logistic_params_t(size: Int32(tensor(x).elementCount), input_zero_point: qx.zeroPoint,
                                          input_range_radius: p.rangeRadius, input_multiplier: p.multiplier,
                                          input_left_shift: p.leftShift)
        return PendingStep(op: op, kernel: .logistic(params), inputs: [x], outputs: [y], macs: 0)
    }

    func lowerQuantize(_ op: Operator) throws -> PendingStep {
        guard op.inputs.count == 1, op.outputs.count == 1 else { throw fail(op, "one input and one output") }
        let x = op.inputs[0], y = op.outputs[0]
        try requireType(op, x, [.int8, .uint8, .float32], "input")
        try requireType(op, y, [.int8, .uint8], "output")
        let qy = try quant(op, y, "output")
        var p = hk_quantize_params_t()
        p.size = Int32(tensor(x).elementCount)
        p.in_type = Int32(runtimeType(tensor(x).type))
        p.out_type = Int32(runtimeType(tensor(y).type))
        p.output_zero_point = qy.zeroPoint
        if tensor(x).type == .float32 {
            p.scale = qy.scale
        } else {
            let qx = try quant(op, x, "input")
            let m = QuantizedMultiplier(Double(qx.scale) / Double(qy.scale))
            p.input_zero_point = qx.zeroPoint
            p.mult = m.multiplier
            p.shift = m.shift
        }
        return PendingStep(op: op, kernel: .quantize(p), inputs: [x], outputs: [y], macs: 0)
    }

    func runtimeType(_ t: ElementType) -> Int {
        switch t {
        case .int8: return Int(HK_TYPE_INT8)
        case .uint8: return Int(HK_TYPE_UINT8)
        case .float32: return Int(HK_TYPE_FLOAT32)
        case .int16: return Int(HK_TYPE_INT16)
        default: return Int(HK_TYPE_INT32)
        }
    }
}

/// TFLM's int8 LOGISTIC input rescaling: Q4.27 input with 4 integer bits.
struct LogisticQuantization {
    var multiplier: Int32
    var leftShift: Int32
    var rangeRadius: Int32

    init?(inputScale: Float) {
        let inputIntegerBits = 4
        let real = Double(inputScale) * Double(1 << (31 - inputIntegerBits))
        let (significand, exponent) = frexp(real)
        let m = (significand * Double(Int64(1) << 31)).rounded(.toNearestOrAwayFromZero)
        guard m < Double(Int32.max), exponent >= 0, exponent < 31 else { return nil }
        multiplier = Int32(m)
        leftShift = Int32(exponent)
        // TFLite's CalculateInputRadius(4, left_shift, 31).
        let maxInputRescaled = 1.0 * Double((1 << inputIntegerBits) - 1) * Double(Int64(1) << (31 - inputIntegerBits))
            / Double(Int64(1) << exponent)
        rangeRadius = Int32(floor(maxInputRescaled))
    }
}

/// Lowering of the operators Sentry architectures use beyond microWakeWord's set.
extension Lowerer {
    func unary(_ op: Operator, inputs count: Int = 1) throws -> (Int, Int) {
        guard op.inputs.count == count, op.outputs.count == 1 else { throw fail(op, "\(count) input(s) and one output") }
        return (op.inputs[0], op.outputs[0])
    }

    func lowerPool(_ op: Operator, max: Bool) throws -> PendingStep {
        let (x, y) = try unary(op)
        try requireType(op, x, [.int8], "input")
        try requireType(op, y, [.int8], "output")
        try sameQuantization(op, [x, y])
        let (xs, ys) = (tensor(x).shape, tensor(y).shape)
        guard xs.count == 4, ys.count == 4, ys[0] == xs[0], ys[3] == xs[3] else { throw fail(op, "4-D input and output with equal batch and channels") }
        let o = op.options
        guard o.filterH > 0, o.filterW > 0, o.strideH > 0, o.strideW > 0 else { throw fail(op, "positive filter size and strides") }
        let (padH, outH) = try padding(op, in: xs[1], filter: Int(o.filterH), stride: Int(o.strideH), dilation: 1)
        let (padW, outW) = try padding(op, in: xs[2], filter: Int(o.filterW), stride: Int(o.strideW), dilation: 1)
        guard ys[1] == outH, ys[2] == outW else { throw fail(op, "output shape [\(xs[0]), \(outH), \(outW), \(xs[3])], got \(ys)") }
        let q = try quant(op, y, "output")
        guard let (lo, hi) = activationRange(o.activation, scale: q.scale, zeroPoint: q.zeroPoint, type: .int8) else {
            throw fail(op, "fused activation NONE, RELU, RELU_N1_TO_1 or RELU6")
        }
        let p = hk_pool_params_t(input: shape4(xs), output: shape4(ys), filter_h: o.filterH, filter_w: o.filterW,
                                 stride_h: o.strideH, stride_w: o.strideW, pad_h: Int32(padH), pad_w: Int32(padW),
                                 act_min: lo, act_max: hi)
        return PendingStep(op: op, kernel: .pool(p, max: max), inputs: [x], outputs: [y],
                           macs: ys.reduce(1, *) * Int(o.filterH * o.filterW))
    }

    /// Right-aligned 4-D broadcasting: each input dimension equals the output's or is 1.
    func broadcastShapes(_ op: Operator, _ a: Int, _ b: Int, _ y: Int) throws -> (hk_shape4_t, hk_shape4_t, hk_shape4_t) {
        let (sa, sb, sy) = (tensor(a).shape, tensor(b).shape, tensor(y).shape)
        guard sa.count <= 4, sb.count <= 4, sy.count <= 4 else { throw fail(op, "shapes of rank at most 4") }
        let (pa, pb, py) = (shape4(sa), shape4(sb), shape4(sy))
        for (da, db, dy) in [(pa.n, pb.n, py.n), (pa.h, pb.h, py.h), (pa.w, pb.w, py.w), (pa.c, pb.c, py.c)] {
            guard (da == dy || da == 1), (db == dy || db == 1), dy == max(da, db) else {
                throw fail(op, "broadcast-compatible shapes \(sa) and \(sb) giving \(sy)")
            }
        }
        return (pa, pb, py)
    }

    func binary(_ op: Operator) throws -> (Int, Int, Int, Quantization, Quantization, Quantization, Int32, Int32) {
        guard op.inputs.count == 2, op.outputs.count == 1 else { throw fail(op, "two inputs and one output") }
        let (a, b, y) = (op.inputs[0], op.inputs[1], op.outputs[0])
        for (t, role) in [(a, "input 1"), (b, "input 2"), (y, "output")] { try requireType(op, t, [.int8], role) }
        let (qa, qb, qy) = (try quant(op, a, "input 1"), try quant(op, b, "input 2"), try quant(op, y, "output"))
        guard let (lo, hi) = activationRange(op.options.activation, scale: qy.scale, zeroPoint: qy.zeroPoint, type: .int8) else {
            throw fail(op, "fused activation NONE, RELU, RELU_N1_TO_1 or RELU6")
        }
        return (a, b, y, qa, qb, qy, lo, hi)
    }

    func lowerAdd(_ op: Operator) throws -> PendingStep {
        let (a, b, y, qa, qb, qy, lo, hi) = try binary(op)
        let (sa, sb, sy) = try broadcastShapes(op, a, b, y)
        let leftShift: Int32 = 20
        let twiceMax = 2 * max(Double(qa.scale), Double(qb.scale))
        let m1 = QuantizedMultiplier(Double(qa.scale) / twiceMax), m2 = QuantizedMultiplier(Double(qb.scale) / twiceMax)
        let mo = QuantizedMultiplier(twiceMax / (Double(1 << leftShift) * Double(qy.scale)))
        let p = hk_add_params_t(input1: sa, input2: sb, output: sy, input1_offset: -qa.zeroPoint, input2_offset: -qb.zeroPoint,
                                output_offset: qy.zeroPoint, left_shift: leftShift, input1_mult: m1.multiplier, input1_shift: m1.shift,
                                input2_mult: m2.multiplier, input2_shift: m2.shift, output_mult: mo.multiplier, output_shift: mo.shift,
                                act_min: lo, act_max: hi)
        return PendingStep(op: op, kernel: .add(p), inputs: [a, b], outputs: [y], macs: 0)
    }

    func lowerMul(_ op: Operator) throws -> PendingStep {
        let (a, b, y, qa, qb, qy, lo, hi) = try binary(op)
        let (sa, sb, sy) = try broadcastShapes(op, a, b, y)
        let m = QuantizedMultiplier(Double(qa.scale) * Double(qb.scale) / Double(qy.scale))
        let p = hk_mul_params_t(input1: sa, input2: sb, output: sy, input1_offset: -qa.zeroPoint, input2_offset: -qb.zeroPoint,
                                output_offset: qy.zeroPoint, output_mult: m.multiplier, output_shift: m.shift, act_min: lo, act_max: hi)
        return PendingStep(op: op, kernel: .mul(p), inputs: [a, b], outputs: [y], macs: tensor(y).elementCount)
    }

    func lowerMean(_ op: Operator) throws -> PendingStep {
        let (x, y) = try unary(op, inputs: 2)
        try requireType(op, x, [.int8], "input")
        try requireType(op, y, [.int8], "output")
        let shape = tensor(x).shape
        let axes = Set(try constantInts(op, op.inputs[1], "axes").map { $0 < 0 ? $0 + shape.count : $0 })
        guard let first = axes.min(), let last = axes.max(), first >= 0, last < shape.count, axes.count == last - first + 1 else {
            throw fail(op, "reduction axes forming one contiguous run inside rank \(shape.count)")
        }
        let outer = shape[..<first].reduce(1, *), reduce = shape[first...last].reduce(1, *), inner = shape[(last + 1)...].reduce(1, *)
        guard reduce > 0, reduce < 1 << 23, tensor(y).elementCount == outer * inner else { throw fail(op, "an output of \(outer * inner) elements") }
        let (qx, qy) = (try quant(op, x, "input"), try quant(op, y, "output"))
        let m0 = QuantizedMultiplier(Double(qx.scale) / Double(qy.scale))
        // Fold 1/reduce into the multiplier, keeping as many bits as the shift allows.
        let k = min(Int.bitWidth - reduce.leadingZeroBitCount - 1, 32, 31 + Int(m0.shift))
        let mult = (Int64(m0.multiplier) << Int64(k)) / Int64(reduce)
        guard k >= 0, mult <= Int64(Int32.max) else { throw fail(op, "a representable mean multiplier") }
        let p = hk_mean_params_t(outer: Int32(outer), reduce: Int32(reduce), inner: Int32(inner), input_zero_point: qx.zeroPoint,
                                 output_zero_point: qy.zeroPoint, mult: Int32(mult), shift: m0.shift - Int32(k))
        return PendingStep(op: op, kernel: .mean(p), inputs: [x], outputs: [y], macs: tensor(x).elementCount)
    }

    func lowerPad(_ op: Operator) throws -> PendingStep {
        guard op.inputs.count == 2 || op.inputs.count == 3, op.outputs.count == 1 else { throw fail(op, "input, paddings and one output") }
        let (x, y) = (op.inputs[0], op.outputs[0])
        try requireType(op, x, [.int8], "input")
        try sameQuantization(op, [x, y])
        let xs = tensor(x).shape, ys = tensor(y).shape
        guard xs.count <= 4, ys.count == xs.count else { throw fail(op, "input and output of the same rank, at most 4") }
        let pads = try constantInts(op, op.inputs[1], "paddings")
        guard pads.count == 2 * xs.count, pads.allSatisfy({ $0 >= 0 }) else { throw fail(op, "\(xs.count) pairs of non-negative paddings") }
        for i in xs.indices where ys[i] != xs[i] + pads[2 * i] + pads[2 * i + 1] {
            throw fail(op, "output dimension \(i) of \(xs[i] + pads[2 * i] + pads[2 * i + 1]), got \(ys[i])")
        }
        let before = [Int](repeating: 0, count: 4 - xs.count) + stride(from: 0, to: pads.count, by: 2).map { pads[$0] }
        let q = try quant(op, y, "output")
        let p = hk_pad_params_t(input: shape4(xs), output: shape4(ys),
                                before: (Int32(before[0]), Int32(before[1]), Int32(before[2]), Int32(before[3])), pad_value: q.zeroPoint)
        return PendingStep(op: op, kernel: .pad(p), inputs: [x], outputs: [y], macs: 0)
    }

    func lowerSoftmax(_ op: Operator) throws -> PendingStep {
        let (x, y) = try unary(op)
        try requireType(op, x, [.int8], "input")
        try requireType(op, y, [.int8], "output")
        let (qx, qy) = (try quant(op, x, "input"), try quant(op, y, "output"))
        guard qy.zeroPoint == -128, qy.scale == 1.0 / 256 else { throw fail(op, "output scale 1/256 and zero point -128") }
        let depth = tensor(x).shape.last ?? 1
        guard depth > 0 else { throw fail(op, "a non-empty last dimension") }
        let real = min(Double(op.options.beta) * Double(qx.scale) * Double(1 << 26), Double(Int32.max))
        let m = QuantizedMultiplier(real)
        guard m.shift >= 0, m.shift < 31 else { throw fail(op, "beta * input scale giving a left shift in 0..<31") }
        let diffMin = -Int32((31.0 * Double(1 << 26) / Double(Int64(1) << Int64(m.shift))).rounded(.down))
        let p = hk_softmax_params_t(outer: Int32(tensor(x).elementCount / depth), depth: Int32(depth),
                                    input_mult: m.multiplier, input_left_shift: m.shift, diff_min: diffMin)
        return PendingStep(op: op, kernel: .softmax(p), inputs: [x], outputs: [y], macs: 0)
    }

    func lowerDequantize(_ op: Operator) throws -> PendingStep {
        let (x, y) = try unary(op)
        try requireType(op, x, [.int8, .uint8, .int16], "input")
        try requireType(op, y, [.float32], "output")
        let q = try quant(op, x, "input")
        let p = hk_dequantize_params_t(size: Int32(tensor(x).elementCount), in_type: Int32(runtimeType(tensor(x).type)),
                                       zero_point: q.zeroPoint, scale: q.scale)
        return PendingStep(op: op, kernel: .dequantize(p), inputs: [x], outputs: [y], macs: 0)
    }

    func lowerHardSwish(_ op: Operator) throws -> PendingStep {
        let (x, y) = try unary(op)
        try requireType(op, x, [.int8], "input")
        try requireType(op, y, [.int8], "output")
        let (qx, qy) = (try quant(op, x, "input"), try quant(op, y, "output"))
        let hires = Double(qx.scale) / 128
        // TFLite's DownScaleInt32ToInt16Multiplier: a Q31 multiplier rounded to Q15.
        func q15(_ m: QuantizedMultiplier) -> Int32 {
            Int64(m.multiplier) >= Int64(Int32.max) - (1 << 15) ? 32767 : (m.multiplier + (1 << 15)) >> 16
        }
        let out = QuantizedMultiplier(hires / Double(qy.scale)), relu = QuantizedMultiplier(hires / (3.0 / 32768))
        let p = hk_hard_swish_params_t(size: Int32(tensor(x).elementCount), input_zero_point: qx.zeroPoint,
                                       output_zero_point: qy.zeroPoint, reluish_mult: q15(relu), reluish_exponent: relu.shift,
                                       output_mult: q15(out), output_exponent: out.shift)
        return PendingStep(op: op, kernel: .hardSwish(p), inputs: [x], outputs: [y], macs: 0)
    }
}
