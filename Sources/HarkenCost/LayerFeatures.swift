import HarkenGraph

/// A target's flash data cache, as the cost model sees it. The simulator starts every step with
/// it empty (Pipeline.measureCycles: a step's weights were last read a step earlier, and the work
/// between steps is taken to have evicted them), so each layer reads its constants (weights,
/// biases, parameters) from the flash once and finds its other flash data (literal pools, tables)
/// evicted by the weights streaming past.
public struct FlashDataCache: Sendable, Equatable {
    public var lineBytes: Int
    public var bytes: Int

    public init(lineBytes: Int, bytes: Int) { (self.lineBytes, self.bytes) = (lineBytes, bytes) }
}

/// What a kernel call's cost depends on: the counts its operator family reads from the call's
/// resolved parameters (HarkenGraph's CostFeatures), under the kernel the variant calls, one call,
/// and, on a target with a flash data cache, the layer's constant lines read through it.
public struct LayerFeatures: Sendable, Equatable {
    public var kernel: String
    /// The kernel the reference variant calls for the same layer (the same features, plainer code).
    public var reference: String
    public var counts: CostFeatures
    public var calls: Double = 1
    /// Flash lines of the layer's constants, on a target with a flash data cache.
    public var streamedLines: Double = 0
    /// 1 on a target with a flash data cache (the call's own flash data, read into it).
    public var streamedCalls: Double = 0

    public var vector: [Double] { [counts.macs, counts.outputs, counts.moved, counts.blocks, counts.tail, counts.runs, calls, streamedLines, streamedCalls] }
    /// The layer's cycles under one kernel's coefficients (per feature, `names`' order).
    public func cycles(_ coefficients: [Double]) -> Double { zip(coefficients, vector).reduce(0) { $0 + $1.0 * $1.1 } }

    public static let names = ["per_mac", "per_output", "per_moved", "per_block", "per_tail_tap", "per_run", "per_call",
                               "per_streamed_line", "per_streamed_call"]

    /// `plan` and `cache` place the layer in its model on the target (nil: no data cache to outgrow).
    public init(step: Step, variant: KernelVariant = .reference, plan: Plan? = nil, cache: FlashDataCache? = nil) {
        kernel = step.kernel.cName(variant)
        reference = step.kernel.cName(.reference)
        counts = step.kernel.call.costFeatures(macs: step.macs, variant: variant)
        if let plan, let cache {
            let constants = step.inputs.reduce(0) { sum, s in
                if case .constant(let k)? = s { return sum + plan.constants[k].count } else { return sum }
            }
            let reads = step.kernel.call.flashReads(variant: variant, cacheBytes: cache.bytes) ?? Double(constants)
            streamedLines = (reads / Double(cache.lineBytes)).rounded(.up)
            streamedCalls = 1
        }
    }
}
