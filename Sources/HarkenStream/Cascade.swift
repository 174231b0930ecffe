// Cascade.swift: the Sentry and the Judge together, as the device runs them.
//
// The device feeds every int8 feature frame to the Sentry and into a ring of
// `framesBefore + framesAfter` frames. When the Sentry's detector fires at a step, the device
// waits until `framesAfter` more frames have arrived, then hands the ring's frames, oldest first,
// to the Judge; the trigger counts only if the Judge's probability exceeds its cutoff. A trigger
// while a decision is pending is dropped (the detector's refractory time normally rules it out).
// Before the stream has filled the ring, its frames hold the features' zero code, as the device's
// ring does after reset.

import Foundation
import HarkenAudio
import HarkenGraph
import HarkenRuntime

/// A Sentry's pass over audio as the device makes it: the int8 features it was fed, frame-major,
/// and its output byte at every step (what the detector reads).
public struct SentryPass: Sendable {
    public var features: [Int8]
    public var channels: Int
    /// Feature frames per Sentry step.
    public var stride: Int
    public var outputs: [UInt8]
    /// The int8 code of a zero feature: what fills the ring before the stream does.
    public var zeroCode: Int8

    public init(features: [Int8], channels: Int, stride: Int, outputs: [UInt8], zeroCode: Int8) {
        self.features = features; self.channels = channels; self.stride = stride; self.outputs = outputs; self.zeroCode = zeroCode
    }

    public var frames: Int { features.count / max(channels, 1) }

    /// The index of the last frame step `step` read.
    public func lastFrame(ofStep step: Int) -> Int { (step + 1) * stride - 1 }

    /// The Judge's window for a trigger at `step`: `before` frames up to and including the step's
    /// last frame, then `after` more. Frames outside the stream hold the zero code.
    public func window(triggerStep step: Int, before: Int, after: Int) -> [Int8] {
        let last = lastFrame(ofStep: step) + after
        let first = last - before - after + 1
        var out = [Int8](repeating: zeroCode, count: (before + after) * channels)
        let lo = max(first, 0), hi = min(last, frames - 1)
        guard lo <= hi else { return out }
        out.withUnsafeMutableBufferPointer { o in
            features.withUnsafeBufferPointer { f in
                (o.baseAddress! + (lo - first) * channels).update(from: f.baseAddress! + lo * channels, count: (hi - lo + 1) * channels)
            }
        }
        return out
    }

    /// Seconds from the stream's start to the end of frame `frame` (a frame's window ends 20 ms
    /// after its 10 ms hop starts).
    public static func time(ofFrame frame: Int) -> Double { Double(frame * 160 + 480) / 16000 }
}

extension Simulator {
    /// The Sentry's pass over `audio` from a fresh start: the same frontend, quantizer and model
    /// calls as `run`, keeping every int8 feature frame.
    public func pass(_ audio: Audio) -> SentryPass {
        runner.reset()
        frontend.reset()
        let input = runner.input().bindMemory(to: Int8.self)
        let channels = frontend.channels
        var features: [Int8] = []
        features.reserveCapacity(audio.samples.count / 160 * channels + channels)
        var outputs: [UInt8] = []
        var pending = 0
        let isInt8 = runner.plan.outputs[0].type == .int8
        var frame = [Int8](repeating: 0, count: channels)
        frontend.process(audio.samples[...]) { f in
            frame.withUnsafeMutableBufferPointer { quantizer.quantize(f.baseAddress!, count: channels, into: $0.baseAddress!) }
            features += frame
            (input.baseAddress! + pending * channels).update(from: frame, count: channels)
            pending += 1
            guard pending == stride else { return }
            pending = 0
            runner.invoke()
            let raw = runner.output().load(as: UInt8.self)
            outputs.append(isInt8 ? UInt8(truncatingIfNeeded: Int(Int8(bitPattern: raw)) + 128) : raw)
        }
        return SentryPass(features: features, channels: channels, stride: stride, outputs: outputs,
                          zeroCode: Int8(clamping: runner.plan.inputs[0].quantization?.zeroPoint ?? -128))
    }
}

/// One Sentry trigger and what the cascade made of it.
public struct CascadeDecision: Codable, Sendable, Equatable {
    public var step: Int
    /// When the Sentry fired (end of the step's last frame) and when the Judge's window was complete.
    public var triggerS: Double
    public var decidedS: Double
    public var sentryMean: Double
    /// nil without a Judge (the Sentry alone).
    public var judgeScore: Double?
    public var accepted: Bool
}

/// The cascade's settings: the Sentry's detector and cutoff, and the Judge stage.
public struct CascadeRule: Sendable {
    public var sentry: DetectionRule
    public var sentryCutoff: Double
    public var judgeCutoff: Double
    public var framesBefore: Int
    public var framesAfter: Int

    public init(sentry: DetectionRule, sentryCutoff: Double, judgeCutoff: Double,
                framesBefore: Int = JudgeStage.defaultFramesBefore, framesAfter: Int = JudgeStage.defaultFramesAfter) {
        self.sentry = sentry; self.sentryCutoff = sentryCutoff; self.judgeCutoff = judgeCutoff
        self.framesBefore = framesBefore; self.framesAfter = framesAfter
    }

    /// The Sentry's triggers in a pass that the device hands to the Judge (one at a time).
    public func triggers(_ pass: SentryPass, cutoff: Double? = nil) -> [(step: Int, mean: Double)] {
        var out: [(step: Int, mean: Double)] = []
        var busyUntilFrame = -1
        for d in sentry.detections(.device(pass.outputs), cutoff: cutoff ?? sentryCutoff) {
            let last = pass.lastFrame(ofStep: d.step)
            guard last > busyUntilFrame else { continue }
            out.append(d)
            busyUntilFrame = last + framesAfter
        }
        return out
    }

    /// Every trigger of the pass with the Judge's verdict (`judge` nil: the Sentry alone).
    public func decisions(_ pass: SentryPass, judge: (any WindowJudge)?) throws -> [CascadeDecision] {
        let found = triggers(pass)
        let windows = judge == nil ? [] : found.map { pass.window(triggerStep: $0.step, before: framesBefore, after: framesAfter) }
        let scores = try judge?.scores(windows)
        return found.enumerated().map { i, t in
            let last = pass.lastFrame(ofStep: t.step)
            let score = scores?[i]
            return CascadeDecision(step: t.step, triggerS: SentryPass.time(ofFrame: last),
                                   decidedS: SentryPass.time(ofFrame: last + (judge == nil ? 0 : framesAfter)),
                                   sentryMean: t.mean, judgeScore: score, accepted: score.map { $0 > judgeCutoff } ?? true)
        }
    }
}
