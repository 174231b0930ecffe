extension Graph {
    /// Data-flow checks: every computed input exists before it is read.
    func check(file: String) throws {
        var available = Set(inputs)
        for t in tensors where t.isConstant { available.insert(t.index) }
        for t in inputs + outputs where t < 0 || t >= tensors.count {
            throw GraphError.invalid(file: file, location: "subgraph 0 inputs/outputs", expected: "tensor indices in 0..<\(tensors.count), got \(t)")
        }
        for op in operators {
            for t in op.inputs where t >= 0 && !available.contains(t) {
                throw GraphError.invalid(file: file, location: "operator \(op.index) (\(op.name)) input tensor \(t)",
                                         expected: "a constant, a model input or the output of an earlier operator")
            }
            available.formUnion(op.outputs)
        }
        for t in outputs where !available.contains(t) {
            throw GraphError.invalid(file: file, location: "model output tensor \(t)", expected: "a tensor some operator computes")
        }
    }
}
