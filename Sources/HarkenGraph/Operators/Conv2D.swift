// Conv2D.swift: CONV_2D (grouped too) and DEPTHWISE_CONV_2D, int8 with per-channel weights:
// Firmware/kernels/hk_conv2d_s8.c and hk_dwconv2d_s8.c, and their Cortex-M DSP variants
// (hk_*_dsp.c, the same bytes; layers of two pixels or more take hk_conv2d_tiles_s8_dsp.c's 2 × 2 tiles,
// one-pixel layers the fully connected kernels) and their scalar-core variants (hk_*_scalar.c: tiles of one
// or two pixels by four channels on unsigned operands, the fully connected one, a planar 3×3 depthwise kernel).

import HarkenRuntime

extension BuiltinOp {
    public static let conv2d = BuiltinOp(3, "CONV_2D")
    public static let depthwiseConv2d = BuiltinOp(4, "DEPTHWISE_CONV_2D")
}

struct Conv2D: KernelOperator, @unchecked Sendable {
    var params: hk_conv_params_t
    var depthwise: Bool
    /// Requantization per output channel (params.out_mult / out_shift point at these).
    var mult: [Int32], shift: [Int32]

    static let reads: [BuiltinOp: Int32] = [.conv2d: 5, .depthwiseConv2d: 6]
    static let writes: [BuiltinOp: TFLiteForm] = [.conv2d: TFLiteForm(options: 1, version: 3),
                                                  .depthwiseConv2d: TFLiteForm(options: 2, version: 3)]
    static let optionalInputs: Set<Int> = [2]   // the bias
    static let symbols = ["hk_conv2d_s8", "hk_conv2d_s8_dsp", "hk_conv2d_1x1_s8_dsp", "hk_conv2d_im2col_s8_dsp", "hk_dwconv2d_s8", "hk_dwconv2d_s8_dsp",
                          "hk_dwconv2d_3x3_s8_dsp", "hk_dw3_fits", "hk_conv_pack_weights16",
                          "hk_conv2d_1x1_s8_scalar", "hk_conv2d_im2col_s8_scalar", "hk_dwconv2d_3x3_s8_scalar", "hk_dw3_scalar_fits"]

    /// A pointwise layer hk_conv2d_1x1_s8_dsp takes (hk_kernels.h): a 1×1 ungrouped filter at stride 1
    /// without padding and two pixels or more (its tiles are two pixels wide; a single pixel is a
    /// matrix-vector product, `gemv`); more input channels than HK_PW_MAX_IN in segments.
    var pointwise: Bool {
        let p = params
        return !depthwise && p.filter.h == 1 && p.filter.w == 1 && p.filter.c == p.input.c && p.stride_h == 1 && p.stride_w == 1
            && p.pad_h == 0 && p.pad_w == 0 && pixels >= 2
    }

    /// Any other ungrouped layer of two pixels or more whose window fits hk_conv2d_im2col_s8_dsp's stack
    /// (HK_PW_MAX_IN elements): gathered per pixel, then the pointwise kernel's tiles. Longer windows
    /// take hk_conv2d_s8_dsp, which stages them in blocks.
    var im2col: Bool {
        let p = params
        return !depthwise && !pointwise && !gemv && p.filter.c == p.input.c && pixels >= 2
            && window <= Int(HK_PW_MAX_IN)
    }

    var pixels: Int32 { params.output.n * params.output.h * params.output.w }
    /// An output's window: the multiply-accumulates per output of an ungrouped convolution.
    var window: Int { Int(params.filter.h) * Int(params.filter.w) * Int(params.input.c) }

    /// A depthwise layer hk_dwconv2d_3x3_s8_dsp takes (hk_dw3_fits: 3×3, depth multiplier 1, dilation 1,
    /// stride 1 or 2 along its plane's rows, three of those rows on the stack) with four pixels or more:
    /// it stages each channel's plane, which a streaming step's one or two pixels do not repay.
    var planar3x3: Bool {
        var p = params
        return depthwise && pixels >= 4 && hk_dw3_fits(&p) != 0
    }

    /// A depthwise layer hk_dwconv2d_3x3_s8_scalar takes (hk_dw3_scalar_fits: 3×3, depth multiplier 1,
    /// dilation 1, stride 1 or 2 along the walked rows, a row within HK_DW3_SCALAR_ROW) with enough
    /// outputs to repay each channel's set-up and each row's two calls (16 pixels, rows of 4 or more).
    var planar3x3Scalar: Bool {
        var p = params
        return depthwise && pixels >= 16 && hk_dw3_scalar_fits(&p) != 0 && max(p.output.h, p.output.w) >= 4
    }

    static func lower(_ op: Operator, _ builtin: BuiltinOp, _ l: Lowerer) throws -> PendingStep {
        let depthwise = builtin == .depthwiseConv2d
        guard op.inputs.count >= 2, op.outputs.count == 1 else { throw l.fail(op, "input, filter, optional bias and one output") }
        let (x, w, y) = (op.inputs[0], op.inputs[1], op.outputs[0])
        let b = op.inputs.count > 2 ? op.inputs[2] : -1
        try l.requireType(op, x, [.int8], "input")
        try l.requireType(op, w, [.int8], "filter")
        try l.requireType(op, y, [.int8], "output")
        guard l.tensor(w).isConstant else { throw l.fail(op, "a constant filter") }
        if b >= 0 {
            try l.requireType(op, b, [.int32], "bias")
            guard l.tensor(b).isConstant else { throw l.fail(op, "a constant bias") }
        }
        let (xs, ws, ys) = (l.tensor(x).shape, l.tensor(w).shape, l.tensor(y).shape)
        guard xs.count == 4, ws.count == 4, ys.count == 4 else { throw l.fail(op, "4-D input, filter and output") }
        let (qx, qw, qy) = (try l.quant(op, x, "input"), try l.quant(op, w, "filter"), try l.quant(op, y, "output"))
        let outC = ys[3]
        guard qw.scales.count == 1 || qw.scales.count == outC else { throw l.fail(op, "filter scales per tensor or per output channel (\(outC))") }
        if b >= 0, l.tensor(b).elementCount != outC { throw l.fail(op, "\(outC) bias values, got \(l.tensor(b).elementCount)") }
        let o = op.options
        guard o.strideH > 0, o.strideW > 0, o.dilationH > 0, o.dilationW > 0 else { throw l.fail(op, "positive strides and dilations") }
        let (kh, kw) = (ws[1], ws[2])
        let depthMultiplier: Int
        if depthwise {
            guard ws[0] == 1, ws[3] == outC, xs[3] > 0, outC % xs[3] == 0 else {
                throw l.fail(op, "a [1, kh, kw, \(outC)] depthwise filter with output channels a multiple of input channels")
            }
            depthMultiplier = outC / xs[3]
        } else {
            // Grouped convolution: the filter sees in_c / groups channels.
            guard ws[0] == outC, ws[3] > 0, xs[3] % ws[3] == 0, outC % (xs[3] / ws[3]) == 0 else {
                throw l.fail(op, "an [\(outC), kh, kw, \(xs[3]) / groups] filter")
            }
            depthMultiplier = 1
        }
        let (padH, outH) = try l.padding(op, in: xs[1], filter: kh, stride: Int(o.strideH), dilation: Int(o.dilationH))
        let (padW, outW) = try l.padding(op, in: xs[2], filter: kw, stride: Int(o.strideW), dilation: Int(o.dilationW))
        guard ys[0] == xs[0], ys[1] == outH, ys[2] == outW else {
            throw l.fail(op, "output shape [\(xs[0]), \(outH), \(outW), \(outC)], got \(ys)")
        }
        guard let (actMin, actMax) = activationRange(o.activation, scale: qy.scale, zeroPoint: qy.zeroPoint, type: .int8) else {
            throw l.fail(op, "fused activation NONE, RELU, RELU_N1_TO_1 or RELU6, got \(o.activation)")
        }
        var mult: [Int32] = [], shift: [Int32] = []
        for c in 0..<outC {
            let fs = qw.scales.count == 1 ? qw.scales[0] : qw.scales[c]
            let m = QuantizedMultiplier(Double(qx.scale) * Double(fs) / Double(qy.scale))
            mult.append(m.multiplier)
            shift.append(m.shift)
        }
        let p = hk_conv_params_t(
            input: l.shape4(xs), filter: l.shape4(ws), output: l.shape4(ys),
            stride_h: o.strideH, stride_w: o.strideW, dilation_h: o.dilationH, dilation_w: o.dilationW,
            pad_h: Int32(padH), pad_w: Int32(padW), depth_multiplier: Int32(depthMultiplier),
            input_offset: -qx.zeroPoint, output_offset: qy.zeroPoint, act_min: actMin, act_max: actMax,
            out_mult: nil, out_shift: nil)
        // The filter is not offset (int8 weights are symmetric; TFLite's kernels ignore their zero point).
        let perOutput = kh * kw * (depthwise ? 1 : ws[3])
        guard perOutput <= Int(HK_ACC_MAX_TERMS) else {
            throw l.fail(op, "at most \(HK_ACC_MAX_TERMS) multiply-accumulates per output (hk_kernels.h), got \(perOutput)")
        }
        var conv = Conv2D(params: p, depthwise: depthwise, mult: mult, shift: shift)
        if conv.gemv {
            conv.packed = FullyConnected.pack(l.tensor(w).data, inDepth: perOutput, outDepth: outC, filterOffset: 0)
        }
        if conv.pointwise || conv.im2col {
            conv.packed16 = Conv2D.pack16(l.tensor(w).data, rows: outC, depth: perOutput)
        }
        if conv.pointwise || conv.im2col || conv.packed != nil {
            conv.scalar = ScalarWeights.make(l.tensor(w).data, bias: b >= 0 ? l.tensor(b).data : nil, depth: perOutput, rows: outC,
                                             maxDepth: conv.gemv ? HK_FC_PACKED_MAX_DEPTH : HK_PW_MAX_IN)
        }
        return PendingStep(op: op, kernel: Kernel(conv),
                           inputs: [x, w, b], outputs: [y], macs: ys.reduce(1, *) * perOutput)
    }

    /// One output pixel whose window is the whole input (a streaming model's step, a classifier's
    /// last convolution): a matrix-vector product, which FULLY_CONNECTED's kernels compute with its
    /// per-channel multipliers, four filter rows per input word and no staging. Padding-free by
    /// construction: a window that fits the input exactly at stride 1 covers it.
    var gemv: Bool {
        let p = params
        return !depthwise && p.input.n == 1 && p.output.h == 1 && p.output.w == 1 && p.filter.h == p.input.h
            && p.filter.w == p.input.w && p.filter.c == p.input.c && p.pad_h == 0 && p.pad_w == 0
    }

    /// The matrix-vector product's parameters for the fully connected kernels.
    var gemvParams: hk_fc_params_t {
        let p = params
        return hk_fc_params_t(batches: 1, in_depth: p.filter.h * p.filter.w * p.filter.c, out_depth: p.output.c,
                              input_offset: p.input_offset, filter_offset: 0, output_offset: p.output_offset,
                              act_min: p.act_min, act_max: p.act_max, n_mult: Int32(mult.count), out_mult: nil, out_shift: nil)
    }

    /// The filter packed for hk_fully_connected_s8_packed_dsp when the call is a matrix-vector product
    /// it can take (FullyConnected.pack).
    var packed: [Int8]?

    /// The filter sign-extended and packed for the 2 × 2 tiles (hk_conv_pack_weights16) when the call
    /// is a pointwise or im2col one: twice the flash of the int8 filter, for half the instructions per
    /// multiply-accumulate.
    var packed16: [Int16]?

    /// A call the DSP variant runs on hk_conv2d_tiles_s8_dsp.c (its filter packed at lowering).
    var tiles: Bool { packed16 != nil }
    /// The output channels whose chunk the tiles requantize in a pass of its own (hk__pw_fused's rule:
    /// a window within HK_PW_MAX_IN, the whole int8 range, shifts hk__requant_fast takes, an even chunk;
    /// only the last chunk can be odd).
    var unfusedChannels: Double {
        let p = params, c = Int(p.output.c), chunk = Int(HK_PW_CHUNK)
        guard window <= Int(HK_PW_MAX_IN), p.act_min == -128 && p.act_max == 127,
              shift.allSatisfy({ (HK_PW_FUSED_SHIFT_MIN...(-2)).contains($0) }) else {
            return Double(c)
        }
        let last = c - (c - 1) / chunk * chunk
        return last % 2 == 1 ? Double(last) : 0
    }
    /// A call the scalar variant runs on hk_conv2d_tiles_s8_scalar.c (the same calls).
    var scalarTiles: Bool { !gemv && scalar != nil }
    static let tileFunctions: Set<String> = ["hk_conv2d_1x1_s8_dsp", "hk_conv2d_im2col_s8_dsp"]
    static let scalarTileFunctions: Set<String> = ["hk_conv2d_1x1_s8_scalar", "hk_conv2d_im2col_s8_scalar"]

    /// The filter and bias for the scalar-core matrix kernels (hk_conv2d_tiles_s8_scalar.c on the tiles'
    /// calls, hk_fully_connected_s8_scalar on a matrix-vector product's), packed and folded at lowering.
    var scalar: ScalarWeights?

    static func pack16(_ filter: [UInt8]?, rows: Int, depth: Int) -> [Int16]? {
        guard let filter, filter.count == rows * depth else { return nil }
        var out = [Int16](repeating: 0, count: ((rows + 1) & ~1) * ((depth + 3) & ~3) + Int(HK_CONV_PACKED16_PAD))
        filter.withUnsafeBytes { f in
            out.withUnsafeMutableBufferPointer { hk_conv_pack_weights16(Int32(rows), Int32(depth), f.bindMemory(to: Int8.self).baseAddress, $0.baseAddress) }
        }
        return out
    }

    func function(_ variant: KernelVariant) -> String {
        if gemv { return FullyConnected.function(variant, packed: packed, scalar: scalar) }
        if variant == .cortexMDSP && tiles { return pointwise ? "hk_conv2d_1x1_s8_dsp" : "hk_conv2d_im2col_s8_dsp" }
        if variant == .cortexMDSP && planar3x3 { return "hk_dwconv2d_3x3_s8_dsp" }
        if variant == .scalar && scalarTiles { return pointwise ? "hk_conv2d_1x1_s8_scalar" : "hk_conv2d_im2col_s8_scalar" }
        if variant == .scalar && planar3x3Scalar { return "hk_dwconv2d_3x3_s8_scalar" }
        let reference = depthwise ? "hk_dwconv2d_s8" : "hk_conv2d_s8"
        return variant == .cortexMDSP ? reference + "_dsp" : reference
    }

    /// The fills and copies hk__im2col_gather (hk_im2col.h) makes for one pass over the output pixels:
    /// a filter row wholly inside the image is one copy, a row outside it one fill, a row the image's
    /// edge cuts a fill, a copy and a fill, and with dilation along the width one call per tap.
    var im2colGatherCalls: Double {
        let p = params
        // A row's calls depend on its output row (inside or outside the image) and its output
        // column (whole or cut by an edge) independently: sum the rows and the columns apart.
        let inside = EdgeTaps.total(edgeTaps.rows), outside = Int(p.output.h) * Int(p.filter.h) - inside
        let perInsideRow = (0..<p.output.w).reduce(0) { sum, ox in
            let x0 = ox * p.stride_w - p.pad_w
            return sum + (p.dilation_w > 1 ? Int(p.filter.w) : x0 >= 0 && x0 + p.filter.w <= p.input.w ? 1 : 3)
        }
        return Double(outside * Int(p.output.w) + inside * perInsideRow) * Double(p.output.n)
    }

    /// Per axis, how many output positions have n filter taps inside the image, for each n: the rest
    /// fall in the padding, which im2col fills and the generic depthwise kernels (hk__tap_range) skip.
    struct EdgeTaps {
        var rows: [Int: Int], columns: [Int: Int]

        static func total(_ counts: [Int: Int]) -> Int { counts.reduce(0) { $0 + $1.key * $1.value } }

        /// Taps inside the image summed over one image's output pixels (rows and columns are independent).
        var inside: Int { EdgeTaps.total(rows) * EdgeTaps.total(columns) }

        /// hk_dwconv2d_s8_dsp's multiply-accumulates on its one-line path, per image: a pixel whose taps
        /// inside the image are one line with the input's step equal to the filter's (a k×1 kernel over
        /// time) runs two taps a pass without the general loop's pointer steps.
        func oneLineMACs(_ p: hk_conv_params_t) -> Int {
            guard p.depth_multiplier == 1 else { return 0 }
            var taps = 0
            for (ny, rowCount) in rows where ny > 0 {
                for (nx, columnCount) in columns where nx > 0 {
                    // The kernel's choice: the longer run of taps innermost, and its steps.
                    let (n1, n2, x1, w1) = ny >= nx ? (ny, nx, p.dilation_h * p.input.w * p.input.c, p.filter.w * p.output.c)
                                                    : (nx, ny, p.dilation_w * p.input.c, p.output.c)
                    if n2 == 1 && x1 == w1 { taps += n1 * rowCount * columnCount }
                }
            }
            return taps * Int(p.output.c / 4 * 4)
        }
    }

    var edgeTaps: EdgeTaps {
        let p = params
        func along(_ outputs: Int32, _ stride: Int32, _ pad: Int32, _ dilation: Int32, _ taps: Int32, _ size: Int32) -> [Int: Int] {
            var counts: [Int: Int] = [:]
            for o in 0..<outputs {
                let start = o * stride - pad
                counts[(0..<taps).filter { (0..<size).contains(start + $0 * dilation) }.count, default: 0] += 1
            }
            return counts
        }
        return EdgeTaps(rows: along(p.output.h, p.stride_h, p.pad_h, p.dilation_h, p.filter.h, p.input.h),
                        columns: along(p.output.w, p.stride_w, p.pad_w, p.dilation_w, p.filter.w, p.input.w))
    }

    /// The planar 3×3 kernels' walk (hk__dw3_axes in hk_dw3_axes.h): output rows along axis a, outputs
    /// along axis b; a map taller than wide is walked transposed.
    var dw3Axes: (outA: Int32, outB: Int32, strideA: Int32, strideB: Int32) {
        let p = params
        return p.output.h > p.output.w && p.stride_h <= 2 ? (p.output.w, p.output.h, p.stride_w, p.stride_h)
                                                          : (p.output.h, p.output.w, p.stride_h, p.stride_w)
    }

    /// hk_dwconv2d_3x3_s8_dsp's strips (its plane and sums on the stack): output rows along the plane's
    /// rows axis (the height, or the width of a map taller than wide, walked transposed) and their count,
    /// by the kernel's rule (hk__dw3_axes), for the cost features.
    var dw3Strips: (rows: Int32, strips: Int32) {
        let (outA, outB, strideA, strideB) = dw3Axes
        let rowLen = strideB * ((outB + 1) & ~1) + 2
        let strip = min((HK_DW3_PLANE / rowLen - 3) / strideA + 1, HK_DW3_ACC / outB)
        return (outA, (outA + strip - 1) / strip)
    }

    func bind(_ h: HostCall) -> () -> Void {
        if gemv {
            var f = gemvParams
            f.out_mult = h.keep(array: mult)
            f.out_shift = h.keep(array: shift)
            let p = h.keep(f)
            let (x, w, b, y) = (h.int8(input: 0), h.int8(input: 1), h.int32(input: 2), h.int8(output: 0))
            return FullyConnected.bind(h, p, x, w, b, y, packed: packed, scalar: scalar)
        }
        var c = params
        c.out_mult = h.keep(array: mult)
        c.out_shift = h.keep(array: shift)
        let p = h.keep(c)
        let (x, w, b, y) = (h.int8(input: 0), h.int8(input: 1), h.int32(input: 2), h.int8(output: 0))
        switch (h.variant, depthwise) {
        case (.reference, true): return { hk_dwconv2d_s8(p, x, w, b, y) }
        case (.reference, false): return { hk_conv2d_s8(p, x, w, b, y) }
        case (.cortexMDSP, true) where planar3x3: return { hk_dwconv2d_3x3_s8_dsp(p, x, w, b, y) }
        case (.cortexMDSP, true): return { hk_dwconv2d_s8_dsp(p, x, w, b, y) }
        case (.cortexMDSP, false) where tiles:
            let w16 = h.list(packed16!)
            if pointwise { return { hk_conv2d_1x1_s8_dsp(p, x, w16, b, y) } }
            return { hk_conv2d_im2col_s8_dsp(p, x, w16, b, y) }
        case (.cortexMDSP, false): return { hk_conv2d_s8_dsp(p, x, w, b, y) }
        case (.scalar, true) where planar3x3Scalar: return { hk_dwconv2d_3x3_s8_scalar(p, x, w, b, y) }
        case (.scalar, true): return { hk_dwconv2d_s8(p, x, w, b, y) }
        case (.scalar, false) where scalarTiles:
            let (pw, fb) = (h.list(scalar!.packed), h.list(scalar!.folded))
            if pointwise { return { hk_conv2d_1x1_s8_scalar(p, x, pw, fb, y) } }
            return { hk_conv2d_im2col_s8_scalar(p, x, pw, fb, y) }
        case (.scalar, false): return { hk_conv2d_s8(p, x, w, b, y) }
        }
    }

    func emit(_ c: inout CCall) {
        let names = [c.int32s("mult", mult), c.int32s("shift", shift)]
        if gemv {
            c.params("hk_fc_params_t", gemvParams, pointers: names)
            let (weights, bias) = FullyConnected.operands(&c, packed: packed, scalar: scalar)
            c.call(c.input(0), weights, bias, c.output(0))
            return
        }
        c.params("hk_conv_params_t", params, pointers: names)
        if Conv2D.scalarTileFunctions.contains(c.function), let scalar {
            c.call(c.input(0), c.uint8s("packed", scalar.packed), c.int32s("folded", scalar.folded), c.output(0))
            return
        }
        let weights = Conv2D.tileFunctions.contains(c.function) ? c.int16s("packed", packed16 ?? []) : c.input(1)
        c.call(c.input(0), weights, c.input(2, "int32_t"), c.output(0))
    }

    func costFeatures(macs: Int) -> CostFeatures { costFeatures(macs: macs, variant: .reference) }

    /// The tiles read their packed filter (twice the int8 bytes) a chunk of HK_PW_CHUNK rows per pixel
    /// pair: from the cache when a chunk fits it, else from the flash for every pair. A cache of a few
    /// lines (STM32F4's ART: 128 bytes) holds no full chunk of even four elements a row: there every
    /// layer reads its filter again per pair, at a rate the multiply-accumulates carry, and counting it
    /// as lines too would give the fit two columns for one cost.
    func flashReads(variant: KernelVariant, cacheBytes: Int) -> Double? {
        guard variant == .cortexMDSP, let packed16 else { return nil }
        let bytes = Double(packed16.count * 2), quads = (Double(window) / 4).rounded(.up)
        let chunkBytes = Double(min(params.output.c, HK_PW_CHUNK)) * quads * 8
        guard cacheBytes >= Int(HK_PW_CHUNK) * 8, chunkBytes > Double(cacheBytes) else { return bytes }
        return (Double(pixels) / 2).rounded(.up) * bytes
    }

    func costFeatures(macs: Int, variant: KernelVariant) -> CostFeatures {
        let p = params
        let outputs = p.output.elements
        let pixels = Double(p.output.n) * Double(p.output.h) * Double(p.output.w)
        let taps = Double(p.filter.h) * Double(p.filter.w)
        if depthwise && variant == .cortexMDSP && planar3x3 {
            // hk_dwconv2d_3x3_s8_dsp: per channel and strip its plane's rows staged (the input bytes), a pass
            // over the pairs of outputs row by row and one over the outputs; per strip the plane cleared.
            let (rows, strips) = dw3Strips, n = Double(p.output.n)
            return CostFeatures(macs: Double(macs), outputs: outputs, moved: p.input.elements,
                                blocks: n * Double(strips) * Double(p.output.c), tail: n * Double(rows) * Double(p.output.c),
                                runs: n * Double(strips))
        }
        if depthwise && variant == .scalar && planar3x3Scalar {
            // hk_dwconv2d_3x3_s8_scalar (its walk, hk__dw3_axes): per channel each plane row the outputs read
            // staged once, padding included (stride * (outputs - 1) + 3 values), per output row a call of
            // the sums' loop and one of the requantization's.
            let (outA, outB, strideA, strideB) = dw3Axes
            let staged = Double(strideA <= 3 ? (outA - 1) * strideA + 3 : 3 * outA) * Double(strideB * (outB - 1) + 3)
            let n = Double(p.output.n), channels = Double(p.output.c)
            return CostFeatures(macs: Double(macs), outputs: outputs, moved: n * channels * staged,
                                blocks: n * Double(outA) * channels, runs: n * channels)
        }
        if depthwise {
            // The generic kernels: the taps inside the image, and per pixel its tap ranges and a call per chunk
            // of channels; the multiply-accumulates off the DSP kernel's one-line path pay its loop's steps too.
            let edges = edgeTaps, n = Double(p.output.n)
            let inside = n * Double(edges.inside), macsInside = inside * Double(p.output.c)
            return CostFeatures(macs: macsInside, outputs: outputs, moved: inside, blocks: pixels,
                                tail: variant == .cortexMDSP ? macsInside - n * Double(edges.oneLineMACs(p)) : 0)
        }
        if gemv { return FullyConnected.costFeatures(gemvParams, macs: macs, kernel: function(variant)) }   // the kernel is its
        if variant == .scalar && scalarTiles {
            // hk_conv2d_tiles_s8_scalar.c: per chunk of HK_PW_CHUNK output channels each pixel's window staged
            // (im2col: gathered first, a filter row at a time), then a call of the rows' loop per group of four
            // channels and one per channel left over, the window's last n % 4 elements one at a time.
            let n = taps * Double(p.filter.c), chunks = (Double(p.output.c) / Double(HK_PW_CHUNK)).rounded(.up)
            let calls = pixels * Double(p.output.c / 4 + p.output.c % 4)
            return CostFeatures(macs: Double(macs), outputs: outputs, moved: chunks * pixels * n, blocks: calls,
                                tail: calls * n.truncatingRemainder(dividingBy: 4),
                                runs: pointwise ? chunks * pixels : chunks * (im2colGatherCalls + 2 * pixels))
        }
        if variant == .cortexMDSP && tiles {
            // hk_conv2d_tiles_s8_dsp.c: per chunk of HK_PW_CHUNK output channels, two pixels' windows staged per
            // pass (im2col: each pixel's gathered first, a filter row at a time, with a set-up per pixel
            // of about two rows' cost), a tile per pair of output channels over the window padded to
            // groups of four (the multiply-accumulates it runs, padding included), the groups past a
            // multiple of four one at a time; the requantization inside the tile (its cost the tile's),
            // or for a chunk hk__pw_fused turns down a pass over its outputs. A window longer than
            // HK_PW_MAX_IN is staged and run in segments (tiles and stagings per segment).
            let pairs = (pixels / 2).rounded(.up), n = taps * Double(p.filter.c)
            let chunks = (Double(p.output.c) / Double(HK_PW_CHUNK)).rounded(.up)
            let segments = (n / Double(HK_PW_MAX_IN)).rounded(.up)
            let quads = (n / 4).rounded(.up), tileCount = pairs * (Double(p.output.c) / 2).rounded(.up)
            return CostFeatures(macs: tileCount * quads * 16, outputs: pixels * unfusedChannels, moved: chunks * pairs * n,
                                blocks: tileCount * segments, tail: tileCount * quads.truncatingRemainder(dividingBy: 4),
                                runs: pointwise ? chunks * pairs * segments : chunks * (im2colGatherCalls + 2 * pixels))
        }
        // The convolution kernels stage each output pixel's window in blocks of 64 values; a
        // window longer than one block is staged again for every 32 output channels. Each block
        // is then run against the filter rows four output channels at a time, the channels left
        // over one at a time (Firmware/kernels/hk_conv2d_s8*.c): one inner loop entered per group.
        let window = taps * Double(p.filter.c)
        let blocksPerWindow = (window / 64).rounded(.up)
        let restage = window > 64 ? (Double(p.output.c) / 32).rounded(.up) : 1
        let groups = Double(p.output.c / 4 + p.output.c % 4)
        return CostFeatures(macs: Double(macs), outputs: outputs, moved: pixels * window * restage,
                            blocks: pixels * groups * blocksPerWindow, tail: outputs * window.truncatingRemainder(dividingBy: 4),
                            runs: pixels * taps * restage)
    }
}

extension Kernel {
    /// A convolution call with resolved parameters (for plans built by hand, as the cost
    /// calibration's single-layer models).
    public static func conv(_ params: hk_conv_params_t, depthwise: Bool, mult: [Int32], shift: [Int32]) -> Kernel {
        Kernel(Conv2D(params: params, depthwise: depthwise, mult: mult, shift: shift))
    }
}
