import Foundation
import HarkenNN
import HarkenTestSupport
import XCTest

/// Optimizers, schedule, clipping, and a tiny end-to-end training run.
final class HarkenNNTrainingTests: XCTestCase {
    func testAdamFirstStepAndConvergence() {
        // Adam's first bias-corrected step moves each weight by lr * sign(grad) (up to epsilon).
        let p = Parameter(name: "w.weight", value: Tensor(shape: [3], data: [1, -2, 0.5]))
        p.grad = Tensor(shape: [3], data: [0.3, -4, 1e-3])
        let adam = Adam()
        adam.update([p], lr: 0.1)
        XCTAssertEqual(p.value.data[0], 0.9, accuracy: 1e-5)
        XCTAssertEqual(p.value.data[1], -1.9, accuracy: 1e-5)
        XCTAssertEqual(p.value.data[2], 0.4, accuracy: 1e-4)
        // Minimises a quadratic sum((w - t)^2).
        let target: [Float] = [3, -1, 2]
        for _ in 0..<500 {
            p.grad = Tensor(shape: [3], data: (0..<3).map { 2 * (p.value.data[$0] - target[$0]) })
            adam.update([p], lr: 0.05)
        }
        for i in 0..<3 { XCTAssertEqual(p.value.data[i], target[i], accuracy: 1e-2) }
    }

    func testWeightDecayCoupledAndDecoupled() {
        // With a zero gradient AdamW shrinks weights by exactly (1 - lr * wd); biases are exempt.
        let w = Parameter(name: "d.weight", value: Tensor(shape: [2], data: [2, -4]))
        let b = Parameter(name: "d.bias", value: Tensor(shape: [1], data: [1]))
        let adamW = Adam.adamW(weightDecay: 0.1)
        adamW.update([w, b], lr: 0.5)
        XCTAssertEqual(w.value.data[0], 2 * 0.95, accuracy: 1e-6)
        XCTAssertEqual(w.value.data[1], -4 * 0.95, accuracy: 1e-6)
        XCTAssertEqual(b.value.data[0], 1)
        // Coupled L2 turns the decay into a gradient, so Adam's first step is lr * sign(w).
        let w2 = Parameter(name: "d.weight", value: Tensor(shape: [2], data: [2, -4]))
        Adam(AdamConfig(weightDecay: 0.1)).update([w2], lr: 0.5)
        XCTAssertEqual(w2.value.data[0], 1.5, accuracy: 1e-5)
        XCTAssertEqual(w2.value.data[1], -3.5, accuracy: 1e-5)
    }

    func testGlobalNormClipping() {
        let a = Parameter(name: "a", value: Tensor(zeros: [2]))
        let b = Parameter(name: "b", value: Tensor(zeros: [1]))
        a.grad = Tensor(shape: [2], data: [3, 0])
        b.grad = Tensor(shape: [1], data: [4])
        XCTAssertEqual(GradientClipping.clipGlobalNorm([a, b], maxNorm: 10), 5, accuracy: 1e-6)
        XCTAssertEqual(a.grad.data, [3, 0], "under the limit: unchanged")
        XCTAssertEqual(GradientClipping.clipGlobalNorm([a, b], maxNorm: 1), 5, accuracy: 1e-6)
        XCTAssertEqual(a.grad.data[0], 0.6, accuracy: 1e-6)
        XCTAssertEqual(b.grad.data[0], 0.8, accuracy: 1e-6)
    }

    func testCosineScheduleWithWarmup() {
        let s = CosineSchedule(baseLR: 1e-2, warmupSteps: 10, totalSteps: 110, minLR: 1e-4)
        XCTAssertEqual(s.learningRate(at: 0), 1e-3, accuracy: 1e-9)
        XCTAssertEqual(s.learningRate(at: 4), 5e-3, accuracy: 1e-9)
        XCTAssertEqual(s.learningRate(at: 9), 1e-2, accuracy: 1e-9)
        XCTAssertEqual(s.learningRate(at: 10), 1e-2, accuracy: 1e-9)
        XCTAssertEqual(s.learningRate(at: 60), (1e-2 + 1e-4) / 2, accuracy: 1e-8)
        XCTAssertEqual(s.learningRate(at: 110), 1e-4, accuracy: 1e-9)
        XCTAssertEqual(s.learningRate(at: 500), 1e-4, accuracy: 1e-9)
        for step in 10..<110 { XCTAssertLessThanOrEqual(s.learningRate(at: step + 1), s.learningRate(at: step)) }
    }

    /// Vertical versus horizontal bars in noise: a small conv net with BatchNorm, squeeze-excite and
    /// dropout, trained with AdamW + cosine schedule + clipping, cuts the BCE loss by more than 10×.
    func testSmallConvNetLearnsBars() {
        var rng = SeededGenerator(seed: 42)
        let n = 32, side = 8
        var images = Tensor(zeros: [n, side, side, 1])
        var labels = Tensor(zeros: [n, 1])
        for i in 0..<n {
            let vertical = i % 2 == 0
            let at = 1 + Int(rng.next() % UInt64(side - 2))
            for y in 0..<side {
                for x in 0..<side {
                    let bar = vertical ? x == at : y == at
                    images.data[(i * side + y) * side + x] = (bar ? 1 : 0) + 0.1 * rng.nextNormal()
                }
            }
            labels.data[i] = vertical ? 1 : 0
        }
        let net = Sequential([
            Conv2D(name: "c1", inChannels: 1, outChannels: 6, kernel: (1, 3), rng: &rng),
            BatchNorm(name: "bn1", channels: 6),
            Activation(.relu),
            Conv2D(name: "c2", inChannels: 6, outChannels: 8, kernel: (3, 1), stride: (2, 2), rng: &rng),
            Activation(.hardSwish),
            DepthwiseConv2D(name: "dw", channels: 8, kernel: (3, 3), rng: &rng),
            SqueezeExcite(name: "se", channels: 8, reduced: 4, rng: &rng),
            Pool2D(.max, window: (2, 2)),
            GlobalAveragePool(),
            Dropout(rate: 0.1, seed: 3),
            Dense(name: "fc", inFeatures: 8, outFeatures: 1, rng: &rng),
        ])
        let steps = 300
        let schedule = CosineSchedule(baseLR: 2e-2, warmupSteps: 20, totalSteps: steps)
        let adam = Adam.adamW(weightDecay: 1e-4)
        let start = Date()
        let initial = Loss.binaryCrossEntropy(logits: net.forward(images, training: false), targets: labels).loss
        for step in 0..<steps {
            net.zeroGradients()
            let logits = net.forward(images, training: true)
            let (_, grad) = Loss.binaryCrossEntropy(logits: logits, targets: labels)
            _ = net.backward(grad)
            GradientClipping.clipGlobalNorm(net.parameters, maxNorm: 5)
            adam.update(net.parameters, lr: schedule.learningRate(at: step))
        }
        let final = Loss.binaryCrossEntropy(logits: net.forward(images, training: false), targets: labels).loss
        print("e2e: BCE \(initial) -> \(final) (inference mode) in \(steps) steps, "
              + "\(String(format: "%.2f", Date().timeIntervalSince(start))) s")
        XCTAssertLessThan(final, initial / 10)
        XCTAssertEqual(Set(net.qualifiedParameters.map(\.name)).count, net.parameters.count, "unique names")
    }
}
