// SentryExport.swift: a trained Sentry as an int8 streaming graph, the layout microWakeWord
// and ESPHome use.
//
// Per step the graph takes `inputStride` int8 feature frames [1, stride, features]; each layer
// with history reads its state variable, concatenates the new frames, writes the newest frames
// back and runs its kernel VALID over the buffer. BatchNorm is folded into the convolution
// before it, ReLU/ReLU6 fuse into the kernel, hard-swish is its own op. Weights are symmetric
// per output channel, activations asymmetric per tensor from calibrated ranges. The output is
// LOGISTIC then QUANTIZE to a uint8 probability (scale 1/256), as ESPHome expects.

import Foundation
import HarkenAudio
import HarkenGraph
import HarkenNN

/// Activation ranges observed on calibration windows, by tensor role (`b3.out`, `b3.pre`, ...).
public struct ActivationRanges: Sendable {
    public var ranges: [String: (min: Float, max: Float)] = [:]

    public init() {}

    mutating func observe(_ key: String, _ t: HarkenNN.Tensor) {
        var lo = ranges[key]?.min ?? .infinity, hi = ranges[key]?.max ?? -.infinity
        for v in t.data { lo = min(lo, v); hi = max(hi, v) }
        ranges[key] = (lo, hi)
    }

    /// {"b0.out": [min, max], ...}
    public var json: String {
        let d = ranges.mapValues { [Double($0.min), Double($0.max)] }
        return String(decoding: (try? JSONSerialization.data(withJSONObject: d, options: [.sortedKeys])) ?? Data("{}".utf8), as: UTF8.self)
    }

    public init?(json: String) {
        guard let d = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: [Double]] else { return nil }
        for (k, v) in d where v.count == 2 { ranges[k] = (Float(v[0]), Float(v[1])) }
    }

    func quantization(_ key: String) throws -> Quantization {
        guard let r = ranges[key] else { throw TrainError.config("no calibrated range for \(key)") }
        return .int8(min: r.min, max: r.max)
    }
}

extension SentryModel {
    /// Frontend features of a clip as the model's float input [1, frames, 1, channels]: the
    /// frontend's values / 25.6, the scale microWakeWord trains with.
    public static func features(_ audio: Audio) throws -> HarkenNN.Tensor {
        let frames = try Frontend().features(of: audio)
        let data = frames.flatMap { $0.map { Float($0) / 25.6 } }
        return HarkenNN.Tensor(shape: [1, frames.count, 1, frames.first?.count ?? 40], data: data)
    }

    /// A squeeze-excite gate in int8: [0, 255/256] (see `Emitter.squeezeExcite`).
    public static let gateQuantization = Quantization(scale: 1.0 / 256, zeroPoint: -128)

    /// The microWakeWord input quantization: features (frontend output / 25.6, 0...26) as int8.
    public static let inputQuantization = Quantization(scale: 26.0 / 255.0, zeroPoint: -128)

    /// Runs windows [N, T, 1, features] (inference mode), 128 at a time to bound the activations
    /// held, and records every exported tensor's range.
    public func calibrate(_ windows: HarkenNN.Tensor, into ranges: inout ActivationRanges) {
        let n = windows.shape[0], per = windows.count / max(n, 1)
        for lo in stride(from: 0, to: n, by: 128) {
            let hi = min(lo + 128, n)
            _ = observe(chain, HarkenNN.Tensor(shape: [hi - lo] + Array(windows.shape.dropFirst()),
                                               data: Array(windows.data[(lo * per)..<(hi * per)])), &ranges)
        }
    }

    private func observe(_ c: TemporalChain, _ input: HarkenNN.Tensor, _ r: inout ActivationRanges) -> HarkenNN.Tensor {
        var x = input
        for node in c.nodes {
            switch node {
            case .stage(let s):
                switch s.kind {
                case .conv, .pointwise, .depthwise:
                    var y = s.conv?.forward(x, training: false) ?? s.depthwise!.forward(x, training: false)
                    y = s.batchNorm!.forward(y, training: false)
                    r.observe("\(s.name).pre", y)
                    if let a = s.activation { for i in 0..<y.count { y.data[i] = a.apply(y.data[i]) } }
                    x = y
                case .squeezeExcite:
                    let se = s.squeezeExcite!
                    let frames = x.reshaped([x.count / se.squeeze.inFeatures, se.squeeze.inFeatures])
                    var hidden = se.squeeze.forward(frames, training: false)
                    for i in 0..<hidden.count { hidden.data[i] = max(hidden.data[i], 0) }
                    r.observe("\(s.name).hidden", hidden)
                    x = s.layer.forward(x, training: false)
                case .dropout: continue
                case .head: x = s.layer.forward(x, training: false)
                }
                r.observe("\(s.name).out", x)
            case .residual(let body):
                let y = observe(body, x, &r)
                x = y + Frames.last(y.shape[1], of: x)
                r.observe("\(body.name).out", x)
            }
        }
        return x
    }

    /// The int8 streaming graph of this model with the given activation ranges.
    public func streamingGraph(ranges: ActivationRanges, description: String) throws -> Graph {
        try graph(ranges: ranges, description: description, streaming: true)
    }

    /// The int8 graph over one whole window ([1, windowFrames, features] in, one probability out,
    /// no state): the form a Judge runs in on each window a Sentry hands over.
    public func windowGraph(ranges: ActivationRanges, description: String) throws -> Graph {
        try graph(ranges: ranges, description: description, streaming: false)
    }

    private func graph(ranges: ActivationRanges, description: String, streaming: Bool) throws -> Graph {
        var b = GraphBuilder()
        let s = streaming ? spec.inputStride : spec.windowFrames, f = spec.features
        let qIn = SentryModel.inputQuantization
        let input = b.tensor("input", .int8, [1, s, f], qIn)
        b.inputs = [input]
        let x4 = b.tensor("input/frames", .int8, [1, s, 1, f], qIn)
        b.op(.reshape, [input, b.int32s("input/shape", [1, s, 1, f])], [x4])
        var e = Emitter(builder: b, ranges: ranges, streaming: streaming)
        let logit = try e.chain(chain, Value(index: x4, frames: s, channels: f, q: qIn))
        b = e.builder

        let flat = b.tensor("logit/flat", .int8, [1, 1], logit.q)
        b.op(.reshape, [logit.index, b.int32s("logit/shape", [1, 1])], [flat])
        let probability = b.tensor("probability/int8", .int8, [1, 1], Quantization(scale: 1.0 / 256, zeroPoint: -128))
        b.op(.logistic, [flat], [probability])
        let out = b.tensor("probability", .uint8, [1, 1], Quantization(scale: 1.0 / 256, zeroPoint: 0))
        b.op(.quantize, [probability], [out])
        b.outputs = [out]
        return try b.build(description: description)
    }
}

/// A tensor of the streaming graph: its index, frames along time, channels and quantization.
struct Value {
    var index: Int
    var frames: Int
    var channels: Int
    var q: Quantization
}

private struct Emitter {
    var builder: GraphBuilder
    let ranges: ActivationRanges
    /// Streaming: each layer keeps its history in a state variable. Otherwise the input is a whole
    /// window and every layer runs VALID over what the one before left.
    let streaming: Bool

    mutating func chain(_ c: TemporalChain, _ input: Value) throws -> Value {
        var x = input
        for node in c.nodes {
            switch node {
            case .stage(let s): x = try stage(s, x)
            case .residual(let body):
                let y = try chain(body, x)
                let skip = y.frames == x.frames ? x.index : newest(y.frames, of: x, name: body.name)
                let q = try ranges.quantization("\(body.name).out")
                let out = builder.tensor("\(body.name)/add", .int8, [1, y.frames, 1, y.channels], q)
                builder.op(.add, [y.index, skip], [out])
                x = Value(index: out, frames: y.frames, channels: y.channels, q: q)
            }
        }
        return x
    }

    /// The newest `frames` frames of `x` (a residual's skip path over a whole window).
    mutating func newest(_ frames: Int, of x: Value, name: String) -> Int {
        let out = builder.tensor("\(name)/skip", .int8, [1, frames, 1, x.channels], x.q)
        builder.op(.stridedSlice, [x.index, builder.int32s("\(name)/skip_begin", [0, x.frames - frames, 0, 0]),
                                   builder.int32s("\(name)/skip_end", [1, x.frames, 1, x.channels]),
                                   builder.int32s("\(name)/skip_strides", [1, 1, 1, 1])], [out])
        return out
    }

    /// Prepends the stage's state to `x` and stores the newest frames back.
    mutating func withHistory(_ s: TemporalStage, _ x: Value) -> Value {
        guard streaming, s.stateFrames > 0 else { return x }
        let shape = [1, s.stateFrames, 1, x.channels]
        let zero = UInt8(bitPattern: Int8(x.q.zeroPoint))
        let v = builder.variable("\(s.name)/state", .int8, shape, x.q,
                                 initial: [UInt8](repeating: zero, count: shape.reduce(1, *)))
        let past = builder.read(v)
        let frames = s.stateFrames + x.frames
        let window = builder.tensor("\(s.name)/window", .int8, [1, frames, 1, x.channels], x.q)
        builder.op(.concatenation, [past, x.index], [window]) { $0.axis = 1 }
        let next = builder.tensor("\(s.name)/next_state", .int8, shape, x.q)
        builder.op(.stridedSlice, [window, builder.int32s("\(s.name)/begin", [0, x.frames, 0, 0]),
                                   builder.int32s("\(s.name)/end", [1, frames, 1, x.channels]),
                                   builder.int32s("\(s.name)/strides", [1, 1, 1, 1])], [next])
        builder.assign(v, next)
        return Value(index: window, frames: frames, channels: x.channels, q: x.q)
    }

    mutating func stage(_ s: TemporalStage, _ input: Value) throws -> Value {
        switch s.kind {
        case .dropout: return input
        case .squeezeExcite: return try squeezeExcite(s, input)
        case .conv, .pointwise, .depthwise, .head: break
        }
        let x = withHistory(s, input)
        let (kh, cout) = (s.conv?.kernel.h ?? s.depthwise!.kernel.h, s.outChannels)
        let (w, bias) = s.foldedWeights()    // [kh, 1, cin, cout] or [kh, 1, c]
        let stride = s.conv?.stride.h ?? 1
        let dilation = s.conv?.dilation.h ?? s.depthwise!.dilation.h
        let outFrames = (x.frames - ((kh - 1) * dilation + 1)) / stride + 1
        let fused: Int32 = s.activation == .relu ? 1 : (s.activation == .relu6 ? 3 : 0)
        let separate = s.activation != nil && fused == 0
        let qOut = try ranges.quantization("\(s.name).out")
        let qConv = separate ? try ranges.quantization("\(s.name).pre") : qOut
        let convOut = builder.tensor("\(s.name)/\(s.kind == .depthwise ? "depthwise" : "conv")", .int8,
                                     [1, outFrames, 1, cout], qConv)

        let sw: SymmetricWeights, filter: Int
        if s.conv != nil {
            // HarkenNN [kh, 1, cin, cout] → TFLite [cout, kh, 1, cin].
            let cin = x.channels
            var t = [Float](repeating: 0, count: w.count)
            for k in 0..<kh { for i in 0..<cin { for o in 0..<cout { t[(o * kh + k) * cin + i] = w[(k * cin + i) * cout + o] } } }
            sw = SymmetricWeights(t, channels: cout) { $0 / (kh * cin) }
            filter = builder.tensor("\(s.name)/filter", .int8, [cout, kh, 1, cin], sw.quantization(axis: 0), data: sw.bytes)
        } else {
            sw = SymmetricWeights(w, channels: cout) { $0 % cout }
            filter = builder.tensor("\(s.name)/filter", .int8, [1, kh, 1, cout], sw.quantization(axis: 3), data: sw.bytes)
        }
        let qb = sw.bias(bias, inputScale: x.q.scale)
        let biasT = builder.tensor("\(s.name)/bias", .int32, [cout], qb.quantization, data: qb.bytes)
        builder.op(s.conv != nil ? .conv2d : .depthwiseConv2d, [x.index, filter, biasT], [convOut]) { o in
            o.padding = 1
            o.strideH = Int32(stride); o.strideW = 1
            o.dilationH = Int32(dilation); o.dilationW = 1
            o.depthMultiplier = 1
            o.activation = fused
        }
        guard separate else { return Value(index: convOut, frames: outFrames, channels: cout, q: qOut) }
        guard s.activation == .hardSwish else {
            throw TrainError.config("\(s.name): activation \(s.activation!.rawValue) has no int8 export")
        }
        let out = builder.tensor("\(s.name)/hard_swish", .int8, [1, outFrames, 1, cout], qOut)
        builder.op(.hardSwish, [convOut], [out])
        return Value(index: out, frames: outFrames, channels: cout, q: qOut)
    }

    /// gate = hard-sigmoid(excite(relu(squeeze(x)))); the gate's int8 range [0, 255/256] clamps where
    /// hard-sigmoid does (up to its last 1/256), so relu6(v + 3) / 6 is the excite layer with weights / 6
    /// and bias (b + 3) / 6 and no op of its own. Both dense layers are 1×1 CONV_2D with per-channel
    /// weights rather than FULLY_CONNECTED, and the product keeps x's quantization (x · gate stays in
    /// x's range): LiteRT's reference FULLY_CONNECTED rescales with a single rounding where TFLM rounds
    /// twice, and its MUL computes the rescale factor s_x·s_gate/s_out in float32 where TFLM uses
    /// double; with s_gate = 2⁻⁸ and s_out = s_x the factor is exactly 2⁻⁸ in both.
    mutating func squeezeExcite(_ s: TemporalStage, _ x: Value) throws -> Value {
        let se = s.squeezeExcite!
        func pointwise(_ d: Dense, _ input: Int, _ inScale: Float, scale: Float, shift: Float, name: String,
                       out: Quantization, relu: Bool) -> Int {
            // HarkenNN [in, out] → TFLite [out, 1, 1, in].
            let (nIn, nOut) = (d.inFeatures, d.outFeatures)
            var t = [Float](repeating: 0, count: nIn * nOut)
            for i in 0..<nIn { for o in 0..<nOut { t[o * nIn + i] = d.weight.value.data[i * nOut + o] * scale } }
            let sw = SymmetricWeights(t, channels: nOut) { $0 / nIn }
            let wt = builder.tensor("\(name)/filter", .int8, [nOut, 1, 1, nIn], sw.quantization(axis: 0), data: sw.bytes)
            let b = (d.bias?.value.data ?? [Float](repeating: 0, count: nOut)).map { ($0 + shift) * scale }
            let qb = sw.bias(b, inputScale: inScale)
            let bt = builder.tensor("\(name)/bias", .int32, [nOut], qb.quantization, data: qb.bytes)
            let y = builder.tensor(name, .int8, [1, x.frames, 1, nOut], out)
            builder.op(.conv2d, [input, wt, bt], [y]) { o in
                o.padding = 1
                o.strideH = 1; o.strideW = 1
                o.dilationH = 1; o.dilationW = 1
                o.activation = relu ? 1 : 0
            }
            return y
        }
        let qHidden = try ranges.quantization("\(s.name).hidden")
        let hidden = pointwise(se.squeeze, x.index, x.q.scale, scale: 1, shift: 0, name: "\(s.name)/squeeze",
                               out: qHidden, relu: true)
        let gate = pointwise(se.excite, hidden, qHidden.scale, scale: 1.0 / 6, shift: 3, name: "\(s.name)/gate",
                             out: SentryModel.gateQuantization, relu: false)
        let out = builder.tensor("\(s.name)/out", .int8, [1, x.frames, 1, x.channels], x.q)
        builder.op(.mul, [x.index, gate], [out])
        return Value(index: out, frames: x.frames, channels: x.channels, q: x.q)
    }
}
