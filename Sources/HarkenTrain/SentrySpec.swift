// SentrySpec.swift: the description of a Sentry architecture, saved with every checkpoint.
//
// Every Sentry is a streaming net over time: its input is [N, T, 1, features] (the frontend's
// frames along H, the mel channels as input channels), every layer is VALID along time and causal,
// so the same weights run on a training window and, step by step, on the device with a small
// ring buffer per layer. The first convolution takes `inputStride` new frames per step (the
// microWakeWord layout: 3 frames = 30 ms per inference); everything after it runs at stride 1.

import HarkenNN

public enum SentryArchitecture: String, Codable, Sendable, CaseIterable {
    case tinyConvV2 = "tinyconv-v2"
    case mixedNet = "mixednet"
    case mobileNetV3Small = "mobilenetv3-small"
}

public indirect enum SentryBlock: Codable, Sendable, Equatable {
    /// Conv (kernel frames × 1) + BatchNorm + activation.
    case conv(filters: Int, kernel: Int, stride: Int, dilation: Int, activation: ActivationKind)
    /// Depthwise conv + BatchNorm + activation. More than one kernel size makes a MixConv: the
    /// channels are split evenly between the sizes, each group's taps aligned on the newest frame.
    case depthwise(kernels: [Int], dilation: Int, activation: ActivationKind?)
    /// 1×1 conv + BatchNorm + optional activation.
    case pointwise(filters: Int, activation: ActivationKind?)
    /// Per-frame squeeze-and-excite (MobileNetV3): a gate from each frame's own channels.
    case squeezeExcite(reduced: Int)
    /// x[newest frames] + body(x); the body keeps the channel count and runs at stride 1.
    case residual([SentryBlock])
}

public struct SentrySpec: Codable, Sendable, Equatable {
    public var architecture: SentryArchitecture
    public var features: Int
    public var blocks: [SentryBlock]
    /// Frames the final layer (a conv over time to one logit, as a dense layer on the flattened
    /// last frames) looks at.
    public var headFrames: Int
    public var dropout: Float

    public init(architecture: SentryArchitecture, features: Int = 40, blocks: [SentryBlock],
                headFrames: Int, dropout: Float = 0) {
        self.architecture = architecture
        self.features = features
        self.blocks = blocks
        self.headFrames = headFrames
        self.dropout = dropout
    }

    /// New feature frames per streaming step (the first convolution's stride).
    public var inputStride: Int {
        if case .conv(_, _, let s, _, _) = blocks.first { return s }
        return 1
    }

    /// Frames of state a block keeps between steps, for stride-1 blocks after the first.
    static func context(_ b: SentryBlock) -> Int {
        switch b {
        case .conv(_, let k, _, let d, _): return (k - 1) * d
        case .depthwise(let ks, let d, _): return (ks.max()! - 1) * d
        case .pointwise, .squeezeExcite: return 0
        case .residual(let body): return body.map(context).reduce(0, +)
        }
    }

    /// Feature frames one output needs: a training window of this length yields exactly one logit.
    public var windowFrames: Int {
        guard case .conv(_, let k, let s, let d, _) = blocks.first else { return 0 }
        let rest = blocks.dropFirst().map(SentrySpec.context).reduce(0, +) + headFrames - 1
        return (k - 1) * d + 1 + s * rest
    }

    /// The built-in Sentry of each family, sized for the presets.
    public static func standard(_ a: SentryArchitecture, features: Int = 40) -> SentrySpec {
        switch a {
        case .tinyConvV2:
            // Ultra-light for ESP32: one strided conv, three dilated depthwise-separable blocks.
            return SentrySpec(architecture: a, features: features, blocks: [
                .conv(filters: 24, kernel: 5, stride: 3, dilation: 1, activation: .relu),
                .depthwise(kernels: [5], dilation: 1, activation: .relu), .pointwise(filters: 32, activation: .relu),
                .depthwise(kernels: [5], dilation: 2, activation: .relu), .pointwise(filters: 32, activation: .relu),
                .depthwise(kernels: [5], dilation: 4, activation: .relu), .pointwise(filters: 32, activation: .relu),
            ], headFrames: 12, dropout: 0.1)
        case .mixedNet:
            // microWakeWord's family: strided first conv, MixConv depthwise blocks, 1×1 mixing.
            return SentrySpec(architecture: a, features: features, blocks: [
                .conv(filters: 32, kernel: 5, stride: 3, dilation: 1, activation: .relu),
                .depthwise(kernels: [5], dilation: 1, activation: .relu), .pointwise(filters: 64, activation: .relu),
                .depthwise(kernels: [7, 11], dilation: 1, activation: .relu), .pointwise(filters: 64, activation: .relu),
                .depthwise(kernels: [9, 13], dilation: 1, activation: .relu), .pointwise(filters: 64, activation: .relu),
                .depthwise(kernels: [15], dilation: 1, activation: .relu), .pointwise(filters: 64, activation: .relu),
            ], headFrames: 6, dropout: 0.1)
        case .mobileNetV3Small:
            // MobileNetV3-small bottlenecks (expand, depthwise, SE, project, residual) along time.
            func bneck(_ cin: Int, _ exp: Int, _ out: Int, _ k: Int, _ d: Int, se: Bool,
                       _ act: ActivationKind) -> [SentryBlock] {
                var body: [SentryBlock] = [.pointwise(filters: exp, activation: act),
                                           .depthwise(kernels: [k], dilation: d, activation: act)]
                if se { body.append(.squeezeExcite(reduced: max(8, exp / 4))) }
                body.append(.pointwise(filters: out, activation: nil))
                // A bottleneck that changes the channel count has no skip path.
                return cin == out ? [.residual(body)] : body
            }
            let stem: [SentryBlock] = [.conv(filters: 16, kernel: 5, stride: 3, dilation: 1, activation: .hardSwish)]
            let blocks = stem
                + bneck(16, 64, 24, 3, 1, se: false, .relu)
                + bneck(24, 72, 24, 3, 1, se: false, .relu)
                + bneck(24, 96, 40, 5, 1, se: true, .hardSwish)
                + bneck(40, 120, 40, 5, 2, se: true, .hardSwish)
                + bneck(40, 120, 48, 5, 2, se: true, .hardSwish)
                + bneck(48, 144, 48, 5, 4, se: true, .hardSwish)
            return SentrySpec(architecture: a, features: features, blocks: blocks, headFrames: 6, dropout: 0.1)
        }
    }
}
