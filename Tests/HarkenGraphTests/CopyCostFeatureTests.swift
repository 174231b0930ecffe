import HarkenRuntime
import XCTest
@testable import HarkenGraph

/// The copying kernels' cost features list their memcpy calls; replaying those calls must give the
/// kernel's own output, byte for byte.
final class CopyCostFeatureTests: XCTestCase {
    func replay(_ copies: [CostFeatures.MemcpyCall], from input: [UInt8], onto output: inout [UInt8]) {
        for c in copies { output.replaceSubrange(c.dst..<(c.dst + c.bytes), with: input[c.src..<(c.src + c.bytes)]) }
    }

    func testStridedSliceCopiesReplayTheKernel() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<400 {
            let rank = Int.random(in: 1...5, using: &rng), eb = [1, 2, 4].randomElement(using: &rng)!
            var shape = [Int32](repeating: 1, count: 5), begin = shape.map { _ in Int32(0) }, step = shape, out = shape
            for k in 0..<rank {
                shape[k] = Int32.random(in: 1...6, using: &rng)
                step[k] = [1, 1, 2, 3, -1].randomElement(using: &rng)!
                begin[k] = Int32.random(in: 0..<shape[k], using: &rng)
                let room = step[k] > 0 ? shape[k] - begin[k] : begin[k] + 1
                out[k] = (room + abs(step[k]) - 1) / abs(step[k])
                if Bool.random(using: &rng) && step[k] == 1 { (begin[k], out[k]) = (0, shape[k]) }   // whole axes, to grow runs
            }
            func t(_ v: [Int32]) -> (Int32, Int32, Int32, Int32, Int32) { (v[0], v[1], v[2], v[3], v[4]) }
            let p = hk_slice_params_t(rank: Int32(rank), elem_bytes: Int32(eb), in_shape: t(shape), begin: t(begin), stride: t(step), out_shape: t(out))
            let inBytes = shape.prefix(rank).reduce(eb) { $0 * Int($1) }, outBytes = out.prefix(rank).reduce(eb) { $0 * Int($1) }
            let input = (0..<inBytes).map { _ in UInt8.random(in: 0...255, using: &rng) }
            var expected = [UInt8](repeating: 0xA5, count: outBytes), replayed = expected
            withUnsafePointer(to: p) { pp in hk_strided_slice(pp, input, &expected) }
            let copies = StridedSlice(params: p).copies
            replay(copies, from: input, onto: &replayed)
            let label = "rank \(rank), \(eb)-byte elements, shape \(shape), begin \(begin), stride \(step)"
            XCTAssertEqual(replayed, expected, label)
            XCTAssertEqual(copies.reduce(0) { $0 + $1.bytes }, outBytes, label)
        }
    }

    func testPadCopiesReplayTheKernel() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let input = hk_shape4_t(n: Int32.random(in: 1...2, using: &rng), h: Int32.random(in: 1...5, using: &rng),
                                    w: Int32.random(in: 1...5, using: &rng), c: Int32.random(in: 1...9, using: &rng))
            let before = (0..<4).map { _ in Int32.random(in: 0...2, using: &rng) }, after = (0..<4).map { _ in Int32.random(in: 0...2, using: &rng) }
            let output = hk_shape4_t(n: input.n + before[0] + after[0], h: input.h + before[1] + after[1],
                                     w: input.w + before[2] + after[2], c: input.c + before[3] + after[3])
            let p = hk_pad_params_t(input: input, output: output, before: (before[0], before[1], before[2], before[3]), pad_value: -7)
            let x = (0..<Int(input.n * input.h * input.w * input.c)).map { _ in Int8.random(in: -128...127, using: &rng) }
            let total = Int(output.n * output.h * output.w * output.c)
            var expected = [Int8](repeating: 0, count: total)
            withUnsafePointer(to: p) { pp in hk_pad_s8(pp, x, &expected) }
            var replayed = [UInt8](repeating: UInt8(bitPattern: -7), count: total)
            let pad = Pad(params: p)
            replay(pad.copies, from: x.map { UInt8(bitPattern: $0) }, onto: &replayed)
            XCTAssertEqual(replayed.map { Int8(bitPattern: $0) }, expected, "input \(input), before \(before), after \(after)")
            XCTAssertEqual(pad.costFeatures(macs: 0).runs, Double(input.n * input.h * input.w))
        }
    }

    func testMisalignedBytesCountOnlyCopiesWhoseEndsDisagreeModuloFour() {
        let copies: [CostFeatures.MemcpyCall] = [(0, 0, 8), (4, 12, 3), (1, 2, 5), (99, 0, 594), (6, 2, 7)]
        XCTAssertEqual(CostFeatures.misalignedBytes(copies), 5 + 594)   // 6 and 2 are both 2 past a word: aligned to each other
    }
}
