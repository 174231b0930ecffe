// Pool2D.swift: AVERAGE_POOL_2D and MAX_POOL_2D, int8, input and output sharing one
// quantization: Firmware/kernels/hk_avgpool2d_s8.c and hk_maxpool2d_s8.c.

import HarkenRuntime

extension BuiltinOp {
    public static let averagePool2d = BuiltinOp(1, "AVERAGE_POOL_2D")
    public static let maxPool2d = BuiltinOp(17, "MAX_POOL_2D")
}

struct Pool2D: KernelOperator {
    var params: hk_pool_params_t
    var max: Bool

    static let reads: [BuiltinOp: Int32] = [.averagePool2d: 2, .maxPool2d: 2]
    static let writes: [BuiltinOp: TFLiteForm] = [.averagePool2d: TFLiteForm(options: 5, version: 2),
                                                  .maxPool2d: TFLiteForm(options: 5, version: 2)]
    static let symbols = ["hk_avgpool2d_s8", "hk_maxpool2d_s8"]

    static func lower(_ op: Operator, _ builtin: BuiltinOp, _ l: Lowerer) throws -> PendingStep {
        let (x, y) = try l.unary(op)
        try l.requireType(op, x, [.int8], "input")
        try l.requireType(op, y, [.int8], "output")
        try l.sameQuantization(op, [x, y])
        let (xs, ys) = (l.tensor(x).shape, l.tensor(y).shape)
        guard xs.count == 4, ys.count == 4, ys[0] == xs[0], ys[3] == xs[3] else { throw l.fail(op, "4-D input and output with equal batch and channels") }
        let o = op.options
        guard o.filterH > 0, o.filterW > 0, o.strideH > 0, o.strideW > 0 else { throw l.fail(op, "positive filter size and strides") }
        let (padH, outH) = try l.padding(op, in: xs[1], filter: Int(o.filterH), stride: Int(o.strideH), dilation: 1)
        let (padW, outW) = try l.padding(op, in: xs[2], filter: Int(o.filterW), stride: Int(o.strideW), dilation: 1)
        guard ys[1] == outH, ys[2] == outW else { throw l.fail(op, "output shape [\(xs[0]), \(outH), \(outW), \(xs[3])], got \(ys)") }
        let q = try l.quant(op, y, "output")
        guard let (lo, hi) = activationRange(o.activation, scale: q.scale, zeroPoint: q.zeroPoint, type: .int8) else {
            throw l.fail(op, "fused activation NONE, RELU, RELU_N1_TO_1 or RELU6")
        }
        let p = hk_pool_params_t(input: l.shape4(xs), output: l.shape4(ys), filter_h: o.filterH, filter_w: o.filterW,
                                 stride_h: o.strideH, stride_w: o.strideW, pad_h: Int32(padH), pad_w: Int32(padW),
                                 act_min: lo, act_max: hi)
        return PendingStep(op: op, kernel: Kernel(Pool2D(params: p, max: builtin == .maxPool2d)), inputs: [x], outputs: [y],
                           macs: ys.reduce(1, *) * Int(o.filterH * o.filterW))
    }

    func function(_ variant: KernelVariant) -> String { max ? "hk_maxpool2d_s8" : "hk_avgpool2d_s8" }

    func bind(_ h: HostCall) -> () -> Void {
        max ? h.unary(params, hk_maxpool2d_s8) : h.unary(params, hk_avgpool2d_s8)
    }

    func emit(_ c: inout CCall) {
        c.params("hk_pool_params_t", params)
        c.call(c.input(0), c.output(0))
    }

    func costFeatures(macs: Int) -> CostFeatures {
        CostFeatures(macs: Double(macs), outputs: params.output.elements, moved: params.input.elements)
    }
}
