import HarkenNN
import HarkenTestSupport
import XCTest

/// Every layer's backward pass against central finite differences (relative error < 1e-3).
final class HarkenNNGradientTests: XCTestCase {
    let tolerance = 1e-3

    private func assertGradients(_ label: String, _ layer: Layer, _ x: Tensor, h: Float = 0.05,
                                 training: Bool = true, file: StaticString = #filePath, line: UInt = #line) {
        let report = NNGradCheck.check(layer, input: x, h: h, training: training)
        print("gradcheck \(label): max=\(String(format: "%.2e", report.worst)) \(report.summary)")
        for e in report.errors {
            XCTAssertLessThan(e.error, tolerance, "\(label): \(e.name) relative error \(e.error)", file: file, line: line)
        }
        XCTAssertEqual(report.errors.count, 1 + layer.parameters.count, file: file, line: line)
    }

    func testConv2DGradients() {
        struct Case { var k: (Int, Int); var s: (Int, Int); var d: (Int, Int); var pad: Padding; var bias: Bool }
        let cases = [
            Case(k: (3, 3), s: (1, 1), d: (1, 1), pad: .same, bias: true),
            Case(k: (3, 3), s: (2, 2), d: (1, 1), pad: .valid, bias: true),
            Case(k: (3, 3), s: (2, 2), d: (1, 1), pad: .same, bias: false),
            Case(k: (1, 3), s: (1, 1), d: (1, 2), pad: .same, bias: true),
            Case(k: (3, 1), s: (2, 1), d: (2, 1), pad: .valid, bias: true),
            Case(k: (2, 3), s: (1, 2), d: (2, 1), pad: .same, bias: true),
            Case(k: (1, 1), s: (1, 1), d: (1, 1), pad: .valid, bias: true),
        ]
        for (i, c) in cases.enumerated() {
            var rng = SeededGenerator(seed: UInt64(100 + i))
            let conv = Conv2D(inChannels: 3, outChannels: 4, kernel: c.k, stride: c.s, dilation: c.d,
                              padding: c.pad, useBias: c.bias, rng: &rng)
            let x = Tensor.uniform([2, 7, 6, 3], low: -1, high: 1, using: &rng)
            assertGradients("Conv2D k=\(c.k) s=\(c.s) d=\(c.d) \(c.pad) bias=\(c.bias)", conv, x)
        }
    }

    func testDepthwiseConv2DGradients() {
        let cases: [((Int, Int), (Int, Int), (Int, Int), Padding)] = [
            ((3, 3), (1, 1), (1, 1), .same), ((3, 3), (2, 2), (1, 1), .valid),
            ((1, 5), (1, 1), (1, 1), .same), ((5, 1), (1, 1), (2, 1), .same), ((3, 3), (2, 1), (1, 2), .same),
        ]
        for (i, c) in cases.enumerated() {
            var rng = SeededGenerator(seed: UInt64(200 + i))
            let dw = DepthwiseConv2D(channels: 5, kernel: c.0, stride: c.1, dilation: c.2, padding: c.3, rng: &rng)
            let x = Tensor.uniform([2, 7, 6, 5], low: -1, high: 1, using: &rng)
            assertGradients("DepthwiseConv2D k=\(c.0) s=\(c.1) d=\(c.2) \(c.3)", dw, x)
        }
    }

    func testDenseGradients() {
        var rng = SeededGenerator(seed: 300)
        let dense = Dense(inFeatures: 12, outFeatures: 5, rng: &rng)
        assertGradients("Dense [3,12]", dense, Tensor.uniform([3, 12], low: -1, high: 1, using: &rng))
        let dense2 = Dense(inFeatures: 2 * 3 * 2, outFeatures: 3, rng: &rng)
        assertGradients("Dense [3,2,3,2]", dense2, Tensor.uniform([3, 2, 3, 2], low: -1, high: 1, using: &rng))
    }

    func testBatchNormGradients() {
        var rng = SeededGenerator(seed: 400)
        let bn = BatchNorm(channels: 3)
        bn.gamma.value = Tensor.uniform([3], low: 0.5, high: 1.5, using: &rng)
        bn.beta.value = Tensor.uniform([3], low: -0.5, high: 0.5, using: &rng)
        let x = Tensor.uniform([4, 3, 2, 3], low: -2, high: 2, using: &rng)
        assertGradients("BatchNorm training", bn, x)
        assertGradients("BatchNorm inference", bn, x, training: false)
    }

    func testActivationGradients() {
        var rng = SeededGenerator(seed: 500)
        let cases: [(ActivationKind, Float, Float, [Float])] = [
            (.relu, -2, 2, [0]), (.relu6, -2, 8, [0, 6]), (.hardSwish, -5, 5, [-3, 3]),
            (.hardSigmoid, -5, 5, [-3, 3]), (.sigmoid, -4, 4, []),
        ]
        for (kind, lo, hi, kinks) in cases {
            let x = NNGradCheck.awayFromKinks([2, 3, 3, 4], low: lo, high: hi, kinks: kinks, rng: &rng)
            assertGradients("Activation \(kind)", Activation(kind), x)
        }
    }

    func testPoolingGradients() {
        var rng = SeededGenerator(seed: 600)
        // Distinct values 0.5 apart so a ±2h step never changes which input is the maximum.
        var values: [Float] = (0..<180).map { (i: Int) -> Float in Float(i) * 0.5 - 45 }
        values.shuffle(using: &rng)
        let x = Tensor(shape: [2, 6, 5, 3], data: values)
        assertGradients("MaxPool 2x2 valid", Pool2D(.max, window: (2, 2)), x)
        assertGradients("MaxPool 3x3 s2 same", Pool2D(.max, window: (3, 3), stride: (2, 2), padding: .same), x)
        // Averages are linear: moderate values keep float32 rounding of the outputs small.
        let small = Tensor.uniform([2, 6, 5, 3], low: -1, high: 1, using: &rng)
        assertGradients("AvgPool 2x2 valid", Pool2D(.average, window: (2, 2)), small)
        assertGradients("AvgPool 3x2 s(2,1) same", Pool2D(.average, window: (3, 2), stride: (2, 1), padding: .same), small)
        assertGradients("GlobalAveragePool", GlobalAveragePool(), small)
    }

    func testDropoutGradients() {
        var rng = SeededGenerator(seed: 700)
        let dropout = Dropout(rate: 0.3, seed: 9)
        dropout.freezeMask = true
        let x = Tensor.uniform([2, 4, 4, 3], low: -1, high: 1, using: &rng)
        assertGradients("Dropout 0.3", dropout, x)
        let y = dropout.forward(x, training: true)
        let zeros = y.data.filter { $0 == 0 }.count
        XCTAssertGreaterThan(zeros, 0)
        XCTAssertLessThan(zeros, x.count)
        XCTAssertEqual(dropout.forward(x, training: false), x, "inference is the identity")
    }

    func testResidualGradients() {
        var rng = SeededGenerator(seed: 800)
        let body = Sequential([
            Conv2D(inChannels: 4, outChannels: 4, kernel: (3, 3), rng: &rng),
            Activation(.hardSwish),
            DepthwiseConv2D(channels: 4, kernel: (3, 1), rng: &rng),
        ])
        let x = Tensor.uniform([2, 5, 4, 4], low: -1, high: 1, using: &rng)
        assertGradients("Residual(conv, hardSwish, dw)", Residual(body), x)
    }

    func testSqueezeExciteGradients() {
        var rng = SeededGenerator(seed: 900)
        let se = SqueezeExcite(channels: 6, reduced: 3, rng: &rng)
        // Keep the inner ReLU's pre-activations (pooled · W is within ±0.4) clear of its kink under ±2h steps.
        se.squeeze.bias!.value = Tensor(shape: [3], data: [1.0, 0.7, -0.9])
        let x = Tensor.uniform([2, 4, 3, 6], low: -1, high: 1, using: &rng)
        assertGradients("SqueezeExcite", se, x, h: 0.05)
    }

    func testLossGradients() {
        var rng = SeededGenerator(seed: 1000)
        let z = Tensor.uniform([6, 3], low: -4, high: 4, using: &rng)
        let pattern: [Float] = [1, 0, 0.7]
        let y = Tensor(shape: [6, 3], data: (0..<18).map { (i: Int) -> Float in pattern[i % 3] })
        let w = Tensor.uniform([6, 3], low: 0.5, high: 2, using: &rng)
        let losses: [(String, (Tensor) -> (loss: Float, grad: Tensor))] = [
            ("BCE", { Loss.binaryCrossEntropy(logits: $0, targets: y) }),
            ("BCE weighted", { Loss.binaryCrossEntropy(logits: $0, targets: y, weights: w) }),
            ("focal a=.25 g=2", { Loss.focal(logits: $0, targets: y) }),
            ("focal a=.75 g=1 weighted", { Loss.focal(logits: $0, targets: y, alpha: 0.75, gamma: 1, weights: w) }),
        ]
        for (name, f) in losses {
            let analytic = f(z).grad.data.map(Double.init)
            var numeric = [Double](repeating: 0, count: z.count)
            var zp = z
            for i in 0..<z.count {
                let s = zp.data[i]
                numeric[i] = NNGradCheck.derivative(h: 0.05, { zp.data[i] = s + $0 }) { Double(f(zp).loss) }
            }
            let err = NNGradCheck.relativeError(analytic, numeric)
            print("gradcheck Loss \(name): max=\(String(format: "%.2e", err))")
            XCTAssertLessThan(err, tolerance, name)
        }
        // Focal with gamma 0 and alpha 0.5 is half the cross-entropy.
        let bce = Loss.binaryCrossEntropy(logits: z, targets: y)
        let focal0 = Loss.focal(logits: z, targets: y, alpha: 0.5, gamma: 0)
        XCTAssertEqual(focal0.loss, bce.loss / 2, accuracy: 1e-6)
        for i in 0..<z.count { XCTAssertEqual(focal0.grad.data[i], bce.grad.data[i] / 2, accuracy: 1e-7) }
    }

    /// The batch-parallel path gives the serial path's outputs and gradients.
    func testParallelMatchesSerial() {
        var rng = SeededGenerator(seed: 1100)
        let x = Tensor.uniform([7, 9, 8, 3], low: -1, high: 1, using: &rng)
        let conv = Conv2D(inChannels: 3, outChannels: 5, kernel: (3, 3), stride: (2, 1), padding: .same, rng: &rng)
        let dw = DepthwiseConv2D(channels: 3, kernel: (3, 3), dilation: (2, 2), rng: &rng)
        for layer in [conv, dw] as [Layer] {
            var results: [(Tensor, Tensor, [Tensor])] = []
            for parallel in [false, true] {
                (layer as? Conv2D)?.parallel = parallel
                (layer as? DepthwiseConv2D)?.parallel = parallel
                let y = layer.forward(x, training: true)
                var rRng = SeededGenerator(seed: 1101)  // the same upstream gradient for both runs
                let r = Tensor.uniform(y.shape, low: -1, high: 1, using: &rRng)
                layer.zeroGradients()
                let dx = layer.backward(r)
                results.append((y, dx, layer.parameters.map(\.grad)))
            }
            let (a, b) = (results[0], results[1])
            XCTAssertEqual(a.0.data, b.0.data, "forward is per item, identical")
            for (u, v) in zip([a.1] + a.2, [b.1] + b.2) {
                for i in 0..<u.count { XCTAssertEqual(u.data[i], v.data[i], accuracy: 1e-5 * max(1, abs(u.data[i]))) }
            }
        }
    }
}
