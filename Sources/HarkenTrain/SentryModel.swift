// SentryModel.swift: a Sentry built from its spec, trainable on windows, runnable as a stream.

import HarkenNN
import HarkenSupport

public final class SentryModel {
    public let spec: SentrySpec
    public let chain: TemporalChain

    public init(spec: SentrySpec, seed: UInt64) {
        self.spec = spec
        var rng = SeededGenerator(seed: seed)
        var channels = spec.features
        var index = 0
        var nodes = SentryModel.build(spec.blocks, channels: &channels, index: &index, rng: &rng)
        if spec.dropout > 0 {
            nodes.append(.stage(TemporalStage(kind: .dropout, name: "dropout", layer: Dropout(rate: spec.dropout, seed: seed ^ 0xD5),
                                              stateFrames: 0)))
        }
        let head = Conv2D(name: "head", inChannels: channels, outChannels: 1, kernel: (spec.headFrames, 1),
                          padding: .valid, rng: &rng)
        nodes.append(.stage(TemporalStage(kind: .head, name: "head", layer: head, stateFrames: spec.headFrames - 1, conv: head)))
        chain = TemporalChain(nodes, name: "sentry")
        for s in chain.stages { s.applyTapMask() }
    }

    private static func build(_ blocks: [SentryBlock], channels: inout Int, index: inout Int,
                              rng: inout SeededGenerator) -> [TemporalChain.Node] {
        var nodes: [TemporalChain.Node] = []
        for block in blocks {
            let name = "b\(index)"
            index += 1
            switch block {
            case .conv(let filters, let k, let s, let d, let act):
                let conv = Conv2D(name: "\(name).conv", inChannels: channels, outChannels: filters, kernel: (k, 1),
                                  stride: (s, 1), dilation: (d, 1), padding: .valid, useBias: false, rng: &rng)
                let bn = BatchNorm(name: "\(name).bn", channels: filters)
                nodes.append(.stage(TemporalStage(kind: .conv, name: name, layer: Sequential([conv, bn, Activation(act)]),
                                                  stateFrames: (k - 1) * d + 1 - s, stride: s,
                                                  conv: conv, batchNorm: bn, activation: act)))
                channels = filters
            case .pointwise(let filters, let act):
                let conv = Conv2D(name: "\(name).conv", inChannels: channels, outChannels: filters, kernel: (1, 1),
                                  padding: .valid, useBias: false, rng: &rng)
                let bn = BatchNorm(name: "\(name).bn", channels: filters)
                let layers: [Layer] = [conv, bn] + (act.map { [Activation($0)] } ?? [])
                nodes.append(.stage(TemporalStage(kind: .pointwise, name: name, layer: Sequential(layers), stateFrames: 0,
                                                  conv: conv, batchNorm: bn, activation: act)))
                channels = filters
            case .depthwise(let kernels, let d, let act):
                let kmax = kernels.max()!
                let dw = DepthwiseConv2D(name: "\(name).dw", channels: channels, kernel: (kmax, 1),
                                         dilation: (d, 1), padding: .valid, useBias: false, rng: &rng)
                let bn = BatchNorm(name: "\(name).bn", channels: channels)
                let layers: [Layer] = [dw, bn] + (act.map { [Activation($0)] } ?? [])
                nodes.append(.stage(TemporalStage(kind: .depthwise, name: name, layer: Sequential(layers),
                                                  stateFrames: (kmax - 1) * d, depthwise: dw, batchNorm: bn,
                                                  activation: act,
                                                  tapMask: mixConvMask(kernels, channels: channels))))
            case .squeezeExcite(let reduced):
                let se = SqueezeExcite(name: "\(name).se", channels: channels, reduced: reduced, rng: &rng)
                nodes.append(.stage(TemporalStage(kind: .squeezeExcite, name: name, layer: PerFrame(se), stateFrames: 0,
                                                  squeezeExcite: se)))
            case .residual(let body):
                let before = channels
                let inner = build(body, channels: &channels, index: &index, rng: &rng)
                precondition(channels == before, "Sentry \(name): a residual body must keep \(before) channels")
                nodes.append(.residual(TemporalChain(inner, name: name)))
            }
        }
        return nodes
    }

    /// Channel c of a MixConv with `kernels` uses group c * groups / channels; its taps are the
    /// newest k of the largest kernel's kmax (weights are [kmax, 1, channels]).
    static func mixConvMask(_ kernels: [Int], channels: Int) -> [Float]? {
        guard kernels.count > 1 else { return nil }
        let kmax = kernels.max()!
        var mask = [Float](repeating: 1, count: kmax * channels)
        for c in 0..<channels {
            let k = kernels[c * kernels.count / channels]
            for tap in 0..<(kmax - k) { mask[tap * channels + c] = 0 }
        }
        return mask
    }

    /// [N, T, 1, features] → logits [N, T', 1, 1].
    public func forward(_ x: Tensor, training: Bool) -> Tensor { chain.forward(x, training: training) }

    public func backward(_ gradOutput: Tensor) -> Tensor { chain.backward(gradOutput) }

    /// Call after computing gradients and again after the optimizer step: MixConv taps stay zero.
    public func applyConstraints() { for s in chain.stages { s.applyTapMask() } }

    public var parameters: [Parameter] { chain.parameters }

    /// Parameters and BatchNorm statistics by name, for checkpoints.
    public var namedTensors: [(name: String, value: Tensor)] { chain.namedTensors }

    public func zeroGradients() { chain.zeroGradients() }

    /// Gives every BatchNorm seeded statistics and affine parameters of a trained model's size: a
    /// fresh model maps silence to exactly zero everywhere, a path no trained model takes (for
    /// probing cost and numerics before training).
    public func randomizeStatistics(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        for s in chain.stages {
            guard let bn = s.batchNorm else { continue }
            bn.runningMean = .uniform([bn.channels], low: -0.5, high: 0.5, using: &rng)
            bn.runningVariance = .uniform([bn.channels], low: 0.5, high: 2, using: &rng)
            bn.gamma.value = .uniform([bn.channels], low: 0.5, high: 1.5, using: &rng)
            bn.beta.value = .uniform([bn.channels], low: -0.2, high: 0.2, using: &rng)
        }
    }

    /// Loads tensors saved by `namedTensors`; every name must be present with its shape.
    public func load(_ tensors: [String: Tensor]) throws {
        for p in parameters {
            guard let t = tensors[p.name] else { throw TrainError.checkpoint("missing tensor \(p.name)") }
            guard t.shape == p.value.shape else {
                throw TrainError.checkpoint("tensor \(p.name) has shape \(t.shape), the model expects \(p.value.shape)")
            }
            p.value = t
        }
        for s in chain.stages {
            guard let bn = s.batchNorm else { continue }
            for (name, _) in bn.buffers {
                guard let t = tensors[name], t.shape == [bn.channels] else {
                    throw TrainError.checkpoint("missing or misshapen tensor \(name) (expected [\(bn.channels)])")
                }
                if name.hasSuffix("running_mean") { bn.runningMean = t } else { bn.runningVariance = t }
            }
        }
    }
}

/// Runs a Sentry step by step with a ring of past frames per layer, as the device does.
public final class StreamingRunner {
    public let model: SentryModel
    private var state: [ObjectIdentifier: Tensor] = [:]

    public init(_ model: SentryModel) { self.model = model }

    public func reset() { state = [:] }

    /// Takes `inputStride` new frames [1, stride, 1, features]; returns the step's logit.
    public func step(_ frames: Tensor) -> Float {
        precondition(frames.shape == [1, model.spec.inputStride, 1, model.spec.features],
                     "StreamingRunner: expected frames [1, \(model.spec.inputStride), 1, \(model.spec.features)], got \(frames.shape)")
        return run(model.chain, frames).data[0]
    }

    private func run(_ chain: TemporalChain, _ input: Tensor) -> Tensor {
        var x = input
        for node in chain.nodes {
            switch node {
            case .stage(let s):
                guard s.stateFrames > 0 else { x = s.layer.forward(x, training: false); continue }
                let key = ObjectIdentifier(s)
                let past = state[key] ?? Tensor(zeros: [1, s.stateFrames, 1, x.shape[3]])
                let window = Frames.concat(past, x)
                state[key] = Frames.last(s.stateFrames, of: window)
                x = s.layer.forward(window, training: false)
            case .residual(let body):
                let y = run(body, x)
                x = y + Frames.last(y.shape[1], of: x)
            }
        }
        return x
    }
}

public enum TrainError: CodedError {
    public static let domain = "train"

    case checkpoint(String)
    case config(String)
    case data(String)

    public var description: String {
        switch self {
        case .checkpoint(let m): return "checkpoint: \(m)"
        case .config(let m): return "configuration: \(m)"
        case .data(let m): return "training data: \(m)"
        }
    }
}
