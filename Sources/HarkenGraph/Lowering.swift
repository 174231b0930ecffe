// Lowering.swift: graph operators to kernel calls. Each operator family lowers itself
// (Operators/); this file walks the graph, asks the registry, lowers the state reads and writes
// the importer lifted out of the resource variables, and hands the calls to the memory planner.
// The checks and the geometry the families share are in Lowering+Operands.swift and
// Lowering+Shapes.swift.

import Foundation
import HarkenRuntime

extension Graph {
    /// Lowers the graph to kernel calls with resolved parameters and plans memory.
    public func lower(file: String = "<model>") throws -> Plan {
        try Lowerer(graph: self, file: file).run()
    }
}

/// A kernel call before memory planning: operands are still tensor indices.
struct PendingStep {
    var op: Operator
    var kernel: Kernel
    var inputs: [Int]     // -1 for an omitted optional operand
    var outputs: [Int]
    var macs: Int
    /// The output may share its input's bytes (a reshape): the planner aliases the two where
    /// it can, and the call disappears.
    var aliasesInput = false
}

struct Lowerer {
    let graph: Graph
    let file: String

    func run() throws -> Plan {
        var pending: [PendingStep] = []
        for op in graph.operators {
            pending.append(try lower(op))
        }
        return try MemoryPlanner(graph: graph, steps: pending, file: file).plan()
    }

    func lower(_ op: Operator) throws -> PendingStep {
        switch op.kind {
        case .readState(let v):
            // Reads are satisfied by aliasing or a copy; the planner decides.
            return PendingStep(op: op, kernel: Kernel(Copy(bytes: graph.variables[v].byteCount)), inputs: [], outputs: op.outputs, macs: 0)
        case .writeState(let v):
            return PendingStep(op: op, kernel: Kernel(Copy(bytes: graph.variables[v].byteCount)), inputs: op.inputs, outputs: [], macs: 0)
        case .builtin(let b):
            let family = Operators.byBuiltin[b]
            let optional = family?.optionalInputs ?? []
            for (i, t) in op.inputs.enumerated() where t < 0 && !optional.contains(i) {
                throw fail(op, "input \(i) to be a tensor, got \(t)")
            }
            guard let family else {
                throw GraphError.unsupportedOperator(file: file, op: b.name, version: op.version, operatorIndex: op.index)
            }
            return try family.lower(op, b, self)
        }
    }
}
