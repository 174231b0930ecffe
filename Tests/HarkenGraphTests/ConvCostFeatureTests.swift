import HarkenRuntime
import XCTest
@testable import HarkenGraph

/// The convolution cost features that count work at the image's edges and the depthwise kernel's
/// paths, against a walk over every output pixel and filter tap.
final class ConvCostFeatureTests: XCTestCase {
    func testEdgeAndPathCountsMatchAWalkOverEveryPixel() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let k = (h: Int32.random(in: 1...5, using: &rng), w: Int32.random(in: 1...5, using: &rng))
            let s = (h: Int32.random(in: 1...3, using: &rng), w: Int32.random(in: 1...3, using: &rng))
            let d = (h: Int32.random(in: 1...2, using: &rng), w: Int32.random(in: 1...2, using: &rng))
            let input = hk_shape4_t(n: Int32.random(in: 1...2, using: &rng), h: Int32.random(in: 1...12, using: &rng),
                                    w: Int32.random(in: 1...12, using: &rng), c: 4)
            let pad = (h: Int32.random(in: 0...(d.h * (k.h - 1)), using: &rng), w: Int32.random(in: 0...(d.w * (k.w - 1)), using: &rng))
            let out = hk_shape4_t(n: input.n, h: (input.h + 2 * pad.h - d.h * (k.h - 1) - 1) / s.h + 1,
                                  w: (input.w + 2 * pad.w - d.w * (k.w - 1) - 1) / s.w + 1, c: 4)
            guard out.h > 0, out.w > 0 else { continue }
            let p = hk_conv_params_t(input: input, filter: hk_shape4_t(n: 1, h: k.h, w: k.w, c: 4), output: out,
                                     stride_h: s.h, stride_w: s.w, dilation_h: d.h, dilation_w: d.w, pad_h: pad.h, pad_w: pad.w,
                                     depth_multiplier: 1, input_offset: 0, output_offset: 0, act_min: -128, act_max: 127,
                                     out_mult: nil, out_shift: nil)
            let conv = Conv2D(params: p, depthwise: true, mult: [1, 1, 1, 1], shift: [0, 0, 0, 0])

            var taps = 0, calls = 0, oneLine = 0
            for _ in 0..<out.n {
                for oy in 0..<out.h {
                    for ox in 0..<out.w {
                        // hk_dwconv2d_s8_dsp's one-line path: the longer run of inside taps innermost, one
                        // tap along the other axis, and the input's step along the run equal to the filter's.
                        let ny = (0..<k.h).filter { (0..<input.h).contains(oy * s.h - pad.h + $0 * d.h) }.count
                        let nx = (0..<k.w).filter { (0..<input.w).contains(ox * s.w - pad.w + $0 * d.w) }.count
                        let inputStep = ny >= nx ? d.h * input.w * 4 : d.w * 4, filterStep = ny >= nx ? k.w * 4 : 4
                        if ny > 0 && nx > 0 && min(ny, nx) == 1 && inputStep == filterStep { oneLine += max(ny, nx) * 4 }
                        for fy in 0..<k.h {
                            let y = oy * s.h - pad.h + fy * d.h
                            let xs = (0..<k.w).map { ox * s.w - pad.w + $0 * d.w }
                            let inside = xs.filter { (0..<input.w).contains($0) }.count
                            guard (0..<input.h).contains(y) else { calls += 1; continue }   // a row outside: one fill
                            taps += inside
                            // hk__im2col_gather: one call per tap with width dilation; else a whole row one copy, a cut row fill + copy + fill.
                            calls += d.w > 1 ? Int(k.w) : inside == Int(k.w) ? 1 : 3
                        }
                    }
                }
            }
            let label = "input \(input), filter \(k), stride \(s), dilation \(d), pad \(pad)"
            let edges = conv.edgeTaps, images = Int(out.n)
            XCTAssertEqual(images * edges.inside, taps, label)
            XCTAssertEqual(conv.im2colGatherCalls, Double(calls), label)
            XCTAssertEqual(images * edges.oneLineMACs(p), oneLine, label)
            if input.w == 1 && k.w == 1 && d.h == 1 { XCTAssertEqual(images * edges.oneLineMACs(p), taps * 4, "a k×1 kernel over time: \(label)") }
        }
    }
}
