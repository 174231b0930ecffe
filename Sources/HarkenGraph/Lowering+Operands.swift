// Lowering+Operands.swift: the operand checks operator families share: types, quantization,
// constant integer inputs, and the error that names the operator.

import HarkenRuntime

extension Lowerer {
    func fail(_ op: Operator, _ expected: String) -> GraphError {
        .invalid(file: file, location: "operator \(op.index) (\(op.name))", expected: expected)
    }

    func tensor(_ i: Int) -> Tensor { graph.tensors[i] }

    /// The tensor's quantization. Its zero point lies in the element type's range, so an int8
    /// value plus its negated zero point stays within [-255, 255] (the premise of the
    /// accumulator bound in hk_kernels.h).
    func quant(_ op: Operator, _ i: Int, _ role: String) throws -> Quantization {
        guard let q = tensor(i).quantization else {
            throw fail(op, "\(role) tensor \(i) to be quantized")
        }
        let range: ClosedRange<Int64>? = switch tensor(i).type {
        case .int8: -128...127
        case .uint8: 0...255
        case .int16: -32768...32767
        default: nil
        }
        if let range, let bad = q.zeroPoints.first(where: { !range.contains($0) }) {
            throw fail(op, "\(role) tensor \(i) zero point within \(tensor(i).type.rawValue)'s range \(range.lowerBound)...\(range.upperBound), got \(bad)")
        }
        return q
    }

    func requireType(_ op: Operator, _ i: Int, _ types: Set<ElementType>, _ role: String) throws {
        let t = tensor(i)
        guard types.contains(t.type) else {
            throw fail(op, "\(role) tensor \(i) of type \(types.map(\.rawValue).sorted().joined(separator: " or ")), got \(t.type.rawValue)")
        }
    }

    /// One input and one output (or `count` inputs, the first the data).
    func unary(_ op: Operator, inputs count: Int = 1) throws -> (Int, Int) {
        guard op.inputs.count == count, op.outputs.count == 1 else { throw fail(op, "\(count) input(s) and one output") }
        return (op.inputs[0], op.outputs[0])
    }

    /// Two int8 inputs and an int8 output, their quantization and the fused activation's clamp.
    func binary(_ op: Operator) throws -> (Int, Int, Int, Quantization, Quantization, Quantization, Int32, Int32) {
        guard op.inputs.count == 2, op.outputs.count == 1 else { throw fail(op, "two inputs and one output") }
        let (a, b, y) = (op.inputs[0], op.inputs[1], op.outputs[0])
        for (t, role) in [(a, "input 1"), (b, "input 2"), (y, "output")] { try requireType(op, t, [.int8], role) }
        let (qa, qb, qy) = (try quant(op, a, "input 1"), try quant(op, b, "input 2"), try quant(op, y, "output"))
        guard let (lo, hi) = activationRange(op.options.activation, scale: qy.scale, zeroPoint: qy.zeroPoint, type: .int8) else {
            throw fail(op, "fused activation NONE, RELU, RELU_N1_TO_1 or RELU6")
        }
        return (a, b, y, qa, qb, qy, lo, hi)
    }

    /// Operators that move bytes only: every side must share one type and one quantization.
    func sameQuantization(_ op: Operator, _ tensors: [Int]) throws {
        let qs = tensors.map { tensor($0).quantization }
        let types = Set(tensors.map { tensor($0).type })
        guard types.count == 1 else { throw fail(op, "one element type on every input and output") }
        for q in qs where q?.scales != qs[0]?.scales || q?.zeroPoints != qs[0]?.zeroPoints {
            throw fail(op, "the same scale and zero point on every input and output (requantizing concatenation is not supported)")
        }
    }

    /// The values of a constant int32 or int64 tensor (axes, paddings, slice bounds).
    func constantInts(_ op: Operator, _ i: Int, _ role: String) throws -> [Int] {
        let t = tensor(i)
        guard let data = t.data, t.type == .int32 || t.type == .int64 else { throw fail(op, "a constant integer \(role) tensor") }
        if t.type == .int64 {
            return stride(from: 0, to: data.count, by: 8).map { o in
                Int(data[o..<o + 8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
            }
        }
        return stride(from: 0, to: data.count, by: 4).map { o in
            Int(Int32(bitPattern: UInt32(data[o]) | UInt32(data[o + 1]) << 8 | UInt32(data[o + 2]) << 16 | UInt32(data[o + 3]) << 24))
        }
    }

    /// The runtime's element type code (HK_TYPE_*).
    func runtimeType(_ t: ElementType) -> Int {
        switch t {
        case .int8: return Int(HK_TYPE_INT8)
        case .uint8: return Int(HK_TYPE_UINT8)
        case .float32: return Int(HK_TYPE_FLOAT32)
        case .int16: return Int(HK_TYPE_INT16)
        default: return Int(HK_TYPE_INT32)
        }
    }
}
