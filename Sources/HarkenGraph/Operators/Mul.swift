// Mul.swift: MUL, int8, with 4-D broadcasting: Firmware/kernels/hk_mul_s8.c.

import HarkenRuntime

extension BuiltinOp {
    public static let mul = BuiltinOp(18, "MUL")
}

struct Mul: KernelOperator {
    var params: hk_mul_params_t

    static let reads: [BuiltinOp: Int32] = [.mul: 4]
    static let writes: [BuiltinOp: TFLiteForm] = [.mul: TFLiteForm(options: 21, version: 2)]
    static let symbols = ["hk_mul_s8"]

    static func lower(_ op: Operator, _ builtin: BuiltinOp, _ l: Lowerer) throws -> PendingStep {
        let (a, b, y, qa, qb, qy, lo, hi) = try l.binary(op)
        let (sa, sb, sy) = try l.broadcastShapes(op, a, b, y)
        let m = QuantizedMultiplier(Double(qa.scale) * Double(qb.scale) / Double(qy.scale))
        let p = hk_mul_params_t(input1: sa, input2: sb, output: sy, input1_offset: -qa.zeroPoint, input2_offset: -qb.zeroPoint,
                                output_offset: qy.zeroPoint, output_mult: m.multiplier, output_shift: m.shift, act_min: lo, act_max: hi)
        return PendingStep(op: op, kernel: Kernel(Mul(params: p)), inputs: [a, b], outputs: [y], macs: l.tensor(y).elementCount)
    }

    func function(_ variant: KernelVariant) -> String { "hk_mul_s8" }

    func bind(_ h: HostCall) -> () -> Void { h.binary(params, hk_mul_s8) }

    func emit(_ c: inout CCall) {
        c.params("hk_mul_params_t", params)
        c.call(c.input(0), c.input(1), c.output(0))
    }

    func costFeatures(macs: Int) -> CostFeatures {
        // Outputs computed, and both inputs' own sizes: a broadcast input (one value per channel, as a
        // squeeze-and-excitation gate) costs less than a full one, which the output count alone hides.
        CostFeatures(macs: params.output.elements, outputs: params.output.elements, moved: params.input1.elements + params.input2.elements)
    }
}
