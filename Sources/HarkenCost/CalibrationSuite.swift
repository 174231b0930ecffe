import HarkenGraph
import HarkenRuntime

/// Single-layer models of varied shapes for calibrating the cost model: windows that
/// are and are not multiples of four taps, longer than one staging block, narrow and
/// wide channel counts, strides, depthwise and fully connected layers. Their cycle
/// counts do not depend on the data, so each runs once with zero input.
public enum CalibrationSuite {
    public static func plans() -> [(name: String, plan: Plan)] {
        var out: [(String, Plan)] = []
        // (time steps, input channels, output channels, kernel height, stride)
        let convs: [(Int, Int, Int, Int, Int)] = [
            (1, 8, 16, 1, 1), (1, 30, 60, 1, 1), (1, 40, 64, 1, 1), (1, 60, 60, 1, 1), (1, 64, 96, 1, 1), (1, 96, 32, 1, 1),
            (1, 33, 24, 1, 1), (1, 50, 48, 1, 1), (1, 31, 8, 1, 1), (1, 128, 48, 1, 1),
            (5, 40, 30, 5, 3), (3, 40, 32, 3, 1), (7, 40, 64, 5, 2), (5, 12, 20, 3, 1), (9, 30, 40, 3, 3), (4, 7, 10, 2, 1),
            (6, 16, 8, 4, 2), (10, 20, 36, 5, 5),
        ]
        for (i, c) in convs.enumerated() { out.append(("cal_conv\(i)", conv(t: c.0, cin: c.1, cout: c.2, kh: c.3, stride: c.4))) }
        // (time steps, channels, kernel height)
        let dws: [(Int, Int, Int)] = [(5, 30, 5), (9, 60, 9), (13, 60, 13), (21, 60, 21), (3, 16, 3), (7, 48, 7), (5, 64, 5), (11, 33, 11), (4, 7, 4), (2, 96, 2)]
        for (i, d) in dws.enumerated() { out.append(("cal_dw\(i)", depthwise(t: d.0, channels: d.1, kh: d.2))) }
        let fcs: [(Int, Int)] = [(300, 1), (240, 1), (480, 1), (120, 1), (64, 12), (128, 32), (48, 4), (333, 2), (97, 3), (200, 5), (160, 8)]
        for (i, f) in fcs.enumerated() { out.append(("cal_fc\(i)", fullyConnected(inputs: f.0, outputs: f.1))) }
        return out
    }

    static func io(_ shape: [Int], at offset: Int) -> PlanTensor {
        PlanTensor(tensor: 0, storage: .arena(offset: offset), type: .int8, shape: shape, quantization: nil, byteCount: shape.reduce(1, *))
    }

    static func align(_ n: Int) -> Int { (n + 3) / 4 * 4 }

    /// A plan of one kernel call: input at the arena's start, output after it, weights and bias constant.
    static func single(_ kernel: Kernel, op: String, input: [Int], output: [Int], weights: Int, bias: Int, macs: Int) -> Plan {
        let inBytes = align(input.reduce(1, *))
        // Deterministic, varied weights (the timing does not depend on them).
        let w = (0..<weights).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let step = Step(operatorIndex: 0, opName: op, kernel: kernel, inputs: [.arena(offset: 0), .constant(index: 0), .constant(index: 1)],
                        outputs: [.arena(offset: inBytes)], macs: macs)
        return Plan(steps: [step], constants: [w, [UInt8](repeating: 1, count: 4 * bias)], constantTypes: [.int8, .int32],
                    arenaBytes: inBytes + align(output.reduce(1, *)), stateBytes: 0, stateOffsets: [], stateInitial: [],
                    inputs: [io(input, at: 0)], outputs: [io(output, at: inBytes)])
    }

    static func shape(_ s: [Int]) -> hk_shape4_t { hk_shape4_t(n: Int32(s[0]), h: Int32(s[1]), w: Int32(s[2]), c: Int32(s[3])) }

    static func conv(t: Int, cin: Int, cout: Int, kh: Int, stride: Int) -> Plan {
        let oh = (t - kh) / stride + 1
        let p = hk_conv_params_t(input: shape([1, t, 1, cin]), filter: shape([cout, kh, 1, cin]), output: shape([1, oh, 1, cout]),
                                 stride_h: Int32(stride), stride_w: 1, dilation_h: 1, dilation_w: 1, pad_h: 0, pad_w: 0,
                                 depth_multiplier: 1, input_offset: 128, output_offset: -128, act_min: -128, act_max: 127,
                                 out_mult: nil, out_shift: nil)
        let mult = [Int32](repeating: 1 << 30, count: cout), shiftv = [Int32](repeating: -7, count: cout)
        return single(.conv(p, depthwise: false, mult: mult, shift: shiftv), op: "CONV_2D", input: [1, t, 1, cin], output: [1, oh, 1, cout],
                      weights: cout * kh * cin, bias: cout, macs: oh * cout * kh * cin)
    }

    static func depthwise(t: Int, channels: Int, kh: Int) -> Plan {
        let oh = t - kh + 1
        let p = hk_conv_params_t(input: shape([1, t, 1, channels]), filter: shape([1, kh, 1, channels]), output: shape([1, oh, 1, channels]),
                                 stride_h: 1, stride_w: 1, dilation_h: 1, dilation_w: 1, pad_h: 0, pad_w: 0,
                                 depth_multiplier: 1, input_offset: 128, output_offset: -128, act_min: -128, act_max: 127,
                                 out_mult: nil, out_shift: nil)
        let mult = [Int32](repeating: 1 << 30, count: channels), shiftv = [Int32](repeating: -7, count: channels)
        return single(.conv(p, depthwise: true, mult: mult, shift: shiftv), op: "DEPTHWISE_CONV_2D", input: [1, t, 1, channels],
                      output: [1, oh, 1, channels], weights: kh * channels, bias: channels, macs: oh * channels * kh)
    }

    static func fullyConnected(inputs: Int, outputs: Int) -> Plan {
        let p = hk_fc_params_t(batches: 1, in_depth: Int32(inputs), out_depth: Int32(outputs), input_offset: 128, filter_offset: 0,
                               output_offset: -128, act_min: -128, act_max: 127, n_mult: 1, out_mult: nil, out_shift: nil)
        return single(.fullyConnected(p, mult: [1 << 30], shift: [-7]), op: "FULLY_CONNECTED", input: [1, inputs], output: [1, outputs],
                      weights: inputs * outputs, bias: outputs, macs: inputs * outputs)
    }
}
