// Relu.swift: RELU as an operator of its own (not fused into the layer before it), int8:
// Firmware/kernels/hk_relu_s8.c. Arm's MicroNet and DS-CNN keyword-spotting models (ML-Zoo,
// run by Arm's ML embedded evaluation kit, which registers RELU for them) carry it.

import HarkenRuntime

extension BuiltinOp {
    public static let relu = BuiltinOp(19, "RELU")
}

struct Relu: KernelOperator {
    var params: hk_relu_params_t

    // Version 2 is int8 (3 is int16, which Harken does not run).
    static let reads: [BuiltinOp: Int32] = [.relu: 2]
    static let writes: [BuiltinOp: TFLiteForm] = [.relu: TFLiteForm(options: 0, version: 2)]
    static let symbols = ["hk_relu_s8"]

    static func lower(_ op: Operator, _ builtin: BuiltinOp, _ l: Lowerer) throws -> PendingStep {
        let (x, y) = try l.unary(op)
        try l.requireType(op, x, [.int8], "input")
        try l.requireType(op, y, [.int8], "output")
        guard l.tensor(x).elementCount == l.tensor(y).elementCount else { throw l.fail(op, "an output of the input's size") }
        let (qx, qy) = (try l.quant(op, x, "input"), try l.quant(op, y, "output"))
        let m = QuantizedMultiplier(Double(qx.scale) / Double(qy.scale))
        // TFLite's clamp: from the output's quantized 0 (its zero point) up.
        guard let (lo, hi) = activationRange(1, scale: qy.scale, zeroPoint: qy.zeroPoint, type: .int8) else {
            throw l.fail(op, "a RELU clamp")
        }
        let p = hk_relu_params_t(size: Int32(l.tensor(x).elementCount), input_zero_point: qx.zeroPoint,
                                 output_zero_point: qy.zeroPoint, mult: m.multiplier, shift: m.shift, act_min: lo, act_max: hi)
        return PendingStep(op: op, kernel: Kernel(Relu(params: p)), inputs: [x], outputs: [y], macs: 0)
    }

    func function(_ variant: KernelVariant) -> String { "hk_relu_s8" }

    func bind(_ h: HostCall) -> () -> Void { h.unary(params, hk_relu_s8) }

    func emit(_ c: inout CCall) {
        c.params("hk_relu_params_t", params)
        c.call(c.input(0), c.output(0))
    }

    func costFeatures(macs: Int) -> CostFeatures { .elementwise(params.size) }
}
