// Judge.swift: the cascade's second stage. On a Sentry trigger the device holds a ring of the int8
// feature frames it fed the Sentry; once `framesAfter` more frames have arrived, the newest
// `framesBefore + framesAfter` frames are the Judge's window. A Judge answers a window with a
// probability; the stage accepts the trigger when it exceeds the stage's cutoff.

import Foundation
import HarkenGraph
import HarkenSupport

/// Anything that scores the feature windows a Sentry hands over: an int8 Judge run through the
/// device kernels (PlanJudge), a float Judge (HarkenTrain), or a server (`harken judge serve`).
public protocol WindowJudge: Sendable {
    /// Frames in one window (before and after the trigger together).
    var windowFrames: Int { get }
    /// Feature channels per frame (the frontend's 40).
    var channels: Int { get }
    /// The probability (0...1) of each window; each holds `windowFrames * channels` int8 features,
    /// frame-major, quantized as the Sentry's input (scale 26/255, zero point −128 for Harken's Sentries).
    func scores(_ windows: [[Int8]]) throws -> [Double]
}

/// An int8 Judge (a non-streaming .tflite: int8 window in, one uint8 probability out) run
/// through Harken's kernels, as the device runs it. One runner per call, so calls run in parallel.
public struct PlanJudge: WindowJudge, @unchecked Sendable {
    public let plan: Plan
    public let windowFrames: Int
    public let channels: Int

    public init(plan: Plan, file: String = "<judge>") throws {
        self.plan = plan
        guard plan.inputs.count == 1, plan.outputs.count == 1 else {
            throw GraphError.invalid(file: file, location: "inputs/outputs", expected: "one input window and one probability")
        }
        let input = plan.inputs[0], output = plan.outputs[0]
        channels = input.shape.last ?? 0
        guard input.type == .int8, channels > 0, input.elementCount % channels == 0 else {
            throw GraphError.invalid(file: file, location: "input tensor \(input.shape)", expected: "an int8 window [1, frames, channels]")
        }
        guard output.type == .uint8 || output.type == .int8, output.byteCount == 1 else {
            throw GraphError.invalid(file: file, location: "output tensor \(output.shape)", expected: "one uint8 or int8 probability")
        }
        guard plan.stateBytes == 0 else {
            throw GraphError.invalid(file: file, location: "variables", expected: "a non-streaming model (this one keeps state between calls: a Sentry?)")
        }
        windowFrames = input.elementCount / channels
    }

    public func scores(_ windows: [[Int8]]) throws -> [Double] {
        let runner = ModelRunner(plan: plan)
        let size = windowFrames * channels
        let output = plan.outputs[0]
        return try windows.enumerated().map { i, w in
            guard w.count == size else { throw JudgeError.window(index: i, count: w.count, expected: size) }
            let input = runner.input()
            w.withUnsafeBytes { input.copyMemory(from: $0) }
            runner.invoke()
            return PlanJudge.probability(runner.output().load(as: UInt8.self), type: output.type)
        }
    }

    /// The output byte as the probability it stands for (scale 1/256, uint8 zero point 0 or int8 −128).
    public static func probability(_ raw: UInt8, type: ElementType) -> Double {
        type == .int8 ? Double(Int(Int8(bitPattern: raw)) + 128) / 256 : Double(raw) / 256
    }
}

public enum JudgeError: CodedError, Sendable {
    public static let domain = "judge"

    case window(index: Int, count: Int, expected: Int)

    public var description: String {
        switch self {
        case .window(let i, let n, let e): return "judge window \(i): \(n) int8 features, expected \(e)"
        }
    }
}
