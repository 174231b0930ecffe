// JudgeStage.swift: the cascade's Judge stage as a model manifest's `judge` field carries it. It
// lives beside ModelManifest so the manifest, the firmware generator and the host cascade
// (HarkenStream's CascadeRule, WindowJudge) share one definition.

import Foundation

/// How the Judge stage is deployed, as the model manifest's `judge` field carries it.
public struct JudgeStage: Codable, Sendable, Equatable {
    public enum Placement: String, Codable, Sendable, CaseIterable {
        /// int8 C on the same MCU or a bigger core beside it.
        case device
        /// `harken judge serve`, reached over the serial link through the host, or over HTTP.
        case server
    }

    public enum Fallback: String, Codable, Sendable, CaseIterable {
        /// No answer in time: trust the Sentry.
        case failOpen = "fail-open"
        /// No answer in time: reject the trigger.
        case failClosed = "fail-closed"
    }

    /// The Judge's model file, relative to the manifest.
    public var model: String
    public var placement: Placement
    public var framesBefore: Int
    public var framesAfter: Int
    /// Accept when the Judge's probability exceeds this.
    public var cutoff: Double
    /// The Sentry's own (permissive) cutoff when the Judge follows it.
    public var sentryCutoff: Double
    public var fallback: Fallback
    /// How long a server may take before the fallback applies.
    public var timeoutMs: Int

    public init(model: String, placement: Placement, framesBefore: Int = JudgeStage.defaultFramesBefore,
                framesAfter: Int = JudgeStage.defaultFramesAfter, cutoff: Double, sentryCutoff: Double,
                fallback: Fallback = .failOpen, timeoutMs: Int = 500) {
        self.model = model; self.placement = placement; self.framesBefore = framesBefore; self.framesAfter = framesAfter
        self.cutoff = cutoff; self.sentryCutoff = sentryCutoff; self.fallback = fallback; self.timeoutMs = timeoutMs
    }

    public var windowFrames: Int { framesBefore + framesAfter }

    /// 1.5 s before the trigger, 0.3 s after it.
    public static let defaultFramesBefore = 150
    public static let defaultFramesAfter = 30

    enum CodingKeys: String, CodingKey {
        case model, placement, cutoff, fallback
        case framesBefore = "frames_before", framesAfter = "frames_after"
        case sentryCutoff = "sentry_cutoff", timeoutMs = "timeout_ms"
    }
}
