import Foundation
import HarkenAudio
import HarkenData
import HarkenGraph
import HarkenNN
import HarkenPipeline
import HarkenStream
import HarkenTrain
import XCTest
import HarkenTestSupport

/// The Judge's int8 form (one window in, one probability out, no state) runs in TFLM and LiteRT as
/// in Harken's runtime.
final class JudgeTests: XCTestCase {
    func testJudgeSizesReadTheDefaultWindow() throws {
        let device = try JudgeModel(size: .device, seed: 1), server = try JudgeModel(size: .server, seed: 1)
        XCTAssertEqual(device.net.spec.windowFrames, JudgeStage.defaultFramesBefore + JudgeStage.defaultFramesAfter)
        XCTAssertEqual(server.net.spec.windowFrames, device.windowFrames)
        XCTAssert((100_000...500_000).contains(device.parameterCount), "device Judge: \(device.parameterCount) parameters")
        XCTAssertGreaterThan(server.parameterCount, 2 * device.parameterCount)
        XCTAssertThrowsError(try JudgeModel(size: .device, framesBefore: 100, framesAfter: 30, seed: 1))
    }

    func testInt8JudgeRunsIdenticallyInTFLMAndLiteRT() throws {
        let scene = try DemoScene.make(phrase: "hey jarvis").audio
        let audio = Audio(samples: scene.samples + scene.samples)
        let model = try JudgeModel(size: .device, seed: 3)
        model.net.randomizeStatistics(seed: 9)
        let dir = try Support.tempDir("judge-tflite")
        // Windows of real speech features, the first half calibrating, all of them compared.
        let probe = try JudgeModel.probe(size: .device, seed: 3).graph.lower(file: "probe")
        let windows = try FeatureSteps.make(audio, plan: probe)
        XCTAssertGreaterThanOrEqual(windows.count, 8)
        var ranges = ActivationRanges()
        model.calibrate(JudgeModel.tensor(windows.prefix(windows.count / 2).map { $0.map { Int8(bitPattern: $0) } },
                                          frames: model.windowFrames), into: &ranges)
        let graph = try model.int8Graph(ranges: ranges, description: "judge")
        XCTAssertTrue(graph.variables.isEmpty)
        let path = dir.appendingPathComponent("judge.tflite").path
        try graph.tfliteData(description: "judge").write(to: URL(fileURLWithPath: path))
        let plan = try Graph.load(tflite: path).lower(file: path)
        XCTAssertEqual(plan.stateBytes, 0)
        try RuntimeOracles.assertIdenticalInTFLMAndLiteRT(path, plan: plan, steps: windows, in: dir)

        XCTAssertEqual(try PlanJudge(plan: plan, file: path).scores(windows.map { $0.map { Int8(bitPattern: $0) } }),
                       RuntimeOracles.outputs(plan, windows).map { Double($0) / 256 })
        XCTAssertThrowsError(try PlanJudge(plan: plan).scores([[0, 1, 2]]))
    }
}
