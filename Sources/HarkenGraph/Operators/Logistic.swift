// Logistic.swift: LOGISTIC, int8 in, int8 out with scale 1/256 and zero point -128:
// Firmware/kernels/hk_logistic_s8.c (gemmlowp's fixed-point logistic on a Q4.27 input), looked up
// on the devices (ElementTable).

import Foundation
import HarkenRuntime

extension BuiltinOp {
    public static let logistic = BuiltinOp(14, "LOGISTIC")
}

struct Logistic: KernelOperator {
    var params: hk_logistic_params_t
    var table: ElementTable

    static let reads: [BuiltinOp: Int32] = [.logistic: 3]
    static let writes: [BuiltinOp: TFLiteForm] = [.logistic: TFLiteForm(options: 0, version: 2)]
    static let symbols = ["hk_logistic_s8"]

    static func lower(_ op: Operator, _ builtin: BuiltinOp, _ l: Lowerer) throws -> PendingStep {
        guard op.inputs.count == 1, op.outputs.count == 1 else { throw l.fail(op, "one input and one output") }
        let x = op.inputs[0], y = op.outputs[0]
        try l.requireType(op, x, [.int8], "input")
        try l.requireType(op, y, [.int8], "output")
        let (qx, qy) = (try l.quant(op, x, "input"), try l.quant(op, y, "output"))
        guard qy.zeroPoint == -128, qy.scale == 1.0 / 256 else { throw l.fail(op, "output scale 1/256 and zero point -128") }
        guard let p = LogisticQuantization(inputScale: qx.scale) else { throw l.fail(op, "an input scale whose Q4.27 multiplier fits in 31 bits") }
        let params = hk_logistic_params_t(size: Int32(l.tensor(x).elementCount), input_zero_point: qx.zeroPoint,
                                          input_range_radius: p.rangeRadius, input_multiplier: p.multiplier,
                                          input_left_shift: p.leftShift)
        let table = ElementTable(params, size: \.size, kernel: hk_logistic_s8)
        return PendingStep(op: op, kernel: Kernel(Logistic(params: params, table: table)), inputs: [x], outputs: [y], macs: 0)
    }

    func function(_ variant: KernelVariant) -> String { ElementTable.function(variant, reference: "hk_logistic_s8") }

    func bind(_ h: HostCall) -> () -> Void { table.bind(h, reference: params, hk_logistic_s8) }

    func emit(_ c: inout CCall) { table.emit(&c, reference: params, type: "hk_logistic_params_t") }

    func costFeatures(macs: Int) -> CostFeatures { .elementwise(params.size) }

    func flashReads(variant: KernelVariant, cacheBytes: Int) -> Double? { table.flashReads(variant) }
}

/// TFLM's int8 LOGISTIC input rescaling: Q4.27 input with 4 integer bits.
struct LogisticQuantization {
    var multiplier: Int32
    var leftShift: Int32
    var rangeRadius: Int32

    init?(inputScale: Float) {
        let inputIntegerBits = 4
        let real = Double(inputScale) * Double(1 << (31 - inputIntegerBits))
        let (significand, exponent) = frexp(real)
        let m = (significand * Double(Int64(1) << 31)).rounded(.toNearestOrAwayFromZero)
        guard m < Double(Int32.max), exponent >= 0, exponent < 31 else { return nil }
        multiplier = Int32(m)
        leftShift = Int32(exponent)
        // TFLite's CalculateInputRadius(4, left_shift, 31).
        let maxInputRescaled = 1.0 * Double((1 << inputIntegerBits) - 1) * Double(Int64(1) << (31 - inputIntegerBits))
            / Double(Int64(1) << exponent)
        rangeRadius = Int32(floor(maxInputRescaled))
    }
}
