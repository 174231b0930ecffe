import Foundation
import HarkenAudio
import HarkenData
import HarkenGraph
import HarkenPipeline
import HarkenStream
import HarkenNN
import HarkenONNX
import HarkenTrain
import XCTest
import HarkenTestSupport

/// Each Sentry architecture exported as float ONNX: onnx.checker accepts it and ONNX Runtime's
/// logits equal Harken's windowed float model within 1e-4.
final class ONNXTests: XCTestCase {
    func testFloatExportMatchesONNXRuntime() throws {
        let features = try SentryModel.features(try DemoScene.make(phrase: "hey jarvis").audio)
        for (i, arch) in SentryArchitecture.allCases.enumerated() {
            let model = SentryModel(spec: .standard(arch), seed: UInt64(60 + i))
            model.randomizeStatistics(seed: UInt64(70 + i))
            // Logits of a trained model's size (a few units), where 1e-4 is a meaningful bound.
            let head = model.chain.stages.last!.conv!
            for j in 0..<head.weight.value.count { head.weight.value.data[j] *= 0.05 }
            // Four windows of real features, each 20 frames longer than one output needs.
            let t = model.spec.windowFrames + 20, f = model.spec.features
            var data: [Float] = []
            for w in 0..<4 { data += features.data[(w * 90 * f)..<((w * 90 + t) * f)] }
            let x = HarkenNN.Tensor(shape: [4, t, 1, f], data: data)
            let mine = model.forward(x, training: false)

            let dir = try Support.tempDir("onnx-\(arch.rawValue)")
            let path = dir.appendingPathComponent("model.onnx").path
            try ONNXExport.float(model, name: arch.rawValue).write(to: URL(fileURLWithPath: path))
            let input = dir.appendingPathComponent("x.f32").path, output = dir.appendingPathComponent("y.f32").path
            try x.data.withUnsafeBufferPointer { Data(buffer: $0) }.write(to: URL(fileURLWithPath: input))
            let shape = try Support.py("onnx_run.py", [path, input, "4,\(t),1,\(f)", output]).stdout
            XCTAssertEqual(shape.trimmingCharacters(in: .whitespacesAndNewlines), "[4, \(20 / model.spec.inputStride + 1), 1, 1]", arch.rawValue)
            let theirs = try Data(contentsOf: URL(fileURLWithPath: output)).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            XCTAssertEqual(theirs.count, mine.count)
            let worst = zip(theirs, mine.data).map { abs($0 - $1) }.max() ?? .infinity
            let span = mine.data.map(abs).max() ?? 0
            print("onnx \(arch.rawValue): \(mine.count) logits up to |\(span)|, max |ORT - Harken| \(worst)")
            XCTAssertLessThan(worst, 1e-4, arch.rawValue)
        }
    }

    /// The int8 model in QDQ form, run by ONNX Runtime over a whole scene on the int8 inputs
    /// Harken's runtime gets (dequantized, so its QuantizeLinear gives them back exactly), gives
    /// Harken's int8 probabilities within two output steps (ONNX Runtime requantizes in float,
    /// TFLM's arithmetic in fixed point), so every decision not within that of the cutoff is the same.
    ///
    /// MobileNetV3-small enters as one bottleneck (hard-swish stem, then expand, depthwise,
    /// squeeze-excite and project around a residual): with random weights its full depth
    /// amplifies single-step rounding differences beyond any fixed bound (its int8 graph differs
    /// from its own float model by up to 37 logit steps), so the whole architecture's decisions are
    /// compared on a trained model by Benchmarks/qdq_agreement.py.
    func testQDQExportDecidesAsHarkensInt8Model() throws {
        let audio = try DemoScene.make(phrase: "hey jarvis").audio
        let x = try SentryModel.features(audio)
        let bottleneck = SentrySpec(architecture: .mobileNetV3Small, blocks: [
            .conv(filters: 16, kernel: 5, stride: 3, dilation: 1, activation: .hardSwish),
            .residual([.pointwise(filters: 48, activation: .hardSwish), .depthwise(kernels: [5], dilation: 2, activation: .hardSwish),
                       .squeezeExcite(reduced: 12), .pointwise(filters: 16, activation: nil)]),
        ], headFrames: 6)
        for (i, spec) in [SentrySpec.standard(.tinyConvV2), .standard(.mixedNet), bottleneck].enumerated() {
            let arch = spec.architecture
            let model = SentryModel(spec: spec, seed: UInt64(80 + i))
            model.randomizeStatistics(seed: UInt64(90 + i))
            let head = model.chain.stages.last!.conv!
            for j in 0..<head.weight.value.count { head.weight.value.data[j] *= 0.05 }
            var ranges = ActivationRanges()
            model.calibrate(x, into: &ranges)
            let plan = try model.streamingGraph(ranges: ranges, description: arch.rawValue).lower()
            guard case .device(let bytes) = try PlanScorer(plan: plan).scores(audio) else { return XCTFail("an int8 plan scores as device bytes") }
            let harken = bytes.map { Float($0) / 256 }

            // The windowed form over the same int8 features, with the first layer's zero state as lead frames.
            let q = SentryModel.inputQuantization
            let features = try FeatureSteps.make(audio, plan: plan).flatMap { $0 }.map { (Float(Int8(bitPattern: $0)) - Float(q.zeroPoint)) * q.scale }
            let s = model.spec.inputStride, f = model.spec.features
            let steps = features.count / (s * f)
            guard case .conv(_, let k, _, let d, _) = model.spec.blocks[0] else { return XCTFail() }
            let lead = (k - 1) * d + 1 - s
            let padded = [Float](repeating: 0, count: lead * f) + features
            let dir = try Support.tempDir("qdq-\(arch.rawValue)")
            let path = dir.appendingPathComponent("m.onnx").path
            try ONNXExport.qdq(model, ranges: ranges, name: arch.rawValue).write(to: URL(fileURLWithPath: path))
            let input = dir.appendingPathComponent("x.f32").path, output = dir.appendingPathComponent("y.f32").path
            try padded.withUnsafeBufferPointer { Data(buffer: $0) }.write(to: URL(fileURLWithPath: input))
            try Support.py("onnx_run.py", [path, input, "1,\(lead + steps * s),1,\(f)", output])
            let logits = try Data(contentsOf: URL(fileURLWithPath: output)).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            let warmup = steps - logits.count
            var clear = 0, differ = 0, worst: Float = 0
            for (j, z) in logits.enumerated() {
                let p = 1 / (1 + exp(-z)), mine = harken[j + warmup]
                worst = max(worst, abs(p - mine))
                guard abs(mine - 0.5) > 2.0 / 256 else { continue }
                clear += 1
                if (p > 0.5) != (mine > 0.5) { differ += 1 }
            }
            print("qdq \(arch.rawValue): \(logits.count) steps, max |p_ORT - p_Harken| \(worst); \(differ) of \(clear) clear decisions differ")
            XCTAssertGreaterThan(logits.count, 400)
            XCTAssertGreaterThan(clear, 100)
            XCTAssertEqual(differ, 0, arch.rawValue)
            // Three hard-swish stages (TFLite's int8 hard-swish is a fixed-point approximation) and a
            // residual grow the bottleneck's differences to a few steps.
            XCTAssertLessThan(worst, (spec == bottleneck ? 8 : 2.5) / 256, arch.rawValue)
        }
    }
}
