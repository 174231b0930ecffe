// Quantize.swift: QUANTIZE, integer requantization (int8 / uint8) and float to int8 / uint8:
// Firmware/kernels/hk_quantize.c.

import HarkenRuntime

extension BuiltinOp {
    public static let quantize = BuiltinOp(114, "QUANTIZE")
}

struct Quantize: KernelOperator {
    var params: hk_quantize_params_t

    static let reads: [BuiltinOp: Int32] = [.quantize: 2]
    static let writes: [BuiltinOp: TFLiteForm] = [.quantize: TFLiteForm(options: 89, version: 2)]
    static let symbols = ["hk_quantize"]

    static func lower(_ op: Operator, _ builtin: BuiltinOp, _ l: Lowerer) throws -> PendingStep {
        guard op.inputs.count == 1, op.outputs.count == 1 else { throw l.fail(op, "one input and one output") }
        let x = op.inputs[0], y = op.outputs[0]
        try l.requireType(op, x, [.int8, .uint8, .float32], "input")
        try l.requireType(op, y, [.int8, .uint8], "output")
        let qy = try l.quant(op, y, "output")
        var p = hk_quantize_params_t()
        p.size = Int32(l.tensor(x).elementCount)
        p.in_type = Int32(l.runtimeType(l.tensor(x).type))
        p.out_type = Int32(l.runtimeType(l.tensor(y).type))
        p.output_zero_point = qy.zeroPoint
        if l.tensor(x).type == .float32 {
            p.scale = qy.scale
        } else {
            let qx = try l.quant(op, x, "input")
            let m = QuantizedMultiplier(Double(qx.scale) / Double(qy.scale))
            p.input_zero_point = qx.zeroPoint
            p.mult = m.multiplier
            p.shift = m.shift
        }
        return PendingStep(op: op, kernel: Kernel(Quantize(params: p)), inputs: [x], outputs: [y], macs: 0)
    }

    func function(_ variant: KernelVariant) -> String { "hk_quantize" }

    func bind(_ h: HostCall) -> () -> Void {
        let p = h.keep(params)
        let (x, y) = (h.inputs[0]!, h.outputs[0])
        return { hk_quantize(p, x, y) }
    }

    func emit(_ c: inout CCall) {
        c.params("hk_quantize_params_t", params)
        c.call(c.raw(input: 0), c.raw(output: 0))
    }

    func costFeatures(macs: Int) -> CostFeatures { .elementwise(params.size) }
}
