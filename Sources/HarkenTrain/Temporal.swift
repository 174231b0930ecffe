// Temporal.swift: layers over time with their streaming geometry.
//
// A `TemporalStage` is one HarkenNN layer (usually conv + BatchNorm + activation) that is VALID
// along time: given T frames it returns (T - context) / stride + 1. A `TemporalChain` runs stages
// and causal residuals in order; the same chain runs on a whole window (training) or, through
// `StreamingRunner`, a few frames per step with each stage's last frames kept as state.

import HarkenNN

public final class TemporalStage {
    public enum Kind: Sendable { case conv, depthwise, pointwise, squeezeExcite, dropout, head }

    public let kind: Kind
    /// The block's name (`b3`, `head`), also the prefix of its parameters.
    public let name: String
    /// The layer the chain runs; quantization-aware training swaps in a folded, fake-quantized one.
    public internal(set) var layer: Layer
    /// Input frames kept between streaming steps: the dilated kernel minus the stride.
    public let stateFrames: Int
    public let stride: Int
    /// The parts an exporter reads.
    public let conv: Conv2D?
    public let depthwise: DepthwiseConv2D?
    public let batchNorm: BatchNorm?
    public let activation: ActivationKind?
    public let squeezeExcite: SqueezeExcite?
    /// For a MixConv depthwise: 1 for live taps, 0 for the taps a smaller kernel does not have.
    public let tapMask: [Float]?

    init(kind: Kind, name: String, layer: Layer, stateFrames: Int, stride: Int = 1, conv: Conv2D? = nil,
         depthwise: DepthwiseConv2D? = nil, batchNorm: BatchNorm? = nil, activation: ActivationKind? = nil,
         squeezeExcite: SqueezeExcite? = nil, tapMask: [Float]? = nil) {
        self.kind = kind; self.name = name; self.layer = layer; self.stateFrames = stateFrames; self.stride = stride
        self.conv = conv; self.depthwise = depthwise; self.batchNorm = batchNorm
        self.activation = activation; self.squeezeExcite = squeezeExcite; self.tapMask = tapMask
    }

    /// Output channels of the stage's convolution.
    var outChannels: Int { conv?.outChannels ?? depthwise!.channels }

    /// BatchNorm at inference as the per-channel affine map it is: k·x + shift, k = γ/σ,
    /// shift = β − μ·k (1 and 0 without one), and 1/σ.
    func batchNormAffine() -> (k: [Float], shift: [Float], inverseSigma: [Float]) {
        let c = outChannels
        guard let bn = batchNorm else {
            return ([Float](repeating: 1, count: c), [Float](repeating: 0, count: c), [Float](repeating: 1, count: c))
        }
        let inv = (0..<c).map { 1 / (bn.runningVariance.data[$0] + bn.epsilon).squareRoot() }
        let k = (0..<c).map { bn.gamma.value.data[$0] * inv[$0] }
        return (k, (0..<c).map { bn.beta.value.data[$0] - bn.runningMean.data[$0] * k[$0] }, inv)
    }

    /// The convolution's weights (its own layout, output channel last) and bias with the
    /// BatchNorm folded in: what every int8 and ONNX form of the stage computes with.
    public func foldedWeights() -> (weights: [Float], bias: [Float]) {
        let (k, shift, _) = batchNormAffine()
        let c = k.count
        var w = conv?.weight.value.data ?? depthwise!.weight.value.data
        for i in w.indices { w[i] *= k[i % c] }
        let b = (conv?.bias ?? depthwise?.bias)?.value.data ?? [Float](repeating: 0, count: c)
        return (w, (0..<c).map { shift[$0] + b[$0] * k[$0] })
    }

    /// Zeroes the taps a MixConv group does not have (weights and gradients).
    func applyTapMask() {
        guard let mask = tapMask, let dw = depthwise else { return }
        for i in 0..<mask.count where mask[i] == 0 {
            dw.weight.value.data[i] = 0
            dw.weight.grad.data[i] = 0
        }
    }
}

public final class TemporalChain: Layer {
    public enum Node {
        case stage(TemporalStage)
        /// x[last frames] + body(x).
        case residual(TemporalChain)
    }

    public let nodes: [Node]
    public let name: String
    private var residualInputFrames: [Int: Int] = [:]

    public init(_ nodes: [Node], name: String) { self.nodes = nodes; self.name = name }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        var x = input
        for (i, node) in nodes.enumerated() {
            switch node {
            case .stage(let s): x = s.layer.forward(x, training: training)
            case .residual(let body):
                let y = body.forward(x, training: training)
                if training { residualInputFrames[i] = x.shape[1] }
                x = y + Frames.last(y.shape[1], of: x)
            }
        }
        return x
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        var g = gradOutput
        for (i, node) in nodes.enumerated().reversed() {
            switch node {
            case .stage(let s): g = s.layer.backward(g)
            case .residual(let body):
                let skip = Frames.padFront(g, to: residualInputFrames[i]!)
                g = body.backward(g)
                g.add(skip)
            }
        }
        return g
    }

    public var parameters: [Parameter] { stages.flatMap { $0.layer.parameters } }

    public var buffers: [(name: String, value: Tensor)] { stages.compactMap(\.batchNorm).flatMap(\.buffers) }

    /// Every stage, depth first, in execution order.
    public var stages: [TemporalStage] {
        nodes.flatMap { node -> [TemporalStage] in
            switch node {
            case .stage(let s): return [s]
            case .residual(let body): return body.stages
            }
        }
    }
}

/// Wraps a layer so it sees each time frame as its own batch item ([N, T, W, C] → [N·T, 1, W, C]).
final class PerFrame: Layer {
    let inner: Layer
    private var shape: [Int] = []

    init(_ inner: Layer) { self.inner = inner }

    func forward(_ x: Tensor, training: Bool) -> Tensor {
        let (n, t, w, c) = x.nhwc
        shape = x.shape
        return inner.forward(x.reshaped([n * t, 1, w, c]), training: training).reshaped(x.shape)
    }

    func backward(_ gradOutput: Tensor) -> Tensor {
        let (n, t, w, c) = (shape[0], shape[1], shape[2], shape[3])
        return inner.backward(gradOutput.reshaped([n * t, 1, w, c])).reshaped(shape)
    }

    var parameters: [Parameter] { inner.parameters }
}

/// Frame (H axis) slicing of [N, T, W, C] tensors.
enum Frames {
    /// The last `count` frames of each batch item.
    static func last(_ count: Int, of x: Tensor) -> Tensor {
        let (n, t, w, c) = x.nhwc
        precondition(count <= t, "Frames.last: \(count) of \(t) frames")
        let row = w * c
        var out = Tensor(zeros: [n, count, w, c])
        for b in 0..<n {
            let src = (b * t + t - count) * row, dst = b * count * row
            for i in 0..<(count * row) { out.data[dst + i] = x.data[src + i] }
        }
        return out
    }

    /// Zero frames in front, up to `frames`.
    static func padFront(_ x: Tensor, to frames: Int) -> Tensor {
        let (n, t, w, c) = x.nhwc
        let row = w * c
        var out = Tensor(zeros: [n, frames, w, c])
        for b in 0..<n {
            let src = b * t * row, dst = (b * frames + frames - t) * row
            for i in 0..<(t * row) { out.data[dst + i] = x.data[src + i] }
        }
        return out
    }

    /// a then b along time (batch 1 or equal batches).
    static func concat(_ a: Tensor, _ b: Tensor) -> Tensor {
        let (n, ta, w, c) = a.nhwc
        let tb = b.shape[1]
        precondition(b.shape[0] == n && b.shape[2] == w && b.shape[3] == c,
                     "Frames.concat: shapes \(a.shape) and \(b.shape)")
        let row = w * c
        var out = Tensor(zeros: [n, ta + tb, w, c])
        for i in 0..<n {
            for j in 0..<(ta * row) { out.data[(i * (ta + tb)) * row + j] = a.data[i * ta * row + j] }
            for j in 0..<(tb * row) { out.data[(i * (ta + tb) + ta) * row + j] = b.data[i * tb * row + j] }
        }
        return out
    }
}
