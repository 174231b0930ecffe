// Split.swift: SPLIT and SPLIT_V with one quantization on every side, a byte copy:
// Firmware/kernels/hk_split.c (CONCATENATION's row view, the other way round).

import HarkenRuntime

extension BuiltinOp {
    public static let split = BuiltinOp(49, "SPLIT")
    public static let splitV = BuiltinOp(102, "SPLIT_V")
}

struct Split: KernelOperator, @unchecked Sendable {
    var params: hk_concat_params_t
    /// Each output's share of a row (params.part_bytes points at these).
    var partBytes: [Int32]

    static let reads: [BuiltinOp: Int32] = [.split: 3, .splitV: 2]
    static let symbols = ["hk_split"]

    static func lower(_ op: Operator, _ builtin: BuiltinOp, _ l: Lowerer) throws -> PendingStep {
        let v = builtin == .splitV
        guard op.inputs.count == (v ? 3 : 2), !op.outputs.isEmpty else { throw l.fail(op, v ? "input, size_splits and axis" : "axis and input") }
        let input = v ? op.inputs[0] : op.inputs[1]
        let axisTensor = v ? op.inputs[2] : op.inputs[0]
        guard let axis = try l.constantInts(op, axisTensor, "axis").first else { throw l.fail(op, "a constant axis") }
        try l.sameQuantization(op, [input] + op.outputs)
        let (p, parts) = try l.rowSplit(op, parts: op.outputs, whole: input, axis: axis)
        return PendingStep(op: op, kernel: Kernel(Split(params: p, partBytes: parts)), inputs: [input], outputs: op.outputs, macs: 0)
    }

    func function(_ variant: KernelVariant) -> String { "hk_split" }

    func bind(_ h: HostCall) -> () -> Void {
        var c = params
        c.part_bytes = h.keep(array: partBytes)
        let p = h.keep(c)
        let outputs = h.list(h.outputs.map { $0 as UnsafeMutableRawPointer? })
        let x = h.inputs[0]!
        return { hk_split(p, x, outputs) }
    }

    func emit(_ c: inout CCall) {
        let parts = c.int32s("parts", partBytes)
        c.declare("static void *const \(c.id)_out[\(c.outputs.count)] = { \(c.rawOutputs.joined(separator: ", ")) };\n")
        c.params("hk_concat_params_t", params, pointers: [parts])
        c.call(c.raw(input: 0), "\(c.id)_out")
    }

    func costFeatures(macs: Int) -> CostFeatures {
        .rowCopies(params, partBytes: partBytes, concatenating: false)
    }
}
