import HarkenGraph
import HarkenNN
@testable import HarkenTrain
import HarkenTestSupport
import XCTest

/// Quantization-aware training: the BatchNorm folding's gradients, and fake quantization that
/// rounds exactly as the int8 export does.
final class QATTests: XCTestCase {
    func testFoldingGradientsAgainstFiniteDifferences() {
        let spec = SentrySpec(architecture: .mixedNet, features: 6, blocks: [
            .conv(filters: 4, kernel: 3, stride: 2, dilation: 1, activation: .hardSwish),
            .depthwise(kernels: [2, 3], dilation: 1, activation: nil),
            .pointwise(filters: 5, activation: nil),
        ], headFrames: 2)
        let model = SentryModel(spec: spec, seed: 18)
        model.randomizeStatistics(seed: 19)
        model.prepareQuantizationAwareTraining()
        for s in model.chain.stages { (s.layer as? FoldedQuantStage)?.quantize = false }
        var rng = SeededGenerator(seed: 10)
        let x = HarkenNN.Tensor.uniform([3, spec.windowFrames + 3, 1, 6], low: -0.5, high: 0.5, using: &rng)
        let report = NNGradCheck.check(model.chain, input: x, h: 0.05)
        print("gradcheck folded stages: max=\(String(format: "%.2e", report.worst)) \(report.summary)")
        for e in report.errors { XCTAssertLessThan(e.error, 1e-3, e.name) }
        // Input, and w, γ, β of three folded stages, and the head's weight and bias.
        XCTAssertEqual(report.errors.count, 1 + 9 + 2)
    }

    func testFakeQuantizationMatchesTheExport() throws {
        let model = SentryModel(spec: .standard(.tinyConvV2), seed: 3)
        model.randomizeStatistics(seed: 4)
        var rng = SeededGenerator(seed: 5)
        let x = HarkenNN.Tensor.uniform([4, model.spec.windowFrames, 1, 40], low: 0, high: 20, using: &rng)
        model.prepareQuantizationAwareTraining()
        _ = model.forward(x, training: true)          // ranges from this batch
        model.freezeQuantizationRanges()
        let ranges = model.quantizationAwareRanges
        XCTAssertEqual(ranges.ranges.count, 7)
        // The first stage's fake-quantized output sits on the int8 grid the export gives that tensor.
        let stage = model.chain.stages[0]
        let out = stage.layer.forward(x, training: false)
        let q = try XCTUnwrap(ranges.ranges["b0.out"])
        let quant = Quantization.int8(min: q.min, max: q.max)
        for v in out.data.prefix(2000) {
            let level = v / quant.scale + Float(quant.zeroPoint)
            XCTAssertEqual(level, level.rounded(), accuracy: 1e-3)
            XCTAssertTrue(level >= -128.001 && level <= 127.001)
        }
    }
}
