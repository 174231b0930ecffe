import Foundation
import HarkenGraph
import HarkenRuntime
import HarkenSupport

/// The cascade behind a firmware's Sentry (`harken firmware --judge`): the Judge stage in human
/// units, checked once against the Sentry, and written as the device's integer configuration
/// (hk_cascade_config_t) with the Judge's generated C when it runs on the device.
public struct CascadeFirmware: Sendable {
    public var stage: JudgeStage
    /// The Judge's plan; the device runs it when `stage.placement` is device.
    public var judge: Plan
    /// Where the Judge came from, for messages.
    public var judgeFile: String

    /// Checks the Judge against the Sentry it follows: its input is a window of the Sentry's
    /// int8 features, `framesBefore + framesAfter` frames of the Sentry's channels, quantized as
    /// the Sentry's input; one probability out; no state.
    public init(stage: JudgeStage, judge: Plan, judgeFile: String, sentry: Plan) throws {
        self.stage = stage
        self.judge = judge
        self.judgeFile = judgeFile
        func bad(_ field: String, _ expected: String) -> CascadeError { .judge(file: judgeFile, field: field, expected: expected) }
        guard judge.inputs.count == 1, judge.outputs.count == 1 else { throw bad("inputs/outputs", "one input window and one probability") }
        let input = judge.inputs[0], output = judge.outputs[0], sentryInput = sentry.inputs[0]
        let channels = sentryInput.shape.last ?? 0
        guard stage.framesBefore >= 1, stage.framesAfter >= 0 else {
            throw bad("frames_before/frames_after", "at least one frame before the trigger and none or more after it")
        }
        guard input.type == .int8, input.elementCount == stage.windowFrames * channels, input.shape.last == channels else {
            throw bad("input tensor \(input.type.rawValue) \(input.shape)",
                      "int8 [1, \(stage.windowFrames), \(channels)]: \(stage.framesBefore) frames before the trigger and \(stage.framesAfter) after, of the Sentry's \(channels) channels")
        }
        let q = input.quantization, sq = sentryInput.quantization
        guard q?.zeroPoint == sq?.zeroPoint, abs(Double(q?.scale ?? 0) - Double(sq?.scale ?? 0)) <= 1e-6 * Double(abs(sq?.scale ?? 1)) else {
            throw bad("input quantization (scale \(q?.scale ?? 0), zero point \(q?.zeroPoint ?? 0))",
                      "the Sentry's input quantization (scale \(sq?.scale ?? 0), zero point \(sq?.zeroPoint ?? 0)): the Judge reads the Sentry's features as they are")
        }
        guard output.type == .uint8 || output.type == .int8, output.byteCount == 1 else {
            throw bad("output tensor \(output.type.rawValue) \(output.shape)", "one uint8 or int8 probability")
        }
        guard judge.stateBytes == 0 else { throw bad("variables", "a non-streaming model (this one keeps state between calls: a Sentry?)") }
        guard (0...1).contains(stage.cutoff), (0...1).contains(stage.sentryCutoff) else {
            throw bad("cutoff \(stage.cutoff), sentry_cutoff \(stage.sentryCutoff)", "probabilities between 0 and 1")
        }
        guard stage.timeoutMs >= CascadeFirmware.frameMs else {
            throw bad("timeout_ms \(stage.timeoutMs)", "at least one feature frame (\(CascadeFirmware.frameMs) ms)")
        }
    }

    /// The device counts time in feature frames.
    public static let frameMs = 10

    public var channels: Int { judge.inputs[0].elementCount / max(stage.windowFrames, 1) }

    /// A server's timeout in frames, rounded up.
    public var timeoutFrames: Int { (stage.timeoutMs + CascadeFirmware.frameMs - 1) / CascadeFirmware.frameMs }

    /// An unanswered request is sent again twice within the timeout (a window is 7.2 kB: at
    /// 115200 baud it takes 0.63 s on the wire, so retrying more often would only queue copies).
    public var retryFrames: Int { max(1, (timeoutFrames + 2) / 3) }

    /// The largest S in -1...65535 with S / 65536 <= cutoff: the device accepts score_q16 > S,
    /// which is p > cutoff for every p the Judge can answer (multiples of 1/256 on the device,
    /// of 1/65536 from a server).
    public static func cutoffQ16(_ cutoff: Double) -> Int32 {
        var s = Int32(max(-1, min(65535, (cutoff * 65536).rounded(.down))))
        while s < 65535 && Double(s + 1) / 65536 <= cutoff { s += 1 }
        while s >= 0 && Double(s) / 65536 > cutoff { s -= 1 }
        return s
    }

    /// The device's configuration; `zeroCode` is the Sentry's input zero point.
    public func config(zeroCode: Int32) -> hk_cascade_config_t {
        var c = hk_cascade_config_t()
        c.channels = Int32(channels)
        c.frames_before = Int32(stage.framesBefore)
        c.frames_after = Int32(stage.framesAfter)
        c.zero_code = zeroCode
        c.placement = stage.placement == .device ? Int32(HK_CASCADE_ON_DEVICE) : Int32(HK_CASCADE_ON_SERVER)
        c.cutoff_q16 = CascadeFirmware.cutoffQ16(stage.cutoff)
        c.judge_output_int8 = judge.outputs[0].type == .int8 ? 1 : 0
        c.fallback = stage.fallback == .failOpen ? Int32(HK_CASCADE_FAIL_OPEN) : Int32(HK_CASCADE_FAIL_CLOSED)
        c.timeout_frames = Int32(timeoutFrames)
        c.retry_frames = Int32(retryFrames)
        return c
    }

    /// Static RAM the cascade firmware needs at least, beside the bench link's buffers and the stack.
    public func ramBytes(sentry: Plan, zeroCode: Int32) -> Int {
        ringBytes(zeroCode: zeroCode) + (stage.placement == .device ? judge.arenaBytes + judge.stateBytes : 0)
            + sentry.arenaBytes + sentry.stateBytes + MemoryLayout<hk_wake_t>.size
    }

    /// RAM of the ring the configuration needs.
    public func ringBytes(zeroCode: Int32) -> Int {
        var c = config(zeroCode: zeroCode)
        return hk_cascade_ring_bytes(&c)
    }

    /// model/hk_cascade_binding.c: the Judge as an hk_model_api_t (device placement), the ring,
    /// and the app the port's hk_port_serve() runs (port/common/hk_port_cascade.c).
    func binding(judgeName: String, zeroCode: Int32) -> String {
        let c = config(zeroCode: zeroCode)
        let onDevice = stage.placement == .device
        let upper = judgeName.uppercased()
        var s = """
        /* Generated by harken firmware: the cascade behind the Sentry. Judge \(judgeFile) on the \(stage.placement.rawValue):
         * window \(stage.framesBefore) + \(stage.framesAfter) frames, cutoff \(stage.cutoff) (Sentry cutoff \(stage.sentryCutoff))\(onDevice ? "" : ",\n * \(stage.fallback.rawValue) after \(stage.timeoutMs) ms (\(timeoutFrames) frames), retransmitted every \(retryFrames) frames"). */
        #include <stddef.h>
        #include <stdint.h>

        #include "harken/hk_bench_cascade.h"

        """
        if onDevice {
            s += """
            #include "\(judgeName)_model.h"

            static void *judge_input(void) { return \(judgeName)_input(); }
            static const void *judge_output(void) { return \(judgeName)_output(); }

            /* The Judge as the cascade calls it (no frontend features or detector of its own). */
            static const hk_model_api_t hk_judge = {
                "\(judgeName)", \(judgeName)_init, judge_input, \(judgeName)_invoke, judge_output,
                \(upper)_INPUT_BYTES, \(upper)_OUTPUT_BYTES, \(upper)_ARENA_BYTES, \(upper)_STATE_BYTES, \(upper)_WEIGHT_BYTES,
                0, 0, 0, 0,
                0, 0, 0, 0
            };

            """
        }
        s += """

        extern const hk_model_api_t hk_model;

        /* The feature ring: the window\(onDevice ? "" : ", and the frames that arrive while its request may still be pending"). */
        static int8_t ring[\(ringBytes(zeroCode: zeroCode))];

        const hk_cascade_app_t hk_cascade_app = {
            &hk_model, \(onDevice ? "&hk_judge" : "NULL"),
            { \(c.channels), \(c.frames_before), \(c.frames_after), \(c.zero_code), \(onDevice ? "HK_CASCADE_ON_DEVICE" : "HK_CASCADE_ON_SERVER"), \(c.cutoff_q16),
              \(c.judge_output_int8), \(c.fallback == Int32(HK_CASCADE_FAIL_OPEN) ? "HK_CASCADE_FAIL_OPEN" : "HK_CASCADE_FAIL_CLOSED"), \(c.timeout_frames), \(c.retry_frames) },
            ring, sizeof ring
        };

        """
        return s
    }
}

public enum CascadeError: CodedError, Equatable {
    public static let domain = "cascade"

    case judge(file: String, field: String, expected: String)
    case template(board: String, template: String)
    case ram(board: String, needs: Int, has: Int)

    public var description: String {
        switch self {
        case let .judge(file, field, expected): return "\(file): \(field): expected \(expected)"
        case let .template(board, template):
            return "\(board): the cascade is generated for bare-metal boards (see `harken boards`); \(template) projects get the Sentry alone for now"
        case let .ram(board, needs, has):
            return "\(board): the cascade needs at least \(needs) B of RAM (the feature ring, the Judge's arena on the device, the Sentry and its frontend) and the board has \(has) B; put the Judge on a server or pick a bigger board"
        }
    }
}
