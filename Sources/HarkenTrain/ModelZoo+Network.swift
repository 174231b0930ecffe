// ModelZoo+Network.swift: a float network grown layer by layer on a calibration batch. Each layer
// runs as it is added, so its BatchNorm statistics and its activation range come from the batch;
// the finished network is written as an int8 graph with TFLite's conventions.

import Foundation
import HarkenGraph
import HarkenNN

struct ZooNetwork {
    struct Window {
        var kernel: (h: Int, w: Int)
        var stride: (h: Int, w: Int)
        var padding: Padding
    }

    /// A fused activation: none, ReLU or ReLU6 (TFLite's codes 0, 1, 3).
    enum Activation: Int32 {
        case none = 0, relu = 1, relu6 = 3
    }

    enum Node {
        case input
        /// Weight HWIO [kh, kw, cin, cout], BatchNorm folded in.
        case conv(x: Int, weight: [Float], bias: [Float], window: Window, outChannels: Int, activation: Activation)
        /// Weight [kh, kw, c].
        case depthwise(x: Int, weight: [Float], bias: [Float], window: Window, activation: Activation)
        case add(Int, Int, relu: Bool)
        /// Average over the whole map: [N, H, W, C] -> [N, 1, 1, C].
        case averagePool(Int)
        /// [N, ..., C] -> [N, C] (the map is 1 x 1 by then).
        case flatten(Int)
        /// Weight [in, out].
        case dense(x: Int, weight: [Float], bias: [Float], outFeatures: Int)
        case softmax(Int)
    }

    private(set) var nodes: [Node] = [.input]
    /// Each node's output on the calibration batch.
    private(set) var values: [HarkenNN.Tensor]
    private(set) var ranges: [(min: Float, max: Float)]
    private var rng: SeededGenerator

    init(input: HarkenNN.Tensor, seed: UInt64) {
        values = [input]
        ranges = [ZooNetwork.range(input.data)]
        rng = SeededGenerator(seed: seed)
    }

    var last: Int { nodes.count - 1 }

    private static func range(_ v: [Float]) -> (min: Float, max: Float) {
        (v.min() ?? 0, v.max() ?? 0)
    }

    private mutating func append(_ node: Node, _ value: HarkenNN.Tensor) -> Int {
        nodes.append(node)
        values.append(value)
        ranges.append(ZooNetwork.range(value.data))
        return last
    }

    /// Folds a BatchNorm into `raw` (the layer's output without bias) as training would have left it:
    /// mean and variance per channel from the batch, scale and shift seeded. Returns the per-channel
    /// factor for the weights, the folded bias, and the normalised output.
    private mutating func batchNorm(_ raw: HarkenNN.Tensor, channels c: Int) -> (scale: [Float], bias: [Float], y: HarkenNN.Tensor) {
        var sum = [Double](repeating: 0, count: c), sq = [Double](repeating: 0, count: c)
        for (i, v) in raw.data.enumerated() { sum[i % c] += Double(v); sq[i % c] += Double(v) * Double(v) }
        let n = Double(raw.count / c)
        var scale = [Float](repeating: 0, count: c), bias = [Float](repeating: 0, count: c)
        for ch in 0..<c {
            let mean = sum[ch] / n, variance = max(sq[ch] / n - mean * mean, 0)
            let gamma = 0.5 + Double(rng.nextUniform()), beta = -0.5 + 1.5 * Double(rng.nextUniform())
            scale[ch] = Float(gamma / (variance + 1e-3).squareRoot())
            bias[ch] = Float(beta - mean * Double(scale[ch]))
        }
        var y = raw
        for i in y.data.indices { y.data[i] = y.data[i] * scale[i % c] + bias[i % c] }
        return (scale, bias, y)
    }

    private static func relu(_ t: inout HarkenNN.Tensor) {
        for i in t.data.indices where t.data[i] < 0 { t.data[i] = 0 }
    }

    private static func apply(_ a: Activation, _ t: inout HarkenNN.Tensor) {
        switch a {
        case .none: break
        case .relu: relu(&t)
        case .relu6: for i in t.data.indices { t.data[i] = min(max(t.data[i], 0), 6) }
        }
    }

    /// Convolution (+ folded BatchNorm when `batchNorm`, + the activation).
    @discardableResult
    mutating func conv(_ x: Int, out: Int, kernel: (Int, Int), stride: (Int, Int) = (1, 1), padding: Padding,
                       batchNorm bn: Bool = true, relu: Bool = false, activation: Activation? = nil) -> Int {
        let activation = activation ?? (relu ? .relu : .none)
        let cin = values[x].shape[3]
        let layer = HarkenNN.Conv2D(inChannels: cin, outChannels: out, kernel: kernel, stride: stride, padding: padding,
                                    useBias: false, rng: &rng)
        var y = layer.forward(values[x], training: false)
        var weight = layer.weight.value.data, bias = [Float](repeating: 0, count: out)
        if bn {
            let folded = batchNorm(y, channels: out)
            for i in weight.indices { weight[i] *= folded.scale[i % out] }
            (bias, y) = (folded.bias, folded.y)
        }
        ZooNetwork.apply(activation, &y)
        return append(.conv(x: x, weight: weight, bias: bias, window: Window(kernel: kernel, stride: stride, padding: padding),
                            outChannels: out, activation: activation), y)
    }

    /// Depthwise convolution, depth multiplier 1 (+ folded BatchNorm, + the activation).
    @discardableResult
    mutating func depthwise(_ x: Int, kernel: (Int, Int), stride: (Int, Int) = (1, 1), padding: Padding,
                            batchNorm bn: Bool = true, relu: Bool = false, activation: Activation? = nil) -> Int {
        let activation = activation ?? (relu ? .relu : .none)
        let c = values[x].shape[3]
        let layer = HarkenNN.DepthwiseConv2D(channels: c, kernel: kernel, stride: stride, padding: padding, useBias: false, rng: &rng)
        var y = layer.forward(values[x], training: false)
        var weight = layer.weight.value.data, bias = [Float](repeating: 0, count: c)
        if bn {
            let folded = batchNorm(y, channels: c)
            for i in weight.indices { weight[i] *= folded.scale[i % c] }
            (bias, y) = (folded.bias, folded.y)
        }
        ZooNetwork.apply(activation, &y)
        return append(.depthwise(x: x, weight: weight, bias: bias, window: Window(kernel: kernel, stride: stride, padding: padding),
                                 activation: activation), y)
    }

    @discardableResult
    mutating func add(_ a: Int, _ b: Int, relu: Bool) -> Int {
        var y = values[a]
        for i in y.data.indices { y.data[i] += values[b].data[i] }
        if relu { ZooNetwork.relu(&y) }
        return append(.add(a, b, relu: relu), y)
    }

    @discardableResult
    mutating func averagePool(_ x: Int) -> Int {
        let pooled = GlobalAveragePool().forward(values[x], training: false)
        return append(.averagePool(x), pooled.reshaped([pooled.shape[0], 1, 1, pooled.shape[1]]))
    }

    @discardableResult
    mutating func flatten(_ x: Int) -> Int {
        let v = values[x]
        return append(.flatten(x), v.reshaped([v.shape[0], v.count / v.shape[0]]))
    }

    @discardableResult
    mutating func dense(_ x: Int, out: Int) -> Int {
        let layer = Dense(inFeatures: values[x].shape[1], outFeatures: out, useBias: true, rng: &rng)
        layer.bias!.value = .normal([out], std: 0.1, using: &rng)
        return append(.dense(x: x, weight: layer.weight.value.data, bias: layer.bias!.value.data, outFeatures: out),
                      layer.forward(values[x], training: false))
    }

    @discardableResult
    mutating func softmax(_ x: Int) -> Int {
        var y = values[x]
        let depth = y.shape[1]
        for r in 0..<(y.count / depth) {
            let row = y.data[(r * depth)..<((r + 1) * depth)]
            let top = row.max() ?? 0
            let e = row.map { exp($0 - top) }, total = e.reduce(0, +)
            for (k, v) in e.enumerated() { y.data[r * depth + k] = v / total }
        }
        return append(.softmax(x), y)
    }

    // MARK: - The published architectures

    /// Hello Edge's DS-CNN: a 10x4 convolution, then depthwise 3x3 + pointwise blocks, each followed by
    /// BatchNorm and ReLU, SAME padding; an average pool over the whole map, 12 classes.
    mutating func dsCNN(filters: Int, firstStride: (Int, Int), blocks: Int, firstBlockStride: Int) {
        var x = conv(0, out: filters, kernel: (10, 4), stride: firstStride, padding: .same, relu: true)
        for b in 0..<blocks {
            let s = b == 0 ? firstBlockStride : 1
            x = depthwise(x, kernel: (3, 3), stride: (s, s), padding: .same, relu: true)
            x = conv(x, out: filters, kernel: (1, 1), padding: .valid, relu: true)
        }
        softmax(dense(flatten(averagePool(x)), out: 12))
    }

    /// MLPerf Tiny's streaming wake-word net over its 1 s window (30 frames x 40 features): four
    /// blocks of a VALID k x 1 depthwise convolution (k = 3, 5, 10, 15; no BatchNorm or activation
    /// of its own) and a pointwise convolution with BatchNorm and ReLU (128, 128, 128, 32 filters),
    /// the last leaving one frame; then 3 classes. The reference's streaming form differs only in
    /// keeping each depthwise layer's past frames between calls.
    mutating func streamingWakeWord() {
        var x = 0
        for (k, f) in zip([3, 5, 10, 15], [128, 128, 128, 32]) {
            x = depthwise(x, kernel: (k, 1), padding: .valid, batchNorm: false, relu: false)
            x = conv(x, out: f, kernel: (1, 1), padding: .valid, relu: true)
        }
        softmax(dense(flatten(x), out: 3))
    }

    /// MLPerf Tiny's ResNet-8 (ResNet v1, CIFAR-10): a 3x3 convolution of 16 filters, then three
    /// stacks of two 3x3 convolutions (16, 32, 64 filters; the last two stacks stride 2 with a 1x1
    /// strided shortcut convolution), each stack closed by ADD + ReLU; average pool, 10 classes.
    mutating func resnet8() {
        var x = conv(0, out: 16, kernel: (3, 3), padding: .same, relu: true)
        for (filters, stride) in [(16, 1), (32, 2), (64, 2)] {
            var y = conv(x, out: filters, kernel: (3, 3), stride: (stride, stride), padding: .same, relu: true)
            y = conv(y, out: filters, kernel: (3, 3), padding: .same, relu: false)
            let shortcut = stride == 1 ? x : conv(x, out: filters, kernel: (1, 1), stride: (stride, stride), padding: .same,
                                                  batchNorm: false, relu: false)
            x = add(shortcut, y, relu: true)
        }
        softmax(dense(flatten(averagePool(x)), out: 10))
    }

    /// MLPerf Tiny's visual wake words net, MobileNetV1 with width 0.25 on 96 x 96 x 3 images: a 3x3
    /// stride-2 convolution of 8 filters, then 13 depthwise 3x3 + pointwise blocks (16, 32, 32, 64, 64,
    /// 128 x 6, 256, 256 filters; blocks 2, 4, 6 and 12 stride 2), BatchNorm and ReLU6 after each,
    /// SAME padding; average pool over the 3 x 3 map, 2 classes.
    mutating func mobileNetV1VWW() {
        var x = conv(0, out: 8, kernel: (3, 3), stride: (2, 2), padding: .same, activation: .relu6)
        let blocks = [(16, 1), (32, 2), (32, 1), (64, 2), (64, 1), (128, 2), (128, 1), (128, 1), (128, 1), (128, 1), (128, 1),
                      (256, 2), (256, 1)]
        for (filters, s) in blocks {
            x = depthwise(x, kernel: (3, 3), stride: (s, s), padding: .same, activation: .relu6)
            x = conv(x, out: filters, kernel: (1, 1), padding: .same, activation: .relu6)
        }
        softmax(dense(flatten(averagePool(x)), out: 2))
    }

    // MARK: - int8

    func graph(description: String) throws -> Graph {
        var b = GraphBuilder()
        var index: [Int] = [], quant: [Quantization] = []
        func shape(_ i: Int) -> [Int] { [1] + values[i].shape.dropFirst() }
        for (i, node) in nodes.enumerated() {
            let q = Quantization.int8(min: ranges[i].min, max: ranges[i].max)
            let name = "n\(i)"
            switch node {
            case .input:
                let t = b.tensor("input", .int8, shape(i), q)
                b.inputs = [t]
                index.append(t); quant.append(q)

            case let .conv(x, weight, bias, window, cout, activation):
                let (kh, kw, cin) = (window.kernel.h, window.kernel.w, values[x].shape[3])
                // HWIO -> TFLite's [cout, kh, kw, cin].
                var t = [Float](repeating: 0, count: weight.count)
                for o in 0..<cout { for k in 0..<(kh * kw) { for c in 0..<cin { t[(o * kh * kw + k) * cin + c] = weight[(k * cin + c) * cout + o] } } }
                let sw = SymmetricWeights(t, channels: cout) { $0 / (kh * kw * cin) }
                let filter = b.tensor("\(name)/filter", .int8, [cout, kh, kw, cin], sw.quantization(axis: 0), data: sw.bytes)
                let qb = sw.bias(bias, inputScale: quant[x].scale)
                let biasT = b.tensor("\(name)/bias", .int32, [cout], qb.quantization, data: qb.bytes)
                let y = b.tensor("\(name)/conv", .int8, shape(i), q)
                b.op(.conv2d, [index[x], filter, biasT], [y]) { ZooNetwork.set(&$0, window, activation) }
                index.append(y); quant.append(q)

            case let .depthwise(x, weight, bias, window, activation):
                let c = values[x].shape[3]
                let sw = SymmetricWeights(weight, channels: c) { $0 % c }
                let filter = b.tensor("\(name)/filter", .int8, [1, window.kernel.h, window.kernel.w, c], sw.quantization(axis: 3), data: sw.bytes)
                let qb = sw.bias(bias, inputScale: quant[x].scale)
                let biasT = b.tensor("\(name)/bias", .int32, [c], qb.quantization, data: qb.bytes)
                let y = b.tensor("\(name)/depthwise", .int8, shape(i), q)
                b.op(.depthwiseConv2d, [index[x], filter, biasT], [y]) { o in
                    ZooNetwork.set(&o, window, activation)
                    o.depthMultiplier = 1
                }
                index.append(y); quant.append(q)

            case let .add(x, z, relu):
                let y = b.tensor("\(name)/add", .int8, shape(i), q)
                b.op(.add, [index[x], index[z]], [y]) { $0.activation = relu ? 1 : 0 }
                index.append(y); quant.append(q)

            case let .averagePool(x):
                // TFLite's int8 AVERAGE_POOL_2D keeps its input's quantization.
                let (h, w) = (values[x].shape[1], values[x].shape[2])
                let y = b.tensor("\(name)/average_pool", .int8, shape(i), quant[x])
                b.op(.averagePool2d, [index[x]], [y]) { o in
                    o.padding = 1
                    o.filterH = Int32(h); o.filterW = Int32(w)
                    o.strideH = 1; o.strideW = 1
                }
                index.append(y); quant.append(quant[x])

            case let .flatten(x):
                let y = b.tensor("\(name)/flat", .int8, shape(i), quant[x])
                b.op(.reshape, [index[x], b.int32s("\(name)/shape", shape(i))], [y])
                index.append(y); quant.append(quant[x])

            case let .dense(x, weight, bias, out):
                let nIn = values[x].shape[1]
                var t = [Float](repeating: 0, count: weight.count)
                for i in 0..<nIn { for o in 0..<out { t[o * nIn + i] = weight[i * out + o] } }
                let sw = SymmetricWeights(t, channels: 1) { _ in 0 }
                let w = b.tensor("\(name)/weights", .int8, [out, nIn], sw.quantization(axis: 0), data: sw.bytes)
                let qb = sw.bias(bias, inputScale: quant[x].scale)
                let biasT = b.tensor("\(name)/bias", .int32, [out], qb.quantization, data: qb.bytes)
                let y = b.tensor("\(name)/logits", .int8, shape(i), q)
                b.op(.fullyConnected, [index[x], w, biasT], [y])
                index.append(y); quant.append(q)

            case let .softmax(x):
                let qs = Quantization(scale: 1.0 / 256, zeroPoint: -128)
                let y = b.tensor("probabilities", .int8, shape(i), qs)
                b.op(.softmax, [index[x]], [y]) { $0.beta = 1 }
                index.append(y); quant.append(qs)
            }
        }
        b.outputs = [index[last]]
        return try b.build(description: description)
    }

    private static func set(_ o: inout OperatorOptions, _ w: Window, _ activation: Activation) {
        o.padding = w.padding == .same ? 0 : 1
        o.strideH = Int32(w.stride.h); o.strideW = Int32(w.stride.w)
        o.dilationH = 1; o.dilationW = 1
        o.activation = activation.rawValue
    }
}
