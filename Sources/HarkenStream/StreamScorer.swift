import HarkenAudio
import HarkenGraph

/// Anything that turns audio into per-step outputs for the detector: an int8 plan run exactly as
/// on the device, or a float model (HarkenTrain). Evaluation, mining and the cascade's stages
/// take this, not a particular model.
public protocol StreamScorer: Sendable {
    /// Frames of features (10 ms each) per inference step.
    var stepFrames: Int { get }
    /// Whether clips may be scored on several cores at once (each call independent of the others).
    var scoresConcurrently: Bool { get }
    /// The output at every inference step of `audio`, from a freshly started stream.
    func scores(_ audio: Audio) throws -> ScoreTrace
}

/// An int8 plan (any .tflite, or a Sentry's int8 form) streamed through the device frontend and
/// Harken's runtime; its outputs are the bytes the device's detector receives.
public struct PlanScorer: StreamScorer, @unchecked Sendable {
    public let plan: Plan

    public init(plan: Plan) { self.plan = plan }

    public var stepFrames: Int { plan.inputs[0].elementCount / max(1, plan.inputs[0].shape.last ?? 1) }

    /// A runner per call, so clips score on all cores.
    public var scoresConcurrently: Bool { true }

    public func scores(_ audio: Audio) throws -> ScoreTrace {
        let sim = try Simulator(plan: plan, detector: DetectorSettings(cutoff: 0.5, window: 1))
        return .device(sim.run(audio).trace!.map(\.raw))
    }
}
