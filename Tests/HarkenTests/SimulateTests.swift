import Foundation
import HarkenAudio
import HarkenData
import HarkenGraph
import HarkenPipeline
import HarkenStream
import XCTest

/// `harken simulate` against microWakeWord's own Python runtime (pymicro-wakeword)
/// on a minute of synthesized speech with the phrase, silence and noise.
final class SimulateTests: XCTestCase {
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
        struct Oracle: Decodable {
            struct Step: Decodable { var raw: Int; var mean: Double; var detected: Bool }
            var window: Int; var stride: Int; var steps: [Step]; var inputs: [String]
        }
        let oracle = try JSONDecoder().decode(Oracle.self, from: Data(contentsOf: URL(fileURLWithPath: oraclePath)))

        let model = try Support.modelPath("hey_jarvis")
        let report = try Pipeline.simulate(model: model, audio: try Audio.read(wav),
                                           overrides: DetectorOverrides(cutoff: cutoff, release: cutoff, refractoryMs: 0))
        let trace = report.trace!
        XCTAssertEqual(trace.count, oracle.steps.count, "inference steps")

        // 1. The model itself is exact: fed the runtime's own (float-quantized) inputs,
        //    Harken's kernels give its outputs at every step.
        let (_, plan) = try Pipeline.load(model: model)
        let runner = ModelRunner(plan: plan)
        var exact = 0
        for (i, hex) in oracle.inputs.enumerated() {
            let bytes = stride(from: 0, to: hex.count, by: 2).map { o -> UInt8 in
                let s = hex.index(hex.startIndex, offsetBy: o)
                return UInt8(hex[s..<hex.index(s, offsetBy: 2)], radix: 16)!
            }
            runner.input().copyBytes(from: bytes)
            runner.invoke()
            if Int(runner.output().load(as: UInt8.self)) == oracle.steps[i].raw { exact += 1 }
        }
        XCTAssertEqual(exact, oracle.steps.count, "model outputs on the runtime's own inputs")

        // 2. Harken's integer feature path: same detections at the same times; trace
        //    differences only from the runtime's float rounding of the features.
        let theirEdges = oracle.steps.indices.filter { oracle.steps[$0].detected && ($0 == 0 || !oracle.steps[$0 - 1].detected) }
        let ours = report.detections.map(\.step)
        XCTAssertFalse(theirEdges.isEmpty, "the scene must trigger the model at cutoff \(cutoff)")
        XCTAssertEqual(ours, theirEdges, "detection steps")
        let differing = zip(trace, oracle.steps).filter { Int($0.0.raw) != $0.1.raw }.count
        print("simulate vs pymicro-wakeword: \(trace.count) steps, \(ours.count) detections at "
              + report.detections.map { String(format: "%.2f s", $0.timeS) }.joined(separator: ", ")
              + "; \(differing) steps differ in raw probability (feature rounding)")
        XCTAssertLessThan(Double(differing), 0.5 * Double(trace.count))
    }
}
