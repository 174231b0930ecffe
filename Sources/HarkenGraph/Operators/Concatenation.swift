// Concatenation.swift: CONCATENATION with one quantization on every side, a byte copy:
// Firmware/kernels/hk_concat.c.

import HarkenRuntime

extension BuiltinOp {
    public static let concatenation = BuiltinOp(2, "CONCATENATION")
}

struct Concatenation: KernelOperator, @unchecked Sendable {
    var params: hk_concat_params_t
    /// Each input's share of a row (params.part_bytes points at these).
    var partBytes: [Int32]

    static let reads: [BuiltinOp: Int32] = [.concatenation: 3]
    static let writes: [BuiltinOp: TFLiteForm] = [.concatenation: TFLiteForm(options: 10, version: 2)]
    static let symbols = ["hk_concat"]

    static func lower(_ op: Operator, _ builtin: BuiltinOp, _ l: Lowerer) throws -> PendingStep {
        guard !op.inputs.isEmpty, op.outputs.count == 1 else { throw l.fail(op, "inputs and one output") }
        guard op.options.activation == 0 else { throw l.fail(op, "no fused activation") }
        try l.sameQuantization(op, op.inputs + op.outputs)
        let (p, parts) = try l.rowSplit(op, parts: op.inputs, whole: op.outputs[0], axis: Int(op.options.axis))
        return PendingStep(op: op, kernel: Kernel(Concatenation(params: p, partBytes: parts)), inputs: op.inputs, outputs: op.outputs, macs: 0)
    }

    func function(_ variant: KernelVariant) -> String { "hk_concat" }

    func bind(_ h: HostCall) -> () -> Void {
        var c = params
        c.part_bytes = h.keep(array: partBytes)
        let p = h.keep(c)
        let inputs = h.list(h.inputs.map { UnsafeRawPointer($0!) as UnsafeRawPointer? })
        let y = h.outputs[0]
        return { hk_concat(p, inputs, y) }
    }

    func emit(_ c: inout CCall) {
        let parts = c.int32s("parts", partBytes)
        c.declare("static const void *const \(c.id)_in[\(c.inputs.count)] = { \(c.rawInputs.joined(separator: ", ")) };\n")
        c.params("hk_concat_params_t", params, pointers: [parts])
        c.call("\(c.id)_in", c.raw(output: 0))
    }

    /// Concatenation and split copy every row of every part once.
    func costFeatures(macs: Int) -> CostFeatures {
        .rowCopies(params, partBytes: partBytes, concatenating: true)
    }
}
