// Mean.swift: MEAN, int8, over one contiguous run of axes: Firmware/kernels/hk_mean_s8.c.

import HarkenRuntime

extension BuiltinOp {
    public static let mean = BuiltinOp(40, "MEAN")
}

struct Mean: KernelOperator {
    var params: hk_mean_params_t

    static let reads: [BuiltinOp: Int32] = [.mean: 2]
    static let writes: [BuiltinOp: TFLiteForm] = [.mean: TFLiteForm(options: 27, version: 2)]
    static let symbols = ["hk_mean_s8"]

    static func lower(_ op: Operator, _ builtin: BuiltinOp, _ l: Lowerer) throws -> PendingStep {
        let (x, y) = try l.unary(op, inputs: 2)
        try l.requireType(op, x, [.int8], "input")
        try l.requireType(op, y, [.int8], "output")
        let shape = l.tensor(x).shape
        let axes = Set(try l.constantInts(op, op.inputs[1], "axes").map { $0 < 0 ? $0 + shape.count : $0 })
        guard let first = axes.min(), let last = axes.max(), first >= 0, last < shape.count, axes.count == last - first + 1 else {
            throw l.fail(op, "reduction axes forming one contiguous run inside rank \(shape.count)")
        }
        let outer = shape[..<first].reduce(1, *), reduce = shape[first...last].reduce(1, *), inner = shape[(last + 1)...].reduce(1, *)
        guard reduce > 0, reduce < 1 << 23, l.tensor(y).elementCount == outer * inner else { throw l.fail(op, "an output of \(outer * inner) elements") }
        let (qx, qy) = (try l.quant(op, x, "input"), try l.quant(op, y, "output"))
        let m0 = QuantizedMultiplier(Double(qx.scale) / Double(qy.scale))
        // Fold 1/reduce into the multiplier, keeping as many bits as the shift allows.
        let k = min(Int.bitWidth - reduce.leadingZeroBitCount - 1, 32, 31 + Int(m0.shift))
        let mult = (Int64(m0.multiplier) << Int64(k)) / Int64(reduce)
        guard k >= 0, mult <= Int64(Int32.max) else { throw l.fail(op, "a representable mean multiplier") }
        let p = hk_mean_params_t(outer: Int32(outer), reduce: Int32(reduce), inner: Int32(inner), input_zero_point: qx.zeroPoint,
                                 output_zero_point: qy.zeroPoint, mult: Int32(mult), shift: m0.shift - Int32(k))
        return PendingStep(op: op, kernel: Kernel(Mean(params: p)), inputs: [x], outputs: [y], macs: l.tensor(x).elementCount)
    }

    func function(_ variant: KernelVariant) -> String { "hk_mean_s8" }

    func bind(_ h: HostCall) -> () -> Void { h.unary(params, hk_mean_s8) }

    func emit(_ c: inout CCall) {
        c.params("hk_mean_params_t", params)
        c.call(c.input(0), c.output(0))
    }

    func costFeatures(macs: Int) -> CostFeatures {
        CostFeatures(macs: 0, outputs: Double(params.outer * params.inner), moved: Double(params.outer * params.reduce * params.inner))
    }
}
