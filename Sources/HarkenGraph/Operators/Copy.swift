// Copy.swift: RESHAPE, and the streaming state's reads and writes (Lowering.swift), as a byte
// copy (memmove) that the memory planner removes wherever the output can alias the input.

import Foundation
import HarkenRuntime

extension BuiltinOp {
    public static let reshape = BuiltinOp(22, "RESHAPE")
}

struct Copy: KernelOperator {
    var bytes: Int

    static let reads: [BuiltinOp: Int32] = [.reshape: 1]
    // The shape comes from the second input: no options.
    static let writes: [BuiltinOp: TFLiteForm] = [.reshape: TFLiteForm(options: 0, version: 1)]
    static let symbols: [String] = []   // the C library's

    static func lower(_ op: Operator, _ builtin: BuiltinOp, _ l: Lowerer) throws -> PendingStep {
        guard !op.inputs.isEmpty, op.outputs.count == 1 else { throw l.fail(op, "an input and one output") }
        let x = op.inputs[0], y = op.outputs[0]
        guard l.tensor(x).byteCount == l.tensor(y).byteCount, l.tensor(x).type == l.tensor(y).type else {
            throw l.fail(op, "an output of the same type and size as the input")
        }
        return PendingStep(op: op, kernel: Kernel(Copy(bytes: l.tensor(x).byteCount)), inputs: [x], outputs: [y], macs: 0,
                           aliasesInput: true)
    }

    /// The cost model's name for it (its coefficients are keyed by it).
    func function(_ variant: KernelVariant) -> String { "memcpy" }

    func bind(_ h: HostCall) -> () -> Void {
        let (x, y, bytes) = (h.inputs[0]!, h.outputs[0], bytes)
        return { if x != y { memmove(y, x, bytes) } }
    }

    func emit(_ c: inout CCall) {
        c.statement("memmove(\(c.raw(output: 0)), \(c.raw(input: 0)), \(bytes));")
    }

    func costFeatures(macs: Int) -> CostFeatures { CostFeatures(macs: 0, outputs: 0, moved: Double(bytes)) }
}
