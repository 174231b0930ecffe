// Pad.swift: PAD, int8, filling with the output zero point: Firmware/kernels/hk_pad_s8.c.

import HarkenRuntime

extension BuiltinOp {
    public static let pad = BuiltinOp(34, "PAD")
}

struct Pad: KernelOperator {
    var params: hk_pad_params_t

    static let reads: [BuiltinOp: Int32] = [.pad: 2]
    static let symbols = ["hk_pad_s8"]

    static func lower(_ op: Operator, _ builtin: BuiltinOp, _ l: Lowerer) throws -> PendingStep {
        guard op.inputs.count == 2 || op.inputs.count == 3, op.outputs.count == 1 else { throw l.fail(op, "input, paddings and one output") }
        let (x, y) = (op.inputs[0], op.outputs[0])
        try l.requireType(op, x, [.int8], "input")
        try l.sameQuantization(op, [x, y])
        let xs = l.tensor(x).shape, ys = l.tensor(y).shape
        guard xs.count <= 4, ys.count == xs.count else { throw l.fail(op, "input and output of the same rank, at most 4") }
        let pads = try l.constantInts(op, op.inputs[1], "paddings")
        guard pads.count == 2 * xs.count, pads.allSatisfy({ $0 >= 0 }) else { throw l.fail(op, "\(xs.count) pairs of non-negative paddings") }
        for i in xs.indices where ys[i] != xs[i] + pads[2 * i] + pads[2 * i + 1] {
            throw l.fail(op, "output dimension \(i) of \(xs[i] + pads[2 * i] + pads[2 * i + 1]), got \(ys[i])")
        }
        let before = [Int](repeating: 0, count: 4 - xs.count) + stride(from: 0, to: pads.count, by: 2).map { pads[$0] }
        let q = try l.quant(op, y, "output")
        let p = hk_pad_params_t(input: l.shape4(xs), output: l.shape4(ys),
                                before: (Int32(before[0]), Int32(before[1]), Int32(before[2]), Int32(before[3])), pad_value: q.zeroPoint)
        return PendingStep(op: op, kernel: Kernel(Pad(params: p)), inputs: [x], outputs: [y], macs: 0)
    }

    func function(_ variant: KernelVariant) -> String { "hk_pad_s8" }

    func bind(_ h: HostCall) -> () -> Void { h.unary(params, hk_pad_s8) }

    func emit(_ c: inout CCall) {
        c.params("hk_pad_params_t", params)
        c.call(c.input(0), c.output(0))
    }

    func costFeatures(macs: Int) -> CostFeatures {
        CostFeatures(macs: 0, outputs: params.output.elements, moved: params.input.elements)
    }
}
