import Foundation
import HarkenGraph

/// Single-layer models for calibrating the cost model: every kernel Harken can emit, each in
/// several shapes (windows that are and are not multiples of four taps, longer than one staging
/// block, narrow and wide channel counts, strides, dilations, 1-D and 2-D maps, DS-CNN's 25×5×64
/// layers). Each is built as a graph and lowered as any model is, so a layer gets the kernel the
/// generator would choose for its shape, whatever kernels that choice comes to include.
public enum CalibrationSuite {
    public static func plans() throws -> [(name: String, plan: Plan)] {
        var out: [(String, Plan)] = []
        func add(_ name: String, _ build: (inout Layer) throws -> Void) throws {
            var l = Layer()
            try build(&l)
            out.append((name, try l.plan(name)))
        }
        // CONV_2D, 1-D over time as the streaming Sentries use it: (time steps, input channels,
        // output channels, kernel height, stride).
        let convs: [(Int, Int, Int, Int, Int)] = [
            (1, 8, 16, 1, 1), (1, 30, 60, 1, 1), (1, 40, 64, 1, 1), (1, 60, 60, 1, 1), (1, 64, 96, 1, 1), (1, 96, 32, 1, 1),
            (1, 33, 24, 1, 1), (1, 50, 48, 1, 1), (1, 31, 8, 1, 1), (1, 128, 48, 1, 1),
            (5, 40, 30, 5, 3), (3, 40, 32, 3, 1), (7, 40, 64, 5, 2), (5, 12, 20, 3, 1), (9, 30, 40, 3, 3), (4, 7, 10, 2, 1),
            (6, 16, 8, 4, 2), (10, 20, 36, 5, 5),
        ]
        for (i, c) in convs.enumerated() {
            try add("cal_conv\(i)") { try $0.conv([1, c.0, 1, c.1], cout: c.2, kernel: (c.3, 1), stride: (c.4, 1)) }
        }
        // CONV_2D on 2-D maps: pointwise (1×1) as DS-CNN and MobileNet use it, 3×3 with and
        // without stride, a DS-CNN first layer (10×4, stride 2), dilation.
        let convs2d: [(input: [Int], cout: Int, k: (Int, Int), s: (Int, Int), d: (Int, Int), same: Bool)] = [
            ([1, 25, 5, 64], 64, (1, 1), (1, 1), (1, 1), false), ([1, 5, 5, 32], 32, (1, 1), (1, 1), (1, 1), false),
            ([1, 4, 4, 16], 24, (1, 1), (1, 1), (1, 1), false), ([1, 6, 3, 20], 36, (1, 1), (1, 1), (1, 1), false),
            ([1, 8, 8, 8], 16, (1, 1), (1, 1), (1, 1), false), ([1, 3, 3, 72], 40, (1, 1), (1, 1), (1, 1), false),
            ([1, 7, 5, 13], 10, (1, 1), (1, 1), (1, 1), false), ([1, 1, 1, 64], 12, (1, 1), (1, 1), (1, 1), false),
            ([1, 10, 4, 8], 16, (3, 3), (1, 1), (1, 1), true), ([1, 12, 6, 8], 16, (3, 3), (2, 2), (1, 1), false),
            ([1, 9, 9, 3], 8, (3, 3), (2, 2), (1, 1), true), ([1, 49, 10, 1], 64, (10, 4), (2, 2), (1, 1), true),
            ([1, 12, 1, 16], 16, (3, 1), (1, 1), (2, 1), false), ([1, 11, 7, 6], 12, (3, 3), (1, 1), (2, 2), false),
            // more than one chunk of 64 output channels (DS-CNN-M's 172; an odd last chunk), and windows
            // longer than the tiles stage (ResNet-8's 3×3×32 and wider: the blocked kernel)
            ([1, 10, 3, 48], 172, (1, 1), (1, 1), (1, 1), false), ([1, 6, 4, 40], 81, (1, 1), (1, 1), (1, 1), false),
            ([1, 25, 5, 20], 100, (3, 3), (1, 1), (1, 1), true),
            ([1, 8, 8, 32], 32, (3, 3), (1, 1), (1, 1), true), ([1, 6, 6, 64], 48, (3, 3), (1, 1), (1, 1), true),
            ([1, 8, 8, 48], 20, (3, 3), (2, 2), (1, 1), false), ([1, 16, 1, 96], 32, (3, 1), (1, 1), (1, 1), false),
            // the zoo's other shapes: more input channels than 128 (DS-CNN-M's 172 in three chunks), a
            // strided 1×1 projection (ResNet-8's shortcut: short gathered windows), an RGB first layer
            ([1, 5, 5, 172], 172, (1, 1), (1, 1), (1, 1), false), ([1, 12, 12, 16], 32, (1, 1), (2, 2), (1, 1), false),
            ([1, 16, 16, 3], 8, (3, 3), (2, 2), (1, 1), true),
            // pointwise over more channels than the tiles stage at once (DS-CNN-L's 276: two segments)
            ([1, 5, 5, 276], 24, (1, 1), (1, 1), (1, 1), false),
            // a spectrogram's first layer into several chunks (DS-CNN-M's 172 channels: the windows
            // gathered again per chunk)
            ([1, 49, 10, 1], 172, (10, 4), (2, 2), (1, 1), true),
            // a strided 3×3 into 32 channels (ResNet-8's downsampling, on a smaller map): a filter of
            // 9 KiB against few pixels, so the flash lines it streams are not a multiple of its MACs
            ([1, 12, 12, 16], 32, (3, 3), (2, 2), (1, 1), false),
        ]
        for (i, c) in convs2d.enumerated() {
            try add("cal_conv2d_\(i)") { try $0.conv(c.input, cout: c.cout, kernel: c.k, stride: c.s, dilation: c.d, same: c.same) }
        }
        // DEPTHWISE_CONV_2D over time: (time steps, channels, kernel height).
        let dws: [(Int, Int, Int)] = [(5, 30, 5), (9, 60, 9), (13, 60, 13), (21, 60, 21), (3, 16, 3), (7, 48, 7), (5, 64, 5), (11, 33, 11), (4, 7, 4), (2, 96, 2)]
        for (i, d) in dws.enumerated() {
            try add("cal_dw\(i)") { try $0.conv([1, d.0, 1, d.1], cout: d.1, kernel: (d.2, 1), depthwise: true) }
        }
        // DEPTHWISE_CONV_2D on 2-D maps: 3×3 (DS-CNN's 25×5×64), strided, dilated, 5×5.
        let dws2d: [(input: [Int], k: (Int, Int), s: (Int, Int), d: (Int, Int), same: Bool)] = [
            ([1, 25, 5, 64], (3, 3), (1, 1), (1, 1), true), ([1, 10, 10, 16], (3, 3), (1, 1), (1, 1), true),
            ([1, 12, 12, 8], (3, 3), (2, 2), (1, 1), false), ([1, 7, 7, 24], (3, 3), (1, 1), (1, 1), false),
            ([1, 9, 1, 32], (3, 1), (1, 1), (2, 1), false), ([1, 9, 9, 12], (3, 3), (1, 1), (2, 2), false),
            ([1, 6, 6, 48], (5, 5), (1, 1), (1, 1), true), ([1, 13, 5, 20], (3, 3), (2, 1), (1, 1), true),
            ([1, 5, 12, 24], (3, 3), (1, 1), (1, 1), true), ([1, 24, 24, 8], (3, 3), (2, 2), (1, 1), true),
            // a plane of many strips (MobileNet's 48×48×8) and small maps of many channels
            ([1, 30, 30, 8], (3, 3), (1, 1), (1, 1), true), ([1, 6, 6, 128], (3, 3), (1, 1), (1, 1), true),
        ]
        for (i, d) in dws2d.enumerated() {
            try add("cal_dw2d_\(i)") { try $0.conv(d.input, cout: d.input[3], kernel: d.k, stride: d.s, dilation: d.d, same: d.same, depthwise: true) }
        }
        let fcs: [(Int, Int)] = [(300, 1), (240, 1), (480, 1), (120, 1), (64, 1), (32, 1), (64, 12), (128, 32), (48, 4), (333, 2), (97, 3), (200, 5), (160, 8),
                                  (32, 3), (64, 10), (276, 12)]
        for (i, f) in fcs.enumerated() { try add("cal_fc\(i)") { try $0.fullyConnected(inputs: f.0, outputs: f.1) } }

        // Pooling: (input, filter, stride, SAME).
        let pools: [([Int], (Int, Int), (Int, Int), Bool)] = [
            ([1, 25, 5, 64], (25, 5), (25, 5), false), ([1, 8, 8, 16], (2, 2), (2, 2), false), ([1, 9, 1, 32], (3, 1), (1, 1), true),
            ([1, 6, 6, 24], (3, 3), (2, 2), true), ([1, 4, 3, 7], (4, 3), (1, 1), false),
        ]
        for (i, p) in pools.enumerated() {
            try add("cal_avgpool\(i)") { try $0.pool(.averagePool2d, p.0, filter: p.1, stride: p.2, same: p.3) }
            try add("cal_maxpool\(i)") { try $0.pool(.maxPool2d, p.0, filter: p.1, stride: p.2, same: p.3) }
        }
        // Element-wise and reshaping kernels, in sizes from a few values to a few thousand.
        let sizes: [[Int]] = [[1, 1, 1, 12], [1, 5, 1, 40], [1, 7, 3, 33], [1, 25, 5, 16], [1, 10, 4, 64]]
        for (i, s) in sizes.enumerated() {
            try add("cal_relu\(i)") { try $0.unary(.relu, s) }
            try add("cal_logistic\(i)") { try $0.unary(.logistic, s) }
            try add("cal_hard_swish\(i)") { try $0.unary(.hardSwish, s) }
            try add("cal_quantize\(i)") { try $0.unary(.quantize, s) }
            try add("cal_dequantize\(i)") { try $0.unary(.dequantize, s) }
            try add("cal_add\(i)") { try $0.binary(.add, s) }
            try add("cal_mul\(i)") { try $0.binary(.mul, s) }
            try add("cal_pad\(i)") { try $0.pad(s) }
            try add("cal_mean\(i)") { try $0.mean(s) }
            try add("cal_concat\(i)") { try $0.concat(s) }
            try add("cal_split\(i)") { try $0.split(s) }
            try add("cal_strided_slice\(i)") { try $0.slice(s) }
        }
        // Broadcast ADD and MUL (a squeeze-and-excitation gate: one value per channel over a map).
        for (i, s) in [[1, 5, 1, 40], [1, 7, 3, 24], [1, 10, 4, 64]].enumerated() {
            try add("cal_add_broadcast\(i)") { try $0.binary(.add, s, broadcast: true) }
            try add("cal_mul_broadcast\(i)") { try $0.binary(.mul, s, broadcast: true) }
        }
        // Concatenations and splits of 2 to 5 parts of uneven, odd and even widths, one row or many:
        // each part of each row is one copy.
        let parts: [(rows: Int, widths: [Int])] = [(1, [16, 24, 40]), (5, [8, 8, 8, 8]), (1, [64, 4]), (3, [12, 20, 8, 32, 4]), (12, [20, 13]),
                                                   (1, [32, 32]), (2, [48, 16, 16])]
        for (i, p) in parts.enumerated() {
            try add("cal_concat_parts\(i)") { try $0.concat(rows: p.rows, widths: p.widths) }
            try add("cal_split_v\(i)") { try $0.splitV(rows: p.rows, widths: p.widths) }
        }
        // The reference SOFTMAX's exp multiplies once per set bit of each difference from the row's
        // maximum, so its time depends on how far apart the logits are: each shape twice, the same
        // bytes at a trained classifier's spread (scale 0.1: differences up to 25) and at a tight one
        // (0.02, up to 5, an untrained or unsure net), so the fit sits between the two. The devices'
        // table kernel (hk_softmax_s8_lut) takes one path whatever the data: its two timings agree.
        for (i, n) in [(1, 2), (1, 12), (1, 35), (4, 10), (1, 256), (8, 3)].enumerated() {
            try add("cal_softmax\(i)") { try $0.softmax([n.0, n.1], scale: 0.1) }
            try add("cal_softmax_tight\(i)") { try $0.softmax([n.0, n.1], scale: 0.02) }
        }
        return out
    }

    /// Seeded bytes for a plan's first input: some reference kernels (LOGISTIC, SOFTMAX) take
    /// data-dependent paths, and zeros would time only the cheapest. LOGISTIC gets values inside
    /// its input range (±1.5 around the zero point at the suite's scale 0.05), where it computes
    /// rather than saturates: the slow path, the one a latency budget needs.
    public static func input(_ plan: Plan) -> [UInt8] {
        var state: UInt32 = 0x9E37_79B9
        let logistic = plan.steps.first?.opName == "LOGISTIC"
        return (0..<plan.inputs[0].byteCount).map { _ in
            state = state &* 1_664_525 &+ 1_013_904_223
            if logistic { return UInt8(bitPattern: Int8(Int(state >> 24) % 61 - 30 - 3)) }
            return UInt8(truncatingIfNeeded: state >> 24)
        }
    }

    /// A one-operator graph under construction.
    struct Layer {
        var b = GraphBuilder()
        var seed: UInt32 = 12345
        let q = Quantization(scale: 0.05, zeroPoint: -3)

        mutating func random(_ n: Int) -> [Float] {
            (0..<n).map { _ in
                seed = seed &* 1_103_515_245 &+ 12345
                return Float(Int(seed >> 16 & 0x7FFF) - 16384) / 16384
            }
        }

        mutating func act(_ name: String, _ shape: [Int], _ q: Quantization? = nil) -> Int {
            b.tensor(name, .int8, shape, q ?? self.q)
        }

        mutating func plan(_ name: String) throws -> Plan {
            try b.build(description: name).lower(file: name)
        }

        mutating func io(_ x: [Int], _ y: [Int]) {
            b.inputs = x
            b.outputs = y
        }

        static func out(_ n: Int, _ k: Int, _ s: Int, _ d: Int, same: Bool) -> Int {
            same ? (n + s - 1) / s : (n - ((k - 1) * d + 1)) / s + 1
        }

        mutating func conv(_ input: [Int], cout: Int, kernel: (Int, Int), stride: (Int, Int) = (1, 1), dilation: (Int, Int) = (1, 1),
                           same: Bool = false, depthwise: Bool = false) throws {
            let cin = input[3]
            let oh = Self.out(input[1], kernel.0, stride.0, dilation.0, same: same)
            let ow = Self.out(input[2], kernel.1, stride.1, dilation.1, same: same)
            let x = act("x", input)
            let fshape = depthwise ? [1, kernel.0, kernel.1, cout] : [cout, kernel.0, kernel.1, cin]
            let n = fshape.reduce(1, *)
            let w = SymmetricWeights(random(n), channels: cout, channelOf: { depthwise ? $0 % cout : $0 / (n / cout) })
            let wt = b.tensor("w", .int8, fshape, w.quantization(axis: depthwise ? 3 : 0), data: w.bytes)
            let bias = w.bias(random(cout), inputScale: q.scale)
            let bt = b.tensor("b", .int32, [cout], bias.quantization, data: bias.bytes)
            // RELU onto an output whose zero point is int8's minimum, as TFLite's converter quantizes a
            // ReLU's output: the clamp is the whole int8 range, the case the DSP kernels' fused
            // requantization takes.
            let y = act("y", [1, oh, ow, cout], Quantization(scale: 0.2, zeroPoint: -128))
            b.op(depthwise ? .depthwiseConv2d : .conv2d, [x, wt, bt], [y]) {
                $0.padding = same ? 0 : 1
                ($0.strideH, $0.strideW) = (Int32(stride.0), Int32(stride.1))
                ($0.dilationH, $0.dilationW) = (Int32(dilation.0), Int32(dilation.1))
                $0.depthMultiplier = 1
                $0.activation = 1
            }
            io([x], [y])
        }

        mutating func fullyConnected(inputs: Int, outputs: Int) throws {
            let x = act("x", [1, inputs])
            let w = SymmetricWeights(random(inputs * outputs), channels: 1, channelOf: { _ in 0 })
            let wt = b.tensor("w", .int8, [outputs, inputs], w.quantization(axis: 0), data: w.bytes)
            let bias = w.bias(random(outputs), inputScale: q.scale)
            let bt = b.tensor("b", .int32, [outputs], bias.quantization, data: bias.bytes)
            let y = act("y", [1, outputs], Quantization(scale: 0.2, zeroPoint: 5))
            b.op(.fullyConnected, [x, wt, bt], [y])
            io([x], [y])
        }

        mutating func pool(_ op: BuiltinOp, _ input: [Int], filter: (Int, Int), stride: (Int, Int), same: Bool) throws {
            let oh = Self.out(input[1], filter.0, stride.0, 1, same: same), ow = Self.out(input[2], filter.1, stride.1, 1, same: same)
            let x = act("x", input), y = act("y", [1, oh, ow, input[3]])
            b.op(op, [x], [y]) {
                $0.padding = same ? 0 : 1
                ($0.filterH, $0.filterW) = (Int32(filter.0), Int32(filter.1))
                ($0.strideH, $0.strideW) = (Int32(stride.0), Int32(stride.1))
            }
            io([x], [y])
        }

        mutating func unary(_ op: BuiltinOp, _ shape: [Int]) throws {
            let x = act("x", shape)
            let y: Int
            switch op {
            case .logistic: y = act("y", shape, Quantization(scale: 1.0 / 256, zeroPoint: -128))
            case .dequantize: y = b.tensor("y", .float32, shape)
            case .quantize: y = act("y", shape, Quantization(scale: 0.03, zeroPoint: 7))
            default: y = act("y", shape, Quantization(scale: 0.04, zeroPoint: -20))
            }
            b.op(op, [x], [y])
            io([x], [y])
        }

        mutating func binary(_ op: BuiltinOp, _ shape: [Int], broadcast: Bool = false) throws {
            let x = act("x", shape), z = act("z", broadcast ? [1, 1, 1, shape[3]] : shape, Quantization(scale: 0.07, zeroPoint: 4))
            let y = act("y", shape, Quantization(scale: 0.1, zeroPoint: -1))
            b.op(op, [x, z], [y])
            io([x, z], [y])
        }

        mutating func pad(_ shape: [Int]) throws {
            let x = act("x", shape)
            let pads = [0, 0, 1, 2, 0, 1, 0, 0]
            let p = b.tensor("paddings", .int32, [4, 2], data: pads.flatMap { withUnsafeBytes(of: Int32($0).littleEndian) { Array($0) } })
            let y = act("y", [shape[0], shape[1] + 3, shape[2] + 1, shape[3]])
            b.op(.pad, [x, p], [y])
            io([x], [y])
        }

        mutating func mean(_ shape: [Int]) throws {
            let x = act("x", shape), axes = b.int32s("axes", [1, 2])
            let y = act("y", [shape[0], shape[3]], Quantization(scale: 0.04, zeroPoint: 2))
            b.op(.mean, [x, axes], [y])
            io([x], [y])
        }

        mutating func concat(_ shape: [Int]) throws {
            let x = act("x", shape), z = act("z", [shape[0], shape[1], shape[2], 5])
            let y = act("y", [shape[0], shape[1], shape[2], shape[3] + 5])
            b.op(.concatenation, [x, z], [y]) { $0.axis = 3 }
            io([x, z], [y])
        }

        mutating func concat(rows: Int, widths: [Int]) throws {
            let xs = widths.enumerated().map { act("x\($0.offset)", [1, rows, 1, $0.element]) }
            let y = act("y", [1, rows, 1, widths.reduce(0, +)])
            b.op(.concatenation, xs, [y]) { $0.axis = 3 }
            io(xs, [y])
        }

        mutating func splitV(rows: Int, widths: [Int]) throws {
            let x = act("x", [1, rows, 1, widths.reduce(0, +)])
            let sizes = b.int32s("size_splits", widths), axis = b.int32s("axis", [3])
            let ys = widths.enumerated().map { act("y\($0.offset)", [1, rows, 1, $0.element]) }
            b.op(.splitV, [x, sizes, axis], ys) { $0.numSplits = Int32(widths.count) }
            io([x], ys)
        }

        mutating func split(_ shape: [Int]) throws {
            // Along the channels when they halve evenly, else along time.
            let axis = shape[3] % 2 == 0 ? 3 : 1
            var part = shape
            part[axis] = shape[axis] / 2
            var whole = part
            whole[axis] *= 2
            let x = act("x", whole), a = b.int32s("axis", [axis])
            let y0 = act("y0", part), y1 = act("y1", part)
            b.op(.split, [a, x], [y0, y1]) { $0.numSplits = 2 }
            io([x], [y0, y1])
        }

        mutating func slice(_ shape: [Int]) throws {
            let x = act("x", shape)
            let begin = b.int32s("begin", [0, shape[1] > 1 ? 1 : 0, 0, 0]), end = b.int32s("end", shape)
            let strides = b.int32s("strides", [1, 1, 1, 1])
            let y = act("y", [shape[0], shape[1] > 1 ? shape[1] - 1 : 1, shape[2], shape[3]])
            b.op(.stridedSlice, [x, begin, end, strides], [y])
            io([x], [y])
        }

        mutating func softmax(_ shape: [Int], scale: Float) throws {
            let x = act("x", shape, Quantization(scale: scale, zeroPoint: 0))
            let y = act("y", shape, Quantization(scale: 1.0 / 256, zeroPoint: -128))
            b.op(.softmax, [x], [y]) { $0.beta = 1 }
            io([x], [y])
        }
    }
}
