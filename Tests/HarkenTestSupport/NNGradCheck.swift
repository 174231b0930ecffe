import HarkenNN
import XCTest

/// Central finite differences against a layer's backward pass, in Double-accumulated objectives.
///
/// The 4-point stencil (8[f(h) - f(-h)] - [f(2h) - f(-2h)]) / 12h has O(h^4) truncation error, so h can
/// be large enough (default 0.05) that float32 rounding of the layer's outputs stays far below 1e-3.
/// Inputs keep every kink (ReLU at 0, max-pool ties) more than 2h away.
///
/// The objective is f(x) = sum(forward(x) * R) for a fixed random R, so backward(R) is df/dx.
/// The relative error of one element is |a - n| / max(|a|, |n|, floor), with the floor 1% of the
/// largest gradient in that tensor (elements far below the tensor's scale are judged against it).
public enum NNGradCheck {
    public struct Report {
        public var errors: [(name: String, error: Double)] = []
        public var worst: Double { errors.map(\.error).max() ?? 0 }
        public var summary: String {
            errors.map { "\($0.name)=\(String(format: "%.2e", $0.error))" }.joined(separator: " ")
        }
    }

    public static func relativeError(_ a: [Double], _ n: [Double]) -> Double {
        precondition(a.count == n.count)
        let scale = max(a.map(abs).max() ?? 0, n.map(abs).max() ?? 0)
        let floor = max(1e-2 * scale, 1e-7)
        var worst = 0.0
        for i in 0..<a.count {
            worst = max(worst, abs(a[i] - n[i]) / max(abs(a[i]), abs(n[i]), floor))
        }
        return worst
    }

    public static func objective(_ y: Tensor, _ r: Tensor) -> Double {
        var s = 0.0
        for i in 0..<y.count { s += Double(y.data[i]) * Double(r.data[i]) }
        return s
    }

    /// Checks the input gradient and every parameter gradient of `layer` at `x`.
    /// The 4-point central difference of `f` along one coordinate set by `set`.
    public static func derivative(h: Float, _ set: (Float) -> Void, _ f: () -> Double) -> Double {
        set(h); let f1 = f()
        set(-h); let fm1 = f()
        set(2 * h); let f2 = f()
        set(-2 * h); let fm2 = f()
        set(0)
        return (8 * (f1 - fm1) - (f2 - fm2)) / (12 * Double(h))
    }

    public static func check(_ layer: Layer, input x: Tensor, h: Float = 0.05, seed: UInt64 = 7,
                      training: Bool = true) -> Report {
        var rng = SeededGenerator(seed: seed)
        let y0 = layer.forward(x, training: training)
        let r = Tensor.uniform(y0.shape, low: -1, high: 1, using: &rng)
        layer.zeroGradients()
        let dx = layer.backward(r)
        XCTAssertEqual(dx.shape, x.shape, "input gradient shape")
        var report = Report()

        var xs = x
        var numeric = [Double](repeating: 0, count: x.count)
        for i in 0..<x.count {
            let saved = xs.data[i]
            numeric[i] = derivative(h: h, { xs.data[i] = saved + $0 }) {
                objective(layer.forward(xs, training: training), r)
            }
        }
        report.errors.append(("input", relativeError(dx.data.map(Double.init), numeric)))

        for p in layer.parameters {
            let analytic = p.grad.data.map(Double.init)
            var num = [Double](repeating: 0, count: p.value.count)
            for i in 0..<p.value.count {
                let saved = p.value.data[i]
                num[i] = derivative(h: h, { p.value.data[i] = saved + $0 }) {
                    objective(layer.forward(x, training: training), r)
                }
            }
            report.errors.append((p.name, relativeError(analytic, num)))
        }
        return report
    }

    /// Random values with |x - k| >= margin for every kink k (for ReLU-like layers).
    public static func awayFromKinks(_ shape: [Int], low: Float, high: Float, kinks: [Float], margin: Float = 0.5,
                              rng: inout SeededGenerator) -> Tensor {
        let n = shape.reduce(1, *)
        var d = [Float]()
        while d.count < n {
            let v = low + (high - low) * rng.nextUniform()
            if kinks.allSatisfy({ abs(v - $0) >= margin }) { d.append(v) }
        }
        return Tensor(shape: shape, data: d)
    }
}
