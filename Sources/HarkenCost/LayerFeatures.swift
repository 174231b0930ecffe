import HarkenGraph

/// What a kernel call's cost depends on, read from its resolved parameters:
/// multiply-accumulates, outputs written, values staged or moved, and one call.
public struct LayerFeatures: Codable, Sendable, Equatable {
    public var kernel: String
    public var macs: Double
    public var outputs: Double
    public var moved: Double
    /// blocks, tail and runs: the inner-loop counts of the kernels that have them (see CostFeatures).
    public var blocks: Double = 0
    public var tail: Double = 0
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

    /// The step's features as its operator family reads them from its parameters (HarkenGraph's
    /// Operators/), under the kernel the variant calls.
    public init(step: Step, variant: KernelVariant = .reference) {
        let f = step.kernel.call.costFeatures(macs: step.macs)
        self.init(kernel: step.kernel.cName(variant), macs: f.macs, outputs: f.outputs, moved: f.moved, blocks: f.blocks,
                  tail: f.tail, runs: f.runs)
    }
}
