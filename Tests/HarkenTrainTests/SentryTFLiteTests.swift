import Foundation
import HarkenAudio
import HarkenData
import HarkenGraph
import HarkenPipeline
import HarkenStream
import XCTest
import HarkenTestSupport

/// Harken's own int8 Sentries written as .tflite: TFLM and LiteRT (reference kernels) give the
/// outputs Harken's runtime gives at every step, and importing the file back round-trips.
final class SentryTFLiteTests: XCTestCase {
    func testExportedSentriesRunIdenticallyInTFLMAndLiteRT() throws {
        let scene = try DemoScene.make(phrase: "hey jarvis").audio
        let audio = Audio(samples: scene.samples + scene.samples + scene.samples)
        for (name, graph) in try Pipeline.sentryProbeGraphs() {
            let dir = try Support.tempDir("tflite-\(name)")
            let path = dir.appendingPathComponent("\(name).tflite").path
            try graph.tfliteData(description: name).write(to: URL(fileURLWithPath: path))

            let plan = try graph.lower(file: name)
            let imported = try Graph.load(tflite: path)
            let reloaded = try imported.lower(file: path)
            XCTAssertEqual(reloaded.arenaBytes, plan.arenaBytes, name)
            XCTAssertEqual(reloaded.stateBytes, plan.stateBytes, name)
            XCTAssertFalse(imported.operators.contains { ["BATCH_NORM", "RELU", "RELU6"].contains($0.name) }, name)

            let steps = try FeatureSteps.make(audio, plan: plan)
            XCTAssertGreaterThanOrEqual(steps.count, 1000)
            XCTAssertEqual(RuntimeOracles.outputs(reloaded, steps), RuntimeOracles.outputs(plan, steps), "\(name): the imported file runs differently")
            try RuntimeOracles.assertIdenticalInTFLMAndLiteRT(path, plan: plan, steps: steps, in: dir)
        }
    }
}
