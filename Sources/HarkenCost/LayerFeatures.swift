import HarkenGraph
import HarkenRuntime

/// What a kernel call's cost depends on, read from its resolved parameters:
/// multiply-accumulates, outputs written, values staged or moved, and one call.
public struct LayerFeatures: Codable, Sendable, Equatable {
    public var kernel: String
    public var macs: Double
    public var outputs: Double
    public var moved: Double
    /// Convolutions: inner loops entered (per output pixel, staged block and channel group);
    /// fully connected: multiply-accumulates done four output rows at a time.
    public var blocks: Double = 0
    /// Convolutions: taps left over after the four-tap inner steps, run one at a time;
    /// fully connected: multiply-accumulates of the rows left over.
    public var tail: Double = 0
    /// Convolutions: contiguous runs staged (one per kernel tap and output pixel, each `channels` long).
    public var runs: Double = 0
    public var calls: Double = 1

    public var vector: [Double] { [macs, outputs, moved, blocks, tail, runs, calls] }
    public static let names = ["per_mac", "per_output", "per_moved", "per_block", "per_tail_tap", "per_run", "per_call"]

    public init(kernel: String, macs: Double, outputs: Double, moved: Double, blocks: Double = 0, tail: Double = 0,
                runs: Double = 0) {
        self.kernel = kernel
        self.macs = macs
        self.outputs = outputs
        self.moved = moved
        self.blocks = blocks
        self.tail = tail
        self.runs = runs
    }

    public init(step: Step, variant: KernelVariant = .reference) {
        let name = step.kernel.cName(variant)
        func elements(_ s: hk_shape4_t) -> Double { Double(s.n) * Double(s.h) * Double(s.w) * Double(s.c) }
        switch step.kernel {
        case let .conv(p, depthwise, _, _):
            let outputs = elements(p.output)
            let pixels = Double(p.output.n) * Double(p.output.h) * Double(p.output.w)
            let taps = Double(p.filter.h) * Double(p.filter.w)
            if depthwise {
                self.init(kernel: name, macs: Double(step.macs), outputs: outputs, moved: pixels * taps)
            } else {
                // The convolution kernels stage each output pixel's window in blocks of 64
                // values; a window longer than one block is staged again for every 32
                // output channels. Each block is then run against the filter rows four
                // output channels at a time, the channels left over one at a time
                // (Firmware/kernels/hk_conv2d_s8*.c): one inner loop entered per group.
                let window = taps * Double(p.filter.c)
                let blocksPerWindow = (window / 64).rounded(.up)
                let restage = window > 64 ? (Double(p.output.c) / 32).rounded(.up) : 1
                let groups = Double(p.output.c / 4 + p.output.c % 4)
                self.init(kernel: name, macs: Double(step.macs), outputs: outputs, moved: pixels * window * restage,
                          blocks: pixels * groups * blocksPerWindow, tail: outputs * window.truncatingRemainder(dividingBy: 4),
                          runs: pixels * taps * restage)
            }
        case let .fullyConnected(p, _, _):
            // Four output rows share each input load; the rows left over run one at a time.
            let rows = Double(p.batches) * Double(p.in_depth)
            self.init(kernel: name, macs: Double(step.macs), outputs: Double(p.batches * p.out_depth), moved: rows,
                      blocks: rows * Double(p.out_depth / 4), tail: rows * Double(p.out_depth % 4))
        case let .concat(p, _), let .split(p, _):
            self.init(kernel: name, macs: 0, outputs: Double(p.n_parts), moved: Double(p.outer * p.row_bytes))
        case let .stridedSlice(p):
            let out = (0..<Int(p.rank)).reduce(1.0) { acc, i in acc * Double([p.out_shape.0, p.out_shape.1, p.out_shape.2, p.out_shape.3, p.out_shape.4][i]) }
            self.init(kernel: name, macs: 0, outputs: out, moved: out * Double(p.elem_bytes))
        case let .logistic(p): self.init(kernel: name, macs: 0, outputs: Double(p.size), moved: Double(p.size))
        case let .quantize(p): self.init(kernel: name, macs: 0, outputs: Double(p.size), moved: Double(p.size))
        case let .dequantize(p): self.init(kernel: name, macs: 0, outputs: Double(p.size), moved: Double(p.size))
        case let .hardSwish(p): self.init(kernel: name, macs: 0, outputs: Double(p.size), moved: Double(p.size))
        case let .pool(p, _):
            self.init(kernel: name, macs: Double(step.macs), outputs: elements(p.output), moved: elements(p.input))
        case let .add(p): self.init(kernel: name, macs: 0, outputs: elements(p.output), moved: elements(p.output))
        case let .mul(p): self.init(kernel: name, macs: elements(p.output), outputs: elements(p.output), moved: elements(p.output))
        case let .mean(p):
            self.init(kernel: name, macs: 0, outputs: Double(p.outer * p.inner), moved: Double(p.outer * p.reduce * p.inner))
        case let .pad(p): self.init(kernel: name, macs: 0, outputs: elements(p.output), moved: elements(p.input))
        case let .softmax(p): self.init(kernel: name, macs: 0, outputs: Double(p.outer * p.depth), moved: Double(p.outer * p.depth))
        case let .copy(bytes): self.init(kernel: name, macs: 0, outputs: 0, moved: Double(bytes))
        }
    }
}
