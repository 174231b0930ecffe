// Dequantize.swift: DEQUANTIZE, int8 / uint8 / int16 to float32: Firmware/kernels/hk_dequantize.c.

import HarkenRuntime

extension BuiltinOp {
    public static let dequantize = BuiltinOp(6, "DEQUANTIZE")
}

struct Dequantize: KernelOperator {
    var params: hk_dequantize_params_t

    static let reads: [BuiltinOp: Int32] = [.dequantize: 3]
    static let symbols = ["hk_dequantize"]

    static func lower(_ op: Operator, _ builtin: BuiltinOp, _ l: Lowerer) throws -> PendingStep {
        let (x, y) = try l.unary(op)
        try l.requireType(op, x, [.int8, .uint8, .int16], "input")
        try l.requireType(op, y, [.float32], "output")
        let q = try l.quant(op, x, "input")
        let p = hk_dequantize_params_t(size: Int32(l.tensor(x).elementCount), in_type: Int32(l.runtimeType(l.tensor(x).type)),
                                       zero_point: q.zeroPoint, scale: q.scale)
        return PendingStep(op: op, kernel: Kernel(Dequantize(params: p)), inputs: [x], outputs: [y], macs: 0)
    }

    func function(_ variant: KernelVariant) -> String { "hk_dequantize" }

    func bind(_ h: HostCall) -> () -> Void {
        let p = h.keep(params)
        let (x, y) = (h.inputs[0]!, h.outputs[0].assumingMemoryBound(to: Float.self))
        return { hk_dequantize(p, x, y) }
    }

    func emit(_ c: inout CCall) {
        c.params("hk_dequantize_params_t", params)
        c.call(c.raw(input: 0), c.output(0, "float"))
    }

    func costFeatures(macs: Int) -> CostFeatures { .elementwise(params.size) }
}
