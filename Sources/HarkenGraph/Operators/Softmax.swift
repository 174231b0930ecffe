// Softmax.swift: SOFTMAX over the last dimension, int8 in, int8 out with scale 1/256 and zero
// point -128: Firmware/kernels/hk_softmax_s8.c, and on the devices hk_softmax_s8_lut.c (the same
// bytes, exp looked up in a table the compiler fills).

import HarkenRuntime

extension BuiltinOp {
    public static let softmax = BuiltinOp(25, "SOFTMAX")
}

struct Softmax: KernelOperator {
    var params: hk_softmax_params_t
    /// exp of each difference from a row's maximum, as many as matter, then the 0 the rest read
    /// (hk_softmax_lut_params_t).
    var expTable: [Int32]

    static let reads: [BuiltinOp: Int32] = [.softmax: 2]
    static let writes: [BuiltinOp: TFLiteForm] = [.softmax: TFLiteForm(options: 9, version: 2)]
    static let symbols = ["hk_softmax_s8", "hk_softmax_s8_lut", "hk_softmax_s8_lut_fill"]
    static let tableFunction = "hk_softmax_s8_lut"

    static func lower(_ op: Operator, _ builtin: BuiltinOp, _ l: Lowerer) throws -> PendingStep {
        let (x, y) = try l.unary(op)
        try l.requireType(op, x, [.int8], "input")
        try l.requireType(op, y, [.int8], "output")
        let (qx, qy) = (try l.quant(op, x, "input"), try l.quant(op, y, "output"))
        guard qy.zeroPoint == -128, qy.scale == 1.0 / 256 else { throw l.fail(op, "output scale 1/256 and zero point -128") }
        let depth = l.tensor(x).shape.last ?? 1
        guard depth > 0 else { throw l.fail(op, "a non-empty last dimension") }
        let real = min(Double(op.options.beta) * Double(qx.scale) * Double(1 << 26), Double(Int32.max))
        let m = QuantizedMultiplier(real)
        guard m.shift >= 0, m.shift < 31 else { throw l.fail(op, "beta * input scale giving a left shift in 0..<31") }
        let diffMin = -Int32((31.0 * Double(1 << 26) / Double(Int64(1) << Int64(m.shift))).rounded(.down))
        let p = hk_softmax_params_t(outer: Int32(l.tensor(x).elementCount / depth), depth: Int32(depth),
                                    input_mult: m.multiplier, input_left_shift: m.shift, diff_min: diffMin)
        return PendingStep(op: op, kernel: Kernel(Softmax(params: p, expTable: table(p))), inputs: [x], outputs: [y], macs: 0)
    }

    static func table(_ p: hk_softmax_params_t) -> [Int32] {
        var p = p, table = [Int32](repeating: 0, count: 257)
        let entries = table.withUnsafeMutableBufferPointer { hk_softmax_s8_lut_fill(&p, $0.baseAddress) }
        return Array(table.prefix(Int(entries) + 1))
    }

    /// The devices look exp up; the reference variant keeps the readable kernel.
    func function(_ variant: KernelVariant) -> String { variant == .reference ? "hk_softmax_s8" : Softmax.tableFunction }

    func tableParams(_ exp: UnsafePointer<Int32>?) -> hk_softmax_lut_params_t {
        hk_softmax_lut_params_t(outer: params.outer, depth: params.depth, entries: Int32(expTable.count - 1), exp_q0: exp)
    }

    func bind(_ h: HostCall) -> () -> Void {
        h.variant == .reference ? h.unary(params, hk_softmax_s8) : h.unary(tableParams(h.keep(array: expTable)), hk_softmax_s8_lut)
    }

    func emit(_ c: inout CCall) {
        if c.function == Softmax.tableFunction {
            c.params("hk_softmax_lut_params_t", tableParams(nil), pointers: [c.int32s("exp", expTable)])
        } else {
            c.params("hk_softmax_params_t", params)
        }
        c.call(c.input(0), c.output(0))
    }

    /// Per element a maximum, a sum and an output (the reference evaluates exp twice, data-dependent:
    /// a multiply per set bit of the difference); per row a reciprocal (Newton steps on 64-bit products)
    /// and the leading-zero count.
    func costFeatures(macs: Int) -> CostFeatures {
        CostFeatures(macs: 0, outputs: Double(params.outer * params.depth), moved: Double(params.outer * params.depth),
                     runs: Double(params.outer))
    }

    /// The table's entries the call can touch, once each.
    func flashReads(variant: KernelVariant, cacheBytes: Int) -> Double? {
        variant == .reference ? nil : Double(min(expTable.count, Int(params.outer * params.depth)) * 4)
    }
}
