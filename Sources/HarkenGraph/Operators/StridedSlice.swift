// StridedSlice.swift: STRIDED_SLICE up to 4-D (as TFLM), begin/end/strides and masks resolved
// here: Firmware/kernels/hk_strided_slice.c.

import HarkenRuntime

extension BuiltinOp {
    public static let stridedSlice = BuiltinOp(45, "STRIDED_SLICE")
}

struct StridedSlice: KernelOperator {
    var params: hk_slice_params_t

    static let reads: [BuiltinOp: Int32] = [.stridedSlice: 4]
    static let writes: [BuiltinOp: TFLiteForm] = [.stridedSlice: TFLiteForm(options: 32, version: 2)]
    static let symbols = ["hk_strided_slice"]

    static func lower(_ op: Operator, _ builtin: BuiltinOp, _ l: Lowerer) throws -> PendingStep {
        guard op.inputs.count == 4, op.outputs.count == 1 else { throw l.fail(op, "input, begin, end, strides and one output") }
        let x = op.inputs[0], y = op.outputs[0]
        let shape = l.tensor(x).shape
        let rank = shape.count
        guard rank >= 1, rank <= 4 else { throw l.fail(op, "an input of rank 1 to 4 (as TFLM)") }
        let o = op.options
        guard o.ellipsisMask == 0, o.newAxisMask == 0 else { throw l.fail(op, "no ellipsis_mask or new_axis_mask") }
        let begin = try l.constantInts(op, op.inputs[1], "begin")
        let end = try l.constantInts(op, op.inputs[2], "end")
        let strides = try l.constantInts(op, op.inputs[3], "strides")
        guard begin.count == rank, end.count == rank, strides.count == rank else { throw l.fail(op, "begin, end and strides of length \(rank)") }
        try l.sameQuantization(op, [x, y])
        var p = hk_slice_params_t()
        p.rank = Int32(rank)
        p.elem_bytes = Int32(l.tensor(x).type.byteSize)
        var ins = [Int32](repeating: 1, count: 5), starts = [Int32](repeating: 0, count: 5)
        var steps = [Int32](repeating: 1, count: 5), outs = [Int32](repeating: 1, count: 5)
        var kept: [Int] = []
        for i in 0..<rank {
            let dim = shape[i], s = strides[i]
            guard s != 0 else { throw l.fail(op, "nonzero strides") }
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
                guard start >= 0, start < dim else { throw l.fail(op, "a shrunk index inside dimension \(i)") }
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
        guard l.tensor(y).elementCount == outs.reduce(1, *), kept.reduce(1, *) == l.tensor(y).elementCount else {
            throw l.fail(op, "output shape \(kept), got \(l.tensor(y).shape)")
        }
        p.in_shape = (ins[0], ins[1], ins[2], ins[3], ins[4])
        p.begin = (starts[0], starts[1], starts[2], starts[3], starts[4])
        p.stride = (steps[0], steps[1], steps[2], steps[3], steps[4])
        p.out_shape = (outs[0], outs[1], outs[2], outs[3], outs[4])
        return PendingStep(op: op, kernel: Kernel(StridedSlice(params: p)), inputs: [x], outputs: [y], macs: 0)
    }

    func function(_ variant: KernelVariant) -> String { "hk_strided_slice" }

    func bind(_ h: HostCall) -> () -> Void {
        let p = h.keep(params)
        let (x, y) = (h.inputs[0]!, h.outputs[0])
        return { hk_strided_slice(p, x, y) }
    }

    func emit(_ c: inout CCall) {
        c.params("hk_slice_params_t", params)
        c.call(c.raw(input: 0), c.raw(output: 0))
    }

    func costFeatures(macs: Int) -> CostFeatures {
        let copies = self.copies, bytes = copies.reduce(0) { $0 + $1.bytes }
        return CostFeatures(macs: 0, outputs: Double(bytes / Int(params.elem_bytes)), moved: Double(bytes),
                            tail: CostFeatures.misalignedBytes(copies), runs: Double(copies.count))
    }

    /// hk_strided_slice's memcpy calls, in its order: the shape right-aligned into 5-D, one call per
    /// contiguous run (the last axis with stride 1, grown outward over whole axes), else per element.
    var copies: [CostFeatures.MemcpyCall] {
        let p = params, pad = 5 - Int(p.rank), eb = Int(p.elem_bytes)
        func five(_ t: (Int32, Int32, Int32, Int32, Int32), _ fill: Int) -> [Int] {
            let v = [t.0, t.1, t.2, t.3, t.4].map(Int.init)
            return (0..<5).map { $0 < pad ? fill : v[$0 - pad] }
        }
        let inShape = five(p.in_shape, 1), begin = five(p.begin, 0), steps = five(p.stride, 1), outShape = five(p.out_shape, 1)
        var inStride = [Int](repeating: 1, count: 5)
        for k in stride(from: 3, through: 0, by: -1) { inStride[k] = inStride[k + 1] * inShape[k + 1] }
        var last = 5, run = 0
        if steps[4] == 1 {
            (last, run) = (4, outShape[4] * eb)
            while last > 0 && begin[last] == 0 && outShape[last] == inShape[last] && steps[last - 1] == 1 {
                last -= 1
                run *= outShape[last]
            }
        }
        if run == 0 && last < 5 { return [] }
        var copies: [CostFeatures.MemcpyCall] = [], dst = 0
        func walk(_ axis: Int, _ offset: Int) {
            if axis == 4 {
                if last < 5 {
                    copies.append(((offset + begin[4]) * eb, dst, run)); dst += run
                } else {
                    for i in 0..<outShape[4] { copies.append(((offset + begin[4] + i * steps[4]) * eb, dst, eb)); dst += eb }
                }
                return
            }
            for i in 0..<(axis < last ? outShape[axis] : 1) { walk(axis + 1, offset + (begin[axis] + i * steps[axis]) * inStride[axis]) }
        }
        walk(0, 0)
        return copies
    }
}
