// ScalarWeights.swift: a filter and its bias as the scalar-core matrix kernels read them
// (Firmware/kernels/hk_conv2d_tiles_s8_scalar.c, hk_fully_connected_s8_scalar.c): the filter in
// FULLY_CONNECTED's packed layout with each byte plus 128, the bias with the filter rows' sums folded
// in (hk_kernels.h, hk_scalar_impl.h say why), both made once at lowering by the C that defines them.

import HarkenRuntime

struct ScalarWeights: Sendable {
    /// hk_scalar_pack_weights' bytes.
    var packed: [UInt8]
    /// hk_scalar_fold_bias' values, one per row (output channel).
    var folded: [Int32]

    /// `weights` as [rows][depth] int8 bytes and `bias` as rows little-endian int32 values (nil: no
    /// bias); nil when the kernels cannot take them (a window deeper than `maxDepth`, their stack).
    static func make(_ weights: [UInt8]?, bias: [UInt8]?, depth: Int, rows: Int, maxDepth: Int32) -> ScalarWeights? {
        guard let weights, depth > 0, depth <= Int(maxDepth), weights.count == rows * depth else { return nil }
        var packed = [UInt8](repeating: 0, count: weights.count)
        var folded = [Int32](repeating: 0, count: rows)
        let biasValues: [Int32]? = bias.flatMap { b in
            b.count == 4 * rows ? (0..<rows).map { i in
                Int32(bitPattern: UInt32(b[4 * i]) | UInt32(b[4 * i + 1]) << 8 | UInt32(b[4 * i + 2]) << 16 | UInt32(b[4 * i + 3]) << 24)
            } : nil
        }
        if bias != nil && biasValues == nil { return nil }
        weights.withUnsafeBytes { raw in
            let w = raw.bindMemory(to: Int8.self).baseAddress
            packed.withUnsafeMutableBufferPointer { hk_scalar_pack_weights(Int32(depth), Int32(rows), w, $0.baseAddress) }
            folded.withUnsafeMutableBufferPointer { f in
                if let biasValues {
                    biasValues.withUnsafeBufferPointer { hk_scalar_fold_bias(Int32(depth), Int32(rows), w, $0.baseAddress, f.baseAddress) }
                } else {
                    hk_scalar_fold_bias(Int32(depth), Int32(rows), w, nil, f.baseAddress)
                }
            }
        }
        return ScalarWeights(packed: packed, folded: folded)
    }
}
