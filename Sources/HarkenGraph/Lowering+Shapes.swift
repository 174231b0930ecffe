// Lowering+Shapes.swift: the geometry operator families share: 4-D shapes, TFLite's SAME/VALID
// padding, broadcasting, and the row view of concatenation and split.

import HarkenRuntime

extension Lowerer {
    /// A shape right-aligned into NHWC (missing leading dimensions are 1).
    func shape4(_ s: [Int]) -> hk_shape4_t {
        let p = [Int](repeating: 1, count: max(0, 4 - s.count)) + s.suffix(4)
        return hk_shape4_t(n: Int32(p[0]), h: Int32(p[1]), w: Int32(p[2]), c: Int32(p[3]))
    }

    /// TFLite's SAME/VALID arithmetic: output size and top/left padding.
    func padding(_ op: Operator, in size: Int, filter: Int, stride: Int, dilation: Int) throws -> (Int, Int) {
        let effective = (filter - 1) * dilation + 1
        let out: Int
        switch op.options.padding {
        case 0: out = (size + stride - 1) / stride
        case 1: out = (size - effective + stride) / stride
        default: throw fail(op, "padding SAME or VALID, got \(op.options.padding)")
        }
        let pad = max(((out - 1) * stride + effective - size) / 2, 0)
        return (pad, out)
    }

    /// Right-aligned 4-D broadcasting: each input dimension equals the output's or is 1.
    func broadcastShapes(_ op: Operator, _ a: Int, _ b: Int, _ y: Int) throws -> (hk_shape4_t, hk_shape4_t, hk_shape4_t) {
        let (sa, sb, sy) = (tensor(a).shape, tensor(b).shape, tensor(y).shape)
        guard sa.count <= 4, sb.count <= 4, sy.count <= 4 else { throw fail(op, "shapes of rank at most 4") }
        let (pa, pb, py) = (shape4(sa), shape4(sb), shape4(sy))
        for (da, db, dy) in [(pa.n, pb.n, py.n), (pa.h, pb.h, py.h), (pa.w, pb.w, py.w), (pa.c, pb.c, py.c)] {
            guard (da == dy || da == 1), (db == dy || db == 1), dy == max(da, db) else {
                throw fail(op, "broadcast-compatible shapes \(sa) and \(sb) giving \(sy)")
            }
        }
        return (pa, pb, py)
    }

    /// `whole` viewed as [outer][row], each row the parts' slices along `axis` side by side
    /// (CONCATENATION's inputs, SPLIT's outputs).
    func rowSplit(_ op: Operator, parts: [Int], whole: Int, axis rawAxis: Int) throws -> (hk_concat_params_t, [Int32]) {
        let shape = tensor(whole).shape
        let axis = rawAxis < 0 ? rawAxis + shape.count : rawAxis
        guard axis >= 0, axis < shape.count else { throw fail(op, "an axis in -\(shape.count)..<\(shape.count), got \(rawAxis)") }
        let outer = shape[..<axis].reduce(1, *)
        let size = tensor(whole).type.byteSize
        var partBytes: [Int32] = []
        var total = 0
        for p in parts {
            let s = tensor(p).shape
            guard s.count == shape.count, zip(s, shape).enumerated().allSatisfy({ $0.offset == axis || $0.element.0 == $0.element.1 }) else {
                throw fail(op, "parts of shape \(shape) except along axis \(axis), got \(s)")
            }
            let bytes = s[axis...].reduce(1, *) * size
            partBytes.append(Int32(bytes))
            total += s[axis]
        }
        guard total == shape[axis] else { throw fail(op, "parts summing to \(shape[axis]) along axis \(axis), got \(total)") }
        let p = hk_concat_params_t(outer: Int32(outer), n_parts: Int32(parts.count), part_bytes: nil,
                                   row_bytes: partBytes.reduce(0, +))
        return (p, partBytes)
    }
}
