import Foundation
import HarkenAudio
import HarkenGraph
import HarkenRuntime

/// One detection: when the detector fired and the mean probability then.
public struct Detection: Codable, Sendable, Equatable {
    public var step: Int
    public var timeS: Double
    public var meanProbability: Double
}

public struct SimulationReport: Codable, Sendable {
    public var schemaVersion = 1
    public var audioSeconds: Double
    public var steps: Int
    public var detections: [Detection]
    public var detector: DetectorSettings
    public var featureRounding: FeatureRounding
    public var stepMs: Int
    public var hostMeanStepUs: Double
    public var hostP99StepUs: Double
    public var realTimeFactor: Double
    public var arenaBytes: Int
    public var stateBytes: Int
    public var weightBytes: Int
    /// Per step: end time of the audio it saw, its probability (0..1), and the window mean.
    public var trace: [TracePoint]?
}

public struct TracePoint: Codable, Sendable, Equatable {
    public var step: Int
    public var timeS: Double
    public var probability: Double
    public var mean: Double
    public var raw: UInt8
}

/// Streams 16 kHz audio through the frontend, the model and the detector, the
/// way the device does: 10 ms of audio per frame, one inference every `stride` frames.
public final class Simulator {
    public let runner: ModelRunner
    public let frontend: Frontend
    public let detector: DetectorSettings
    public let quantizer: FeatureQuantizer
    public let rounding: FeatureRounding
    public let stride: Int
    public let stepMs: Int
    private let outputZeroPoint: Int32
    private let outputIsInt8: Bool

    public init(plan: Plan, detector: DetectorSettings, rounding: FeatureRounding = .device, file: String = "<model>") throws {
        runner = ModelRunner(plan: plan)
        frontend = try Frontend()
        self.detector = detector
        quantizer = FeatureQuantizer(rounding: rounding, input: plan.inputs[0].quantization)
        self.rounding = rounding
        let input = plan.inputs[0]
        let features = input.shape.last ?? 0
        guard input.type == .int8, features == frontend.channels, input.elementCount % features == 0 else {
            throw GraphError.invalid(file: file, location: "input tensor \(input.shape)",
                                     expected: "int8 features of \(frontend.channels) channels per frame")
        }
        stride = input.elementCount / features
        stepMs = 10 * stride
        let output = plan.outputs[0]
        guard output.type == .uint8 || output.type == .int8, output.byteCount == 1 else {
            throw GraphError.invalid(file: file, location: "output tensor \(output.shape)", expected: "one uint8 or int8 probability")
        }
        outputIsInt8 = output.type == .int8
        outputZeroPoint = output.quantization?.zeroPoint ?? 0
    }

    public func run(_ audio: Audio, keepTrace: Bool = true, progress: ((Double) -> Void)? = nil) -> SimulationReport {
        let session = SimulatorSession(self, keepTrace: keepTrace)
        let start = DispatchTime.now().uptimeNanoseconds
        let chunk = 16_000
        var offset = 0
        while offset < audio.samples.count {
            let end = min(offset + chunk, audio.samples.count)
            session.feed(audio.samples[offset..<end])
            offset = end
            progress?(Double(offset) / Double(audio.samples.count))
        }
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let sorted = session.stepNs.sorted()
        let mean = sorted.isEmpty ? 0 : Double(sorted.reduce(0, +)) / Double(sorted.count) / 1000
        let p99 = sorted.isEmpty ? 0 : Double(sorted[min(sorted.count - 1, sorted.count * 99 / 100)]) / 1000
        return SimulationReport(audioSeconds: audio.seconds, steps: session.steps, detections: session.detections, detector: detector,
                                featureRounding: rounding, stepMs: stepMs, hostMeanStepUs: mean, hostP99StepUs: p99,
                                realTimeFactor: wall > 0 ? audio.seconds / wall : 0,
                                arenaBytes: runner.plan.arenaBytes, stateBytes: runner.plan.stateBytes,
                                weightBytes: runner.plan.weightBytes, trace: keepTrace ? session.trace : nil)
    }

    /// The detector's per-step form of the model's raw output byte: 0...255, probability × 256.
    func probabilityByte(_ raw: UInt8) -> UInt8 {
        outputIsInt8 ? UInt8(truncatingIfNeeded: Int(Int8(bitPattern: raw)) + 128) : raw
    }

    func probability(_ byte: UInt8) -> Double {
        Double(Int(byte) - (outputIsInt8 ? 0 : Int(outputZeroPoint))) / 256
    }
}

/// One stream through a Simulator, fed in pieces of any size as audio arrives (a microphone over a
/// socket, say): the same steps, trace and detections as `Simulator.run` on the whole audio. The
/// simulator's model and frontend state belong to the session while it lives.
public final class SimulatorSession {
    public let simulator: Simulator
    public private(set) var trace: [TracePoint] = []
    public private(set) var detections: [Detection] = []
    public private(set) var steps = 0
    /// Samples fed so far.
    public private(set) var samples = 0
    private(set) var stepNs: [UInt64] = []
    private let keepTrace: Bool
    private var detector = hk_detector_t()
    private var pending = 0, frameIndex = 0

    public init(_ simulator: Simulator, keepTrace: Bool = true) {
        self.simulator = simulator
        self.keepTrace = keepTrace
        simulator.runner.reset()
        simulator.frontend.reset()
        var cfg = simulator.detector.config(stepMs: simulator.stepMs)
        hk_detector_init(&detector, &cfg)
    }

    /// Streams `audio` through; returns the steps it completed (their trace points and detections).
    @discardableResult
    public func feed(_ audio: ArraySlice<Int16>) -> (points: ArraySlice<TracePoint>, detections: ArraySlice<Detection>) {
        let s = simulator
        let firstPoint = trace.count, firstDetection = detections.count
        let input = s.runner.input().bindMemory(to: Int8.self)
        let channels = s.frontend.channels
        s.frontend.process(audio) { features in
            s.quantizer.quantize(features.baseAddress!, count: channels, into: input.baseAddress! + pending * channels)
            pending += 1
            frameIndex += 1
            guard pending == s.stride else { return }
            pending = 0
            let t0 = DispatchTime.now().uptimeNanoseconds
            s.runner.invoke()
            stepNs.append(DispatchTime.now().uptimeNanoseconds - t0)
            let prob8 = s.probabilityByte(s.runner.output().load(as: UInt8.self))
            let fired = hk_detector_push(&detector, prob8) != 0
            let full = hk_detector_count(&detector) == Int32(s.detector.window)
            let mean = full ? Double(hk_detector_sum(&detector)) / Double(256 * s.detector.window) : 0
            // The last frame's window ends 20 ms after its 10 ms hop starts.
            let time = Double((frameIndex - 1) * 160 + 480) / 16000
            if fired { detections.append(Detection(step: steps, timeS: time, meanProbability: mean)) }
            if keepTrace { trace.append(TracePoint(step: steps, timeS: time, probability: s.probability(prob8), mean: mean, raw: prob8)) }
            steps += 1
        }
        samples += audio.count
        return (keepTrace ? trace[firstPoint...] : [], detections[firstDetection...])
    }
}
