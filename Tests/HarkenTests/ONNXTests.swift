import Foundation
import HarkenData
import HarkenNN
import HarkenONNX
import HarkenTrain
import XCTest

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
}
