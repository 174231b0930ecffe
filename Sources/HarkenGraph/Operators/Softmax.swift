// Softmax.swift: SOFTMAX over the last dimension, int8 in, int8 out with scale 1/256 and zero
// point -128: Firmware/kernels/hk_softmax_s8.c.

import HarkenRuntime

extension BuiltinOp {
    public static let softmax = BuiltinOp(25, "SOFTMAX")
}

struct Softmax: KernelOperator {
    var params: hk_softmax_params_t

    static let reads: [BuiltinOp: Int32] = [.softmax: 2]
    static let writes: [BuiltinOp: TFLiteForm] = [.softmax: TFLiteForm(options: 9, version: 2)]
    static let symbols = ["hk_softmax_s8"]

    static func lower(_ op: Operator, _ builtin: BuiltinOp, _ l: Lowerer) throws -> PendingStep {
        let (x, y) = try l.unary(op)
        try l.requireType(op, x, [.int8], "input")
        try l.requireType(op, y, [.int8], "output")
        let (qx, qy) = (try l.quant(op, x, "input"), try l.quant(op, y, "output"))
        guard qy.zeroPoint == -128, qy.scale == 1.0 / 256 else { throw l.fail(op, "output scale 1/256 and zero point -128") }
        let depth = l.tensor(x).shape.last ?? 1
        guard depth > 0 else { throw l.fail(op, "a non-empty last dimension") }
        let real = min(Double(op.options.beta) * Double(qx.scale) * Double(1 << 26), Double(Int32.max))
        let m = QuantizedMultiplier(real)
        guard m.shift >= 0, m.shift < 31 else { throw l.fail(op, "beta * input scale giving a left shift in 0..<31") }
        let diffMin = -Int32((31.0 * Double(1 << 26) / Double(Int64(1) << Int64(m.shift))).rounded(.down))
        let p = hk_softmax_params_t(outer: Int32(l.tensor(x).elementCount / depth), depth: Int32(depth),
                                    input_mult: m.multiplier, input_left_shift: m.shift, diff_min: diffMin)
        return PendingStep(op: op, kernel: Kernel(Softmax(params: p)), inputs: [x], outputs: [y], macs: 0)
    }

    func function(_ variant: KernelVariant) -> String { "hk_softmax_s8" }

    func bind(_ h: HostCall) -> () -> Void { h.unary(params, hk_softmax_s8) }

    func emit(_ c: inout CCall) {
        c.params("hk_softmax_params_t", params)
        c.call(c.input(0), c.output(0))
    }

    func costFeatures(macs: Int) -> CostFeatures {
        // Per row a maximum, a sum's reciprocal (Newton steps on 64-bit products) and the leading-zero count.
        CostFeatures(macs: 0, outputs: Double(params.outer * params.depth), moved: Double(params.outer * params.depth),
                     runs: Double(params.outer))
    }
}
