// Add.swift: ADD, int8, TFLite's general rescaling with 4-D broadcasting: Firmware/kernels/hk_add_s8.c.

import HarkenRuntime

extension BuiltinOp {
    public static let add = BuiltinOp(0, "ADD")
}

struct Add: KernelOperator {
    var params: hk_add_params_t

    static let reads: [BuiltinOp: Int32] = [.add: 2]
    static let writes: [BuiltinOp: TFLiteForm] = [.add: TFLiteForm(options: 11, version: 2)]
    static let symbols = ["hk_add_s8"]

    static func lower(_ op: Operator, _ builtin: BuiltinOp, _ l: Lowerer) throws -> PendingStep {
        let (a, b, y, qa, qb, qy, lo, hi) = try l.binary(op)
        let (sa, sb, sy) = try l.broadcastShapes(op, a, b, y)
        let leftShift: Int32 = 20
        let twiceMax = 2 * max(Double(qa.scale), Double(qb.scale))
        let m1 = QuantizedMultiplier(Double(qa.scale) / twiceMax), m2 = QuantizedMultiplier(Double(qb.scale) / twiceMax)
        let mo = QuantizedMultiplier(twiceMax / (Double(1 << leftShift) * Double(qy.scale)))
        let p = hk_add_params_t(input1: sa, input2: sb, output: sy, input1_offset: -qa.zeroPoint, input2_offset: -qb.zeroPoint,
                                output_offset: qy.zeroPoint, left_shift: leftShift, input1_mult: m1.multiplier, input1_shift: m1.shift,
                                input2_mult: m2.multiplier, input2_shift: m2.shift, output_mult: mo.multiplier, output_shift: mo.shift,
                                act_min: lo, act_max: hi)
        return PendingStep(op: op, kernel: Kernel(Add(params: p)), inputs: [a, b], outputs: [y], macs: 0)
    }

    func function(_ variant: KernelVariant) -> String { "hk_add_s8" }

    func bind(_ h: HostCall) -> () -> Void { h.binary(params, hk_add_s8) }

    func emit(_ c: inout CCall) {
        c.params("hk_add_params_t", params)
        c.call(c.input(0), c.input(1), c.output(0))
    }

    func costFeatures(macs: Int) -> CostFeatures {
        // Outputs computed, and both inputs' own sizes: a broadcast input (one value per channel, as a
        // squeeze-and-excitation gate) costs less than a full one, which the output count alone hides.
        CostFeatures(macs: 0, outputs: params.output.elements, moved: params.input1.elements + params.input2.elements)
    }
}
