// WakeModel.swift: Sentry, Judge and Teacher are kinds of one thing. Each is a float network over
// windows of the device frontend's features that the Trainer fits on a corpus, that other models
// learn from (distillation), and that may have an int8 form to export. New kinds are new types
// conforming to these protocols; the Trainer, evaluation and quantization take the protocols.

import Foundation
import HarkenGraph
import HarkenNN

/// The part a model plays in the cascade.
public enum ModelRole: String, Codable, Sendable, CaseIterable {
    /// Tiny, streaming, always on the device.
    case sentry
    /// Re-checks each Sentry trigger on a longer window (device or server).
    case judge
    /// Large, float, used in training and offline only.
    case teacher
}

/// What the Trainer needs of a model.
public protocol WakeModel: AnyObject {
    var role: ModelRole { get }
    /// Frames of features in one training window.
    var windowFrames: Int { get }
    /// [N, T, 1, features] → logits [N, T', 1, 1].
    func forward(_ x: HarkenNN.Tensor, training: Bool) -> HarkenNN.Tensor
    func backward(_ gradOutput: HarkenNN.Tensor) -> HarkenNN.Tensor
    var parameters: [Parameter] { get }
    /// Parameters and buffers by name, as checkpoints hold them.
    var namedTensors: [(name: String, value: HarkenNN.Tensor)] { get }
    func zeroGradients()
    /// Called after computing gradients and after each optimizer step (e.g. masked taps stay zero).
    func applyConstraints()
    func load(_ tensors: [String: HarkenNN.Tensor]) throws
    /// The architecture as JSON: saved in checkpoints, so a resumed run refuses another architecture.
    func architectureJSON() throws -> String
}

/// A model others learn from: its logits on the windows a student is trained on.
public protocol DistillationSource: AnyObject {
    func teacherLogits(_ x: HarkenNN.Tensor) -> HarkenNN.Tensor
}

/// Every model can teach: its own forward pass in inference mode.
extension WakeModel {
    public func teacherLogits(_ x: HarkenNN.Tensor) -> HarkenNN.Tensor { forward(x, training: false) }
}

/// Distillation: the loss's targets become (1 − weight)·label + weight·the teacher's probability
/// on the same augmented window (BCE is linear in its target, so this is the weighted sum of both losses).
public struct Distillation {
    public var teacher: any DistillationSource
    public var weight: Float

    public init(teacher: any DistillationSource, weight: Float) { self.teacher = teacher; self.weight = weight }
}

/// A model with an int8 form: activation ranges calibrated on windows, then a graph with TFLite's
/// int8 semantics that the exporters and the code generator take.
public protocol QuantizableModel: WakeModel {
    func calibrate(_ windows: HarkenNN.Tensor, into ranges: inout ActivationRanges)
    func int8Graph(ranges: ActivationRanges, description: String) throws -> Graph
}

extension SentryModel: WakeModel, DistillationSource, QuantizableModel {
    public var role: ModelRole { .sentry }

    public var windowFrames: Int { spec.windowFrames }

    public func architectureJSON() throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return String(decoding: try e.encode(spec), as: UTF8.self)
    }

    public func int8Graph(ranges: ActivationRanges, description: String) throws -> Graph {
        try streamingGraph(ranges: ranges, description: description)
    }
}
