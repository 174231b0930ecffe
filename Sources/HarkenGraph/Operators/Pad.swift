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
        // A memset of the output, then a memcpy of each input pixel's channels to its place.
        let copies = self.copies
        return CostFeatures(macs: 0, outputs: params.output.elements, moved: params.input.elements,
                            tail: CostFeatures.misalignedBytes(copies), runs: Double(copies.count))
    }

    /// hk_pad_s8's memcpy calls, one per input pixel.
    var copies: [CostFeatures.MemcpyCall] {
        let p = params, i = p.input, o = p.output, before = [p.before.0, p.before.1, p.before.2, p.before.3].map(Int.init)
        var copies: [CostFeatures.MemcpyCall] = []
        for n in 0..<Int(i.n) {
            for h in 0..<Int(i.h) {
                for w in 0..<Int(i.w) {
                    let src = ((n * Int(i.h) + h) * Int(i.w) + w) * Int(i.c)
                    let dst = (((n + before[0]) * Int(o.h) + h + before[1]) * Int(o.w) + w + before[2]) * Int(o.c) + before[3]
                    copies.append((src, dst, Int(i.c)))
                }
            }
        }
        return copies
    }
}
