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
        runner.reset()
        frontend.reset()
        var det = hk_detector_t()
        var cfg = detector.config(stepMs: stepMs)
        hk_detector_init(&det, &cfg)
        let input = runner.input().bindMemory(to: Int8.self)
        let channels = frontend.channels
        var pending = 0, frameIndex = 0, step = 0
        var detections: [Detection] = []
        var trace: [TracePoint] = []
        var stepNs: [UInt64] = []
        let start = DispatchTime.now().uptimeNanoseconds
        let chunk = 16_000
        var offset = 0
        while offset < audio.samples.count {
            let end = min(offset + chunk, audio.samples.count)
            frontend.process(audio.samples[offset..<end]) { features in
                quantizer.quantize(features.baseAddress!, count: channels, into: input.baseAddress! + pending * channels)
                pending += 1
                frameIndex += 1
                guard pending == stride else { return }
                pending = 0
                let t0 = DispatchTime.now().uptimeNanoseconds
                runner.invoke()
                stepNs.append(DispatchTime.now().uptimeNanoseconds - t0)
                let rawOut = runner.output().load(as: UInt8.self)
                let prob8 = outputIsInt8 ? UInt8(truncatingIfNeeded: Int(Int8(bitPattern: rawOut)) + 128) : rawOut
                let fired = hk_detector_push(&det, prob8) != 0
                let full = hk_detector_count(&det) == Int32(detector.window)
                let mean = full ? Double(hk_detector_sum(&det)) / Double(256 * detector.window) : 0
                // The last frame's window ends 20 ms after its 10 ms hop starts.
                let time = Double((frameIndex - 1) * 160 + 480) / 16000
                if fired { detections.append(Detection(step: step, timeS: time, meanProbability: mean)) }
                if keepTrace {
                    let p = Double(Int(prob8) - (outputIsInt8 ? 0 : Int(outputZeroPoint))) / 256
                    trace.append(TracePoint(step: step, timeS: time, probability: p, mean: mean, raw: prob8))
                }
                step += 1
            }
            offset = end
            progress?(Double(offset) / Double(audio.samples.count))
        }
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let sorted = stepNs.sorted()
        let mean = sorted.isEmpty ? 0 : Double(sorted.reduce(0, +)) / Double(sorted.count) / 1000
        let p99 = sorted.isEmpty ? 0 : Double(sorted[min(sorted.count - 1, sorted.count * 99 / 100)]) / 1000
        return SimulationReport(audioSeconds: audio.seconds, steps: step, detections: detections, detector: detector, featureRounding: rounding,
                                stepMs: stepMs, hostMeanStepUs: mean, hostP99StepUs: p99,
                                realTimeFactor: wall > 0 ? audio.seconds / wall : 0,
                                arenaBytes: runner.plan.arenaBytes, stateBytes: runner.plan.stateBytes,
                                weightBytes: runner.plan.weightBytes, trace: keepTrace ? trace : nil)
    }
}
