import HarkenNN
import HarkenTrain
import HarkenTestSupport
import XCTest

/// The Sentry architectures: window geometry, streaming against windowed outputs, and gradients
/// through the whole chain (residual crops, per-frame squeeze-excite, MixConv masks).
final class SentryTests: XCTestCase {
    func testWindowYieldsOneLogit() {
        for arch in SentryArchitecture.allCases {
            let spec = SentrySpec.standard(arch)
            let model = SentryModel(spec: spec, seed: 1)
            let y = model.forward(Tensor(zeros: [2, spec.windowFrames, 1, spec.features]), training: false)
            XCTAssertEqual(y.shape, [2, 1, 1, 1], "\(arch)")
            print("sentry \(arch.rawValue): window \(spec.windowFrames) frames, \(model.parameters.map(\.value.count).reduce(0, +)) parameters")
        }
    }

    func testStreamingMatchesWindowedAtEveryStep() {
        for (i, arch) in SentryArchitecture.allCases.enumerated() {
            let spec = SentrySpec.standard(arch)
            let model = SentryModel(spec: spec, seed: UInt64(10 + i))
            model.randomizeStatistics(seed: UInt64(20 + i))
            let stride = spec.inputStride, f = spec.features
            let steps = (spec.windowFrames / stride) + 200
            var rng = SeededGenerator(seed: UInt64(30 + i))
            let frames = Tensor.uniform([1, steps * stride, 1, f], low: 0, high: 3, using: &rng)

            // The windowed form sees the first layer's zero state as leading zero frames.
            guard case .conv(_, let k, _, let d, _) = spec.blocks[0] else { return XCTFail("first block") }
            let lead = (k - 1) * d + 1 - stride
            let padded = Tensor(shape: [1, lead + frames.shape[1], 1, f],
                                data: [Float](repeating: 0, count: lead * f) + frames.data)
            let windowed = model.forward(padded, training: false).data
            // Step m's output equals windowed output m - warmup once every layer's state holds real frames.
            let warmup = steps - windowed.count

            let runner = StreamingRunner(model)
            var worst: Float = 0, compared = 0
            for m in 0..<steps {
                let chunk = Tensor(shape: [1, stride, 1, f],
                                   data: Array(frames.data[(m * stride * f)..<((m + 1) * stride * f)]))
                let logit = runner.step(chunk)
                guard m >= warmup else { continue }
                // Relative to the logit once it exceeds 1: float32 carries 7 digits, and an untrained
                // MobileNetV3's logits reach 100.
                worst = max(worst, abs(logit - windowed[m - warmup]) / max(1, abs(logit)))
                compared += 1
            }
            print("sentry \(arch.rawValue): streaming vs windowed over \(compared) steps, max |diff| / max(1, |logit|) \(worst)")
            XCTAssertGreaterThanOrEqual(compared, 200)
            // OpenBLAS splits a GEMM by its thread count, and the sums' order with it: the same
            // MobileNetV3 measures 3e-6 alone and 1.1e-5 after tests that set one thread per call.
            XCTAssertLessThan(worst, 3e-5, "\(arch)")
        }
    }

    func testGradientsThroughTheWholeSentry() {
        // A strided conv, a residual around a dilated depthwise and a squeeze-excite, a MixConv: the
        // chain's own plumbing. Small inputs keep hard-swish on one quadratic piece (finite
        // differences across a kink are off by the jump; each activation is checked on its own), and
        // few layers keep float32 rounding far below the tolerance.
        let spec = SentrySpec(architecture: .mobileNetV3Small, features: 6, blocks: [
            .conv(filters: 4, kernel: 3, stride: 2, dilation: 1, activation: .hardSwish),
            .residual([.depthwise(kernels: [3], dilation: 2, activation: nil),
                       .squeezeExcite(reduced: 2)]),
            .depthwise(kernels: [2, 4], dilation: 1, activation: nil),
        ], headFrames: 3)
        let model = SentryModel(spec: spec, seed: 5)
        // Batch statistics over a few frames make the objective too curved for finite differences
        // (and cancel some gradients exactly); the layer itself is checked with them elsewhere.
        model.randomizeStatistics(seed: 4)
        for s in model.chain.stages { s.batchNorm?.frozen = true }
        // The squeeze-excite's own ReLU stays on its linear side.
        for s in model.chain.stages { s.squeezeExcite?.squeeze.bias?.value = Tensor(repeating: 1, shape: [2]) }
        var rng = SeededGenerator(seed: 6)
        let x = Tensor.uniform([3, spec.windowFrames + 4, 1, 6], low: -0.3, high: 0.3, using: &rng)
        let report = NNGradCheck.check(model.chain, input: x, h: 0.05)
        print("gradcheck sentry: max=\(String(format: "%.2e", report.worst)) \(report.summary)")
        for e in report.errors {
            XCTAssertLessThan(e.error, 1e-3, e.name)
        }
        XCTAssertEqual(report.errors.count, 1 + model.parameters.count)
    }

    func testMixConvKeepsMissingTapsAtZero() {
        let spec = SentrySpec.standard(.mixedNet)
        let model = SentryModel(spec: spec, seed: 3)
        let mixed = model.chain.stages.filter { $0.tapMask != nil }
        XCTAssertEqual(mixed.count, 2)
        for s in mixed {
            let w = s.depthwise!.weight.value.data
            for (i, m) in s.tapMask!.enumerated() where m == 0 { XCTAssertEqual(w[i], 0) }
            // Channel 0 (smallest kernel) has kmax - kmin dead taps; the last channel none.
            let c = s.depthwise!.channels
            XCTAssertEqual(s.tapMask![c - 1], 1)
            XCTAssertEqual(s.tapMask![0], 0)
        }
    }
}
