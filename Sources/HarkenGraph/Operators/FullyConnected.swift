// FullyConnected.swift: FULLY_CONNECTED, int8, per-tensor or per-channel weights:
// Firmware/kernels/hk_fully_connected_s8.c, its Cortex-M DSP variant and its scalar-core variant (the
// same bytes).

import HarkenRuntime

extension BuiltinOp {
    public static let fullyConnected = BuiltinOp(9, "FULLY_CONNECTED")
}

struct FullyConnected: KernelOperator, @unchecked Sendable {
    var params: hk_fc_params_t
    /// Requantization per tensor (one entry) or per output (params.out_mult / out_shift point at these).
    var mult: [Int32], shift: [Int32]

    static let reads: [BuiltinOp: Int32] = [.fullyConnected: 9]
    static let writes: [BuiltinOp: TFLiteForm] = [.fullyConnected: TFLiteForm(options: 8, version: 4)]
    static let optionalInputs: Set<Int> = [2]   // the bias
    static let symbols = ["hk_fully_connected_s8", "hk_fully_connected_s8_dsp", "hk_fully_connected_s8_packed_dsp", "hk_fc_pack_weights",
                          "hk_fully_connected_s8_scalar", "hk_scalar_pack_weights", "hk_scalar_fold_bias"]

    /// The weights in hk_fc_pack_weights' layout when hk_fully_connected_s8_packed_dsp can take the
    /// call (symmetric weights, a depth its stack stages): the compiler owns the layout, the device reads
    /// four rows per pointer step.
    var packed: [Int8]?

    static let packedFunction = "hk_fully_connected_s8_packed_dsp"
    static let dspFunction = "hk_fully_connected_s8_dsp"
    static let scalarFunction = "hk_fully_connected_s8_scalar"

    /// The weights and bias for hk_fully_connected_s8_scalar when it can take the call (the packed DSP
    /// kernel's calls).
    var scalar: ScalarWeights?

    /// `weights` ([outDepth][inDepth] bytes) packed for hk_fully_connected_s8_packed_dsp, or nil when it
    /// cannot take them.
    static func pack(_ weights: [UInt8]?, inDepth: Int, outDepth: Int, filterOffset: Int32) -> [Int8]? {
        guard let weights, filterOffset == 0, inDepth <= Int(HK_FC_PACKED_MAX_DEPTH), weights.count == inDepth * outDepth else { return nil }
        var out = [Int8](repeating: 0, count: weights.count)
        weights.withUnsafeBytes { w in
            out.withUnsafeMutableBufferPointer { hk_fc_pack_weights(Int32(inDepth), Int32(outDepth), w.bindMemory(to: Int8.self).baseAddress, $0.baseAddress) }
        }
        return out
    }

    static func lower(_ op: Operator, _ builtin: BuiltinOp, _ l: Lowerer) throws -> PendingStep {
        guard op.inputs.count >= 2, op.outputs.count == 1 else { throw l.fail(op, "input, weights, optional bias and one output") }
        let (x, w, y) = (op.inputs[0], op.inputs[1], op.outputs[0])
        let b = op.inputs.count > 2 ? op.inputs[2] : -1
        try l.requireType(op, x, [.int8], "input")
        try l.requireType(op, w, [.int8], "weights")
        try l.requireType(op, y, [.int8], "output")
        guard l.tensor(w).isConstant, l.tensor(w).shape.count == 2 else { throw l.fail(op, "constant 2-D weights") }
        let (outDepth, inDepth) = (l.tensor(w).shape[0], l.tensor(w).shape[1])
        guard inDepth > 0, l.tensor(x).elementCount % inDepth == 0 else { throw l.fail(op, "input elements a multiple of \(inDepth)") }
        let batches = l.tensor(x).elementCount / inDepth
        // The accumulator bound (hk_kernels.h): weights with a zero point are offset like the input.
        let maxDepth = Int((l.tensor(w).quantization?.zeroPoint ?? 0) == 0 ? HK_ACC_MAX_TERMS : HK_ACC_MAX_TERMS_OFFSET_WEIGHTS)
        guard inDepth <= maxDepth else {
            throw l.fail(op, "an input depth of at most \(maxDepth) (hk_kernels.h's accumulator bound), got \(inDepth)")
        }
        guard l.tensor(y).elementCount == batches * outDepth else { throw l.fail(op, "\(batches * outDepth) output elements") }
        if b >= 0 {
            try l.requireType(op, b, [.int32], "bias")
            guard l.tensor(b).isConstant, l.tensor(b).elementCount == outDepth else { throw l.fail(op, "a constant bias of \(outDepth) values") }
        }
        guard op.options.weightsFormat == 0 else { throw l.fail(op, "DEFAULT weights format") }
        let (qx, qw, qy) = (try l.quant(op, x, "input"), try l.quant(op, w, "weights"), try l.quant(op, y, "output"))
        guard qw.scales.count == 1 || qw.scales.count == outDepth else { throw l.fail(op, "weight scales per tensor or per output") }
        guard let (actMin, actMax) = activationRange(op.options.activation, scale: qy.scale, zeroPoint: qy.zeroPoint, type: .int8) else {
            throw l.fail(op, "fused activation NONE, RELU, RELU_N1_TO_1 or RELU6")
        }
        var mult: [Int32] = [], shift: [Int32] = []
        for s in qw.scales {
            let m = QuantizedMultiplier(Double(qx.scale) * Double(s) / Double(qy.scale))
            mult.append(m.multiplier)
            shift.append(m.shift)
        }
        let p = hk_fc_params_t(batches: Int32(batches), in_depth: Int32(inDepth), out_depth: Int32(outDepth),
                               input_offset: -qx.zeroPoint, filter_offset: -qw.zeroPoint, output_offset: qy.zeroPoint,
                               act_min: actMin, act_max: actMax, n_mult: Int32(mult.count), out_mult: nil, out_shift: nil)
        let packed = pack(l.tensor(w).data, inDepth: inDepth, outDepth: outDepth, filterOffset: p.filter_offset)
        let scalar = packed == nil ? nil : ScalarWeights.make(l.tensor(w).data, bias: b >= 0 ? l.tensor(b).data : nil, depth: inDepth,
                                                              rows: outDepth, maxDepth: HK_FC_PACKED_MAX_DEPTH)
        return PendingStep(op: op, kernel: Kernel(FullyConnected(params: p, mult: mult, shift: shift, packed: packed, scalar: scalar)), inputs: [x, w, b], outputs: [y],
                           macs: batches * inDepth * outDepth)
    }

    func function(_ variant: KernelVariant) -> String { FullyConnected.function(variant, packed: packed, scalar: scalar) }

    /// The kernel for a call with these packed copies (FULLY_CONNECTED's and the one-pixel convolutions').
    static func function(_ variant: KernelVariant, packed: [Int8]?, scalar: ScalarWeights?) -> String {
        switch variant {
        case .cortexMDSP: return packed != nil ? packedFunction : dspFunction
        case .scalar where scalar != nil: return scalarFunction
        default: return "hk_fully_connected_s8"
        }
    }

    func bind(_ h: HostCall) -> () -> Void {
        var c = params
        c.out_mult = h.keep(array: mult)
        c.out_shift = h.keep(array: shift)
        let p = h.keep(c)
        let (x, w, b, y) = (h.int8(input: 0), h.int8(input: 1), h.int32(input: 2), h.int8(output: 0))
        return FullyConnected.bind(h, p, x, w, b, y, packed: packed, scalar: scalar)
    }

    /// The host call of the fully connected kernels, the packed ones with their own copies of the weights.
    static func bind(_ h: HostCall, _ p: UnsafePointer<hk_fc_params_t>, _ x: UnsafeMutablePointer<Int8>, _ w: UnsafeMutablePointer<Int8>,
                     _ b: UnsafeMutablePointer<Int32>?, _ y: UnsafeMutablePointer<Int8>, packed: [Int8]?, scalar: ScalarWeights?) -> () -> Void {
        if h.variant == .scalar, let scalar {
            let (pw, fb) = (h.list(scalar.packed), h.list(scalar.folded))
            return { hk_fully_connected_s8_scalar(p, x, pw, fb, y) }
        }
        switch (h.variant, packed) {
        case (.reference, _), (.scalar, _): return { hk_fully_connected_s8(p, x, w, b, y) }
        case (.cortexMDSP, let packed?):
            let pw = h.list(packed)
            return { hk_fully_connected_s8_packed_dsp(p, x, pw, b, y) }
        case (.cortexMDSP, nil): return { hk_fully_connected_s8_dsp(p, x, w, b, y) }
        }
    }

    func emit(_ c: inout CCall) {
        let names = [c.int32s("mult", mult), c.int32s("shift", shift)]
        c.params("hk_fc_params_t", params, pointers: names)
        let (weights, bias) = FullyConnected.operands(&c, packed: packed, scalar: scalar)
        c.call(c.input(0), weights, bias, c.output(0))
    }

    /// The weights and bias arguments: the packed copies when the call is a packed kernel's, else the plan's.
    static func operands(_ c: inout CCall, packed: [Int8]?, scalar: ScalarWeights?) -> (String, String) {
        if c.function == packedFunction, let packed { return (c.int8s("packed", packed), c.input(2, "int32_t")) }
        if c.function == scalarFunction, let scalar { return (c.uint8s("packed", scalar.packed), c.int32s("folded", scalar.folded)) }
        return (c.input(1), c.input(2, "int32_t"))
    }

    func costFeatures(macs: Int) -> CostFeatures { costFeatures(macs: macs, variant: .reference) }

    func costFeatures(macs: Int, variant: KernelVariant) -> CostFeatures {
        FullyConnected.costFeatures(params, macs: macs, kernel: FullyConnected.function(variant, packed: packed, scalar: scalar))
    }

    /// The fully connected kernels' features, for FULLY_CONNECTED and the one-pixel convolutions they
    /// run: four output rows share each input load; the rows left over run one at a time. `runs`
    /// counts the outputs requantized off the kernel's usual path: in the Cortex-M DSP kernels those
    /// not in a group of four channels of their own multipliers with the whole int8 range (per-tensor
    /// multipliers, a narrowed clamp, the rows left over: hk__requant_block's general loop); in the
    /// scalar kernel those with their own channel's multiplier (prepared per output, hk__fcs_out).
    static func costFeatures(_ p: hk_fc_params_t, macs: Int, kernel: String) -> CostFeatures {
        let rows = Double(p.batches) * Double(p.in_depth)
        let grouped = p.out_depth / 4 * 4, fast = p.n_mult != 1 && p.act_min == -128 && p.act_max == 127
        let general: Int32
        switch kernel {
        case packedFunction, dspFunction: general = p.out_depth - (fast ? grouped : 0)
        case scalarFunction: general = p.n_mult != 1 ? p.out_depth : 0
        default: general = 0
        }
        return CostFeatures(macs: Double(macs), outputs: Double(p.batches * p.out_depth), moved: rows,
                            blocks: rows * Double(p.out_depth / 4), tail: rows * Double(p.out_depth % 4),
                            runs: Double(p.batches) * Double(general))
    }
}

extension Kernel {
    /// A fully connected call with resolved parameters (for plans built by hand, as the cost
    /// calibration's single-layer models).
    public static func fullyConnected(_ params: hk_fc_params_t, mult: [Int32], shift: [Int32]) -> Kernel {
        Kernel(FullyConnected(params: params, mult: mult, shift: shift))
    }
}
