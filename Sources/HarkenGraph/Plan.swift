import HarkenRuntime

/// Where a tensor's bytes live at run time.
public enum Storage: Equatable, Hashable, Sendable {
    case arena(offset: Int)
    case state(offset: Int)
    case constant(index: Int)
}

/// One kernel call with every parameter resolved: the host simulator and the generated C both
/// run exactly this list. The call is an operator family's (Operators/): it knows how it runs
/// on the host, how it is written as C and what it costs.
public struct Kernel: Sendable {
    public let call: any KernelCall

    public init(_ call: any KernelCall) { self.call = call }

    /// The C function the call names under `variant`.
    public func cName(_ variant: KernelVariant) -> String { call.function(variant) }
}

/// Which implementation of the multiply-accumulate kernels a build calls. Every
/// variant produces the reference kernels' bytes.
public enum KernelVariant: String, Sendable {
    case reference
    /// Cortex-M with the DSP extension (SMLAD on q15 pairs): M4, M7, M33. On other
    /// machines the same C computes the instructions' results in plain C.
    case cortexMDSP = "dsp"
    /// Cores that multiply one pair at a time (Cortex-M0/M0+, RV32IMC, Xtensa): planes and tiles
    /// that keep filter values and inputs in registers across outputs (hk_*_scalar), plain C.
    case scalar

    /// The instruction sets of the scalar cores (Targets/*.yaml `isa`).
    static let scalarISAs: Set<String> = ["armv6-m", "rv32imc", "xtensa"]

    public static func forTarget(simd: [String], isa: String) -> KernelVariant {
        if simd.contains("dsp") && isa.hasPrefix("armv") { return .cortexMDSP }
        return scalarISAs.contains(isa) ? .scalar : .reference
    }
}

public struct Step: Sendable {
    public var operatorIndex: Int
    public var opName: String
    public var kernel: Kernel
    /// Data operands in kernel order: tensor inputs (constants included), then outputs.
    public var inputs: [Storage?]
    public var outputs: [Storage]
    public var macs: Int

    public init(operatorIndex: Int, opName: String, kernel: Kernel, inputs: [Storage?], outputs: [Storage], macs: Int) {
        (self.operatorIndex, self.opName, self.kernel, self.inputs, self.outputs, self.macs) = (operatorIndex, opName, kernel, inputs, outputs, macs)
    }
}

public struct PlanTensor: Sendable {
    public var tensor: Int
    public var storage: Storage
    public var type: ElementType
    public var shape: [Int]
    public var quantization: Quantization?
    public var byteCount: Int
    public var elementCount: Int { shape.reduce(1, *) }

    public init(tensor: Int, storage: Storage, type: ElementType, shape: [Int], quantization: Quantization?, byteCount: Int) {
        (self.tensor, self.storage, self.type, self.shape, self.quantization, self.byteCount) = (tensor, storage, type, shape, quantization, byteCount)
    }
}

/// A lowered, memory-planned model.
public struct Plan: Sendable {
    public var steps: [Step]
    public var constants: [[UInt8]]
    public var constantTypes: [ElementType]
    public var arenaBytes: Int
    public var stateBytes: Int
    /// Offset of each state variable in the state block, and its initial bytes.
    public var stateOffsets: [Int]
    public var stateInitial: [UInt8]
    public var inputs: [PlanTensor]
    public var outputs: [PlanTensor]
    public var weightBytes: Int { constants.reduce(0) { $0 + $1.count } }

    public init(steps: [Step], constants: [[UInt8]], constantTypes: [ElementType], arenaBytes: Int, stateBytes: Int,
                stateOffsets: [Int], stateInitial: [UInt8], inputs: [PlanTensor], outputs: [PlanTensor]) {
        self.steps = steps
        self.constants = constants
        self.constantTypes = constantTypes
        self.arenaBytes = arenaBytes
        self.stateBytes = stateBytes
        self.stateOffsets = stateOffsets
        self.stateInitial = stateInitial
        self.inputs = inputs
        self.outputs = outputs
    }
}
