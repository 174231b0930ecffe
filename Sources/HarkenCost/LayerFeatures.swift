import HarkenGraph

/// What a kernel call's cost depends on: the counts its operator family reads from the call's
/// resolved parameters (HarkenGraph's CostFeatures), under the kernel the variant calls, and one call.
public struct LayerFeatures: Sendable, Equatable {
    public var kernel: String
    /// The kernel the reference variant calls for the same layer (the same features, plainer code).
    public var reference: String
    public var counts: CostFeatures
    public var calls: Double = 1

    public var vector: [Double] { [counts.macs, counts.outputs, counts.moved, counts.blocks, counts.tail, counts.runs, calls] }
    public static let names = ["per_mac", "per_output", "per_moved", "per_block", "per_tail_tap", "per_run", "per_call"]

    public init(step: Step, variant: KernelVariant = .reference) {
        kernel = step.kernel.cName(variant)
        reference = step.kernel.cName(.reference)
        counts = step.kernel.call.costFeatures(macs: step.macs)
    }
}
