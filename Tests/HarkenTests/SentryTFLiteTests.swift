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
            XCTAssertEqual(Self.outputs(reloaded, steps), Self.outputs(plan, steps), "\(name): the imported file runs differently")
            try Self.assertIdenticalInTFLMAndLiteRT(path, plan: plan, steps: steps, in: dir)
        }
    }

    /// Harken's runtime outputs at each step, state carried across steps.
    static func outputs(_ plan: Plan, _ steps: [[UInt8]]) -> [UInt8] {
        let r = ModelRunner(plan: plan)
        return steps.flatMap { s -> [UInt8] in
            r.input().copyBytes(from: s)
            r.invoke()
            return Array(r.output())
        }
    }

    /// The .tflite at `path` streamed through TFLM and LiteRT's reference kernels gives Harken's
    /// outputs at every step.
    static func assertIdenticalInTFLMAndLiteRT(_ path: String, plan: Plan, steps: [[UInt8]], in dir: URL,
                                               file: StaticString = #filePath, line: UInt = #line) throws {
        let mine = outputs(plan, steps)
        let inputs = dir.appendingPathComponent("inputs.bin").path
        try Data(steps.flatMap { $0 }).write(to: URL(fileURLWithPath: inputs))
        for oracle in ["tflm_stream.py", "litert_stream.py"] {
            let out = dir.appendingPathComponent("\(oracle).out").path
            try Support.py(oracle, [path, inputs, out])
            let theirs = [UInt8](try Data(contentsOf: URL(fileURLWithPath: out)))
            XCTAssertEqual(theirs.count, mine.count, "\(path) \(oracle)", file: file, line: line)
            let differing = zip(theirs, mine).filter { $0 != $1 }.count
            print("\((path as NSString).lastPathComponent): \(steps.count) steps, \(oracle): \(differing) outputs differ from Harken")
            XCTAssertEqual(differing, 0, "\(path) \(oracle)", file: file, line: line)
        }
    }
}
