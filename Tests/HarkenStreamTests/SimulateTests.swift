import Foundation
import HarkenAudio
import HarkenData
import HarkenGraph
import HarkenPipeline
import HarkenSupport
import HarkenStream
import XCTest
import HarkenTestSupport

/// `harken simulate` against microWakeWord's own Python runtime (pymicro-wakeword)
/// on a minute of synthesized speech containing the phrase, silence and noise.
///
/// pymicro-wakeword runs TFLite's optimized kernels, which round differently from
/// the reference kernels that TFLM (the device runtime) and Harken implement; the
/// oracle script therefore also replays the runtime's inputs, window and cutoff
/// through LiteRT's reference kernels. Harken must match that replay exactly, and
/// the optimized runtime within the differences its kernels introduce.
final class SimulateTests: XCTestCase {
    struct Oracle: Decodable {
        struct Step: Decodable {
            var raw: Int, tflm: Int, ref: Int
            var mean: Double, ref_mean: Double
            var detected: Bool, ref_detected: Bool
        }
        var window: Int
        var stride: Int
        var steps: [Step]
        var inputs: [String]
    }

    static func risingEdges(_ flags: [Bool]) -> [Int] {
        flags.indices.filter { flags[$0] && ($0 == 0 || !flags[$0 - 1]) }
    }

    static func bytes(hex: String) -> [UInt8] {
        let chars = Array(hex.utf8)
        return stride(from: 0, to: chars.count, by: 2).map { UInt8(String(decoding: chars[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
    }

    func testAgreesWithPymicroWakeword() throws {
        let dir = try Support.tempDir("simulate")
        var scene = try DemoScene.make(phrase: "hey jarvis", seed: 3).audio
        var rng = SplitMix64(seed: 9)
        while scene.seconds < 60 { scene.samples += (0..<16000).map { _ in Int16(Int(rng.next() % 2001) - 1000) } }
        let wav = dir.appendingPathComponent("scene.wav").path
        try scene.writeWAV(to: wav)
        let cutoff = 0.5
        let oraclePath = dir.appendingPathComponent("mww.json").path
        try Support.py("mww_stream.py", ["hey_jarvis", wav, oraclePath, "--cutoff", String(cutoff)])
        let oracle = try JSONDecoder().decode(Oracle.self, from: Data(contentsOf: URL(fileURLWithPath: oraclePath)))

        let model = try Support.modelPath("hey_jarvis")
        let overrides = DetectorOverrides(cutoff: cutoff, release: cutoff, refractoryMs: 0)
        let report = try Pipeline.simulate(model: model, audio: try Audio.read(wav), overrides: overrides)
        let trace = report.trace!
        XCTAssertEqual(trace.count, oracle.steps.count, "inference steps")

        // 1. Fed the runtime's own (float-quantized) inputs, Harken's kernels give the
        //    reference kernels' outputs (TFLM and LiteRT BUILTIN_REF) at every step.
        let (_, plan) = try Pipeline.load(model: model)
        let runner = ModelRunner(plan: plan)
        var referenceMismatches = 0, optimizedDiffers = 0, optimizedGap = 0
        for (i, hex) in oracle.inputs.enumerated() {
            runner.input().copyBytes(from: SimulateTests.bytes(hex: hex))
            runner.invoke()
            let ours = Int(runner.output().load(as: UInt8.self))
            if ours != oracle.steps[i].tflm || ours != oracle.steps[i].ref { referenceMismatches += 1 }
            if ours != oracle.steps[i].raw { optimizedDiffers += 1 }
            optimizedGap = max(optimizedGap, abs(ours - oracle.steps[i].raw))
        }
        XCTAssertEqual(referenceMismatches, 0, "outputs vs TFLM and LiteRT reference kernels on the runtime's inputs")
        // LiteRT's optimized kernels requantize with their own rounding, and a one-step difference
        // early in the net grows through its layers: on the same inputs they differ from the
        // reference on a few percent of steps (11 on this scene) by up to 12/256; more would be a
        // different computation, not rounding.
        XCTAssertLessThan(optimizedDiffers, oracle.inputs.count / 20, "optimized kernels differ from the reference at too many steps")
        XCTAssertLessThanOrEqual(optimizedGap, 16, "optimized kernels differ from the reference by more than rounding")

        // 2. With microWakeWord's float feature rounding, Harken reproduces the reference
        //    replay exactly: every output, every detection.
        let floatReport = try Pipeline.simulate(model: model, audio: try Audio.read(wav), overrides: overrides, rounding: .float)
        XCTAssertEqual(floatReport.trace!.map { Int($0.raw) }, oracle.steps.map(\.ref), "float-rounding trace vs reference replay")
        let referenceEdges = SimulateTests.risingEdges(oracle.steps.map(\.ref_detected))
        XCTAssertFalse(referenceEdges.isEmpty, "the scene must trigger the model at cutoff \(cutoff)")
        XCTAssertEqual(floatReport.detections.map(\.step), referenceEdges, "float-rounding detections vs reference replay")

        // 3. With the device's integer rounding (ESPHome's formula), outputs differ only
        //    after a step whose features round differently, and detections stay within
        //    one inference step (30 ms).
        let ours = report.detections.map(\.step)
        XCTAssertEqual(ours.count, referenceEdges.count, "device-rounding detections \(ours) vs reference \(referenceEdges)")
        for (a, b) in zip(ours, referenceEdges) { XCTAssertLessThanOrEqual(abs(a - b), 1, "\(ours) vs \(referenceEdges)") }
        let firstRoundingStep = trace.indices.first { trace[$0].raw != UInt8(oracle.steps[$0].ref) }
        let differing = zip(trace, oracle.steps).filter { Int($0.0.raw) != $0.1.ref }.count

        // 3. Against the optimized-kernel runtime itself: the same number of detections,
        //    each within one inference step (30 ms).
        let runtimeEdges = SimulateTests.risingEdges(oracle.steps.map(\.detected))
        XCTAssertEqual(ours.count, runtimeEdges.count, "detections vs pymicro-wakeword")
        for (a, b) in zip(ours, runtimeEdges) { XCTAssertLessThanOrEqual(abs(a - b), 1, "detection steps \(ours) vs \(runtimeEdges)") }
        let runtimeDiffering = zip(trace, oracle.steps).filter { Int($0.0.raw) != $0.1.raw }.count

        print("""
        simulate vs pymicro-wakeword (hey_jarvis, \(trace.count) steps, cutoff \(cutoff)):
          detections (Harken)            \(report.detections.map { String(format: "%.2f s", $0.timeS) }.joined(separator: ", "))
          detection steps Harken device rounding / Harken float rounding / reference replay / pymicro-wakeword:
            \(ours) / \(floatReport.detections.map(\.step)) / \(referenceEdges) / \(runtimeEdges)
          steps whose output differs from the reference replay (device vs float feature rounding): \(differing), first at step \(firstRoundingStep ?? -1)
          steps whose output differs from pymicro-wakeword (rounding + optimized kernels): \(runtimeDiffering)
          on identical inputs, optimized TFLite kernels differ from the reference at \(optimizedDiffers) steps, by at most \(optimizedGap)
        """)
        XCTAssertLessThan(differing, trace.count / 10)
    }
}
