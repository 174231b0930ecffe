import Foundation
import HarkenAudio
import HarkenData
import HarkenGraph
import HarkenPipeline
import HarkenStream
import XCTest

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
            func run(_ p: Plan) -> [UInt8] {
                let r = ModelRunner(plan: p)
                return steps.flatMap { s -> [UInt8] in
                    r.input().copyBytes(from: s)
                    r.invoke()
                    return Array(r.output())
                }
            }
            let mine = run(plan)
            XCTAssertEqual(run(reloaded), mine, "\(name): the imported file runs differently")
            let inputs = dir.appendingPathComponent("inputs.bin").path
            try Data(steps.flatMap { $0 }).write(to: URL(fileURLWithPath: inputs))
            for oracle in ["tflm_stream.py", "litert_stream.py"] {
                let outputs = dir.appendingPathComponent("\(oracle).out").path
                try Support.py(oracle, [path, inputs, outputs])
                let theirs = [UInt8](try Data(contentsOf: URL(fileURLWithPath: outputs)))
                XCTAssertEqual(theirs.count, mine.count, "\(name) \(oracle)")
                let differing = zip(theirs, mine).filter { $0 != $1 }.count
                let worst = zip(theirs, mine).map { abs(Int($0) - Int($1)) }.max() ?? 0
                print("sentry \(name) as .tflite: \(steps.count) steps, \(oracle): \(differing) outputs differ from Harken (worst by \(worst))")
                XCTAssertEqual(differing, 0, "\(name) \(oracle)")
            }
        }
    }
}
