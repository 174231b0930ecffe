// HardSwish.swift: HARD_SWISH, int8, TFLite's 16-bit fixed-point reference:
// Firmware/kernels/hk_hard_swish_s8.c, looked up on the devices (ElementTable).

import HarkenRuntime

extension BuiltinOp {
    public static let hardSwish = BuiltinOp(117, "HARD_SWISH")
}

struct HardSwish: KernelOperator {
    var params: hk_hard_swish_params_t
    var table: ElementTable

    static let reads: [BuiltinOp: Int32] = [.hardSwish: 1]
    static let writes: [BuiltinOp: TFLiteForm] = [.hardSwish: TFLiteForm(options: 91, version: 1)]
    static let symbols = ["hk_hard_swish_s8"]

    static func lower(_ op: Operator, _ builtin: BuiltinOp, _ l: Lowerer) throws -> PendingStep {
        let (x, y) = try l.unary(op)
        try l.requireType(op, x, [.int8], "input")
        try l.requireType(op, y, [.int8], "output")
        let (qx, qy) = (try l.quant(op, x, "input"), try l.quant(op, y, "output"))
        let hires = Double(qx.scale) / 128
        // TFLite's DownScaleInt32ToInt16Multiplier: a Q31 multiplier rounded to Q15.
        func q15(_ m: QuantizedMultiplier) -> Int32 {
            Int64(m.multiplier) >= Int64(Int32.max) - (1 << 15) ? 32767 : (m.multiplier + (1 << 15)) >> 16
        }
        let out = QuantizedMultiplier(hires / Double(qy.scale)), relu = QuantizedMultiplier(hires / (3.0 / 32768))
        let p = hk_hard_swish_params_t(size: Int32(l.tensor(x).elementCount), input_zero_point: qx.zeroPoint,
                                       output_zero_point: qy.zeroPoint, reluish_mult: q15(relu), reluish_exponent: relu.shift,
                                       output_mult: q15(out), output_exponent: out.shift)
        let table = ElementTable(p, size: \.size, kernel: hk_hard_swish_s8)
        return PendingStep(op: op, kernel: Kernel(HardSwish(params: p, table: table)), inputs: [x], outputs: [y], macs: 0)
    }

    func function(_ variant: KernelVariant) -> String { ElementTable.function(variant, reference: "hk_hard_swish_s8") }

    func bind(_ h: HostCall) -> () -> Void { table.bind(h, reference: params, hk_hard_swish_s8) }

    func emit(_ c: inout CCall) { table.emit(&c, reference: params, type: "hk_hard_swish_params_t") }

    func costFeatures(macs: Int) -> CostFeatures { .elementwise(params.size) }

    func flashReads(variant: KernelVariant, cacheBytes: Int) -> Double? { table.flashReads(variant) }
}
