import HarkenAudio
import HarkenData
import HarkenGraph
import HarkenNN
import HarkenStream
import HarkenTrain
import XCTest

/// The int8 streaming graph of each Sentry: it lowers, runs in Harken's runtime, and follows the
/// float model step by step.
final class SentryExportTests: XCTestCase {

    func testInt8GraphFollowsTheFloatModel() throws {
        let audio = try DemoScene.make(phrase: "hey jarvis").audio
        let x = try SentryModel.features(audio)
        for (i, arch) in SentryArchitecture.allCases.enumerated() {
            let model = SentryModel(spec: .standard(arch), seed: UInt64(40 + i))
            var ranges = ActivationRanges()
            model.calibrate(x, into: &ranges)
            let graph = try model.streamingGraph(ranges: ranges, description: arch.rawValue)
            XCTAssertFalse(graph.operators.contains { $0.name == "BATCH_NORM" })
            // The logit, before the output's LOGISTIC, as a second output: quantization error is
            // judged in its own steps (an untrained net's logits span tens, and near 0.5 one
            // step of that moves the probability a lot).
            var probe = graph
            let logitTensor = graph.tensors.first { $0.name == "logit/flat" }!
            probe.outputs.append(logitTensor.index)
            let plan = try probe.lower(file: arch.rawValue)
            let q = logitTensor.quantization!
            let runner = ModelRunner(plan: plan)
            let steps = try FeatureSteps.make(audio, plan: plan)
            let stream = StreamingRunner(model)
            let s = model.spec.inputStride, f = model.spec.features
            var worst: Float = 0, sum: Float = 0, logits: [Float] = []
            for (m, step) in steps.enumerated() {
                runner.input().copyBytes(from: step)
                runner.invoke()
                let logit8 = Float(Int(Int8(bitPattern: runner.output(1)[0])) - Int(q.zeroPoint)) * q.scale
                let chunk = HarkenNN.Tensor(shape: [1, s, 1, f], data: Array(x.data[(m * s * f)..<((m + 1) * s * f)]))
                let logit = stream.step(chunk)
                logits.append(logit)
                let steps = abs(logit - logit8) / q.scale
                worst = max(worst, steps); sum += steps
            }
            print(String(format: "sentry %@ int8: %d steps, arena %d B, state %d B, logit error max %.1f, mean %.2f quantization steps, logits %.2f...%.2f",
                         arch.rawValue, steps.count, plan.arenaBytes, plan.stateBytes, worst, sum / Float(steps.count),
                         logits.min()!, logits.max()!))
            XCTAssertGreaterThan(steps.count, 400)
            // Post-training quantization of an untrained net, through 7 to 20 layers: a few steps
            // on average; a wrong layout or scale anywhere is off by tens to hundreds.
            XCTAssertLessThan(sum / Float(steps.count), 5, "\(arch)")
            XCTAssertLessThan(worst, 50, "\(arch)")
        }
    }
}
