import HarkenRuntime

/// Where a tensor's bytes live at run time.
public enum Storage: Equatable, Hashable, Sendable {
    case arena(offset: Int)
    case state(offset: Int)
    case constant(index: Int)
}

/// One kernel call with every parameter resolved: the host simulator and the
/// generated C both run exactly this list.
public enum Kernel: @unchecked Sendable {
    case conv(hk_conv_params_t, depthwise: Bool, mult: [Int32], shift: [Int32])
    case fullyConnected(hk_fc_params_t, mult: [Int32], shift: [Int32])
    case concat(hk_concat_params_t, partBytes: [Int32])
    case split(hk_concat_params_t, partBytes: [Int32])
    case stridedSlice(hk_slice_params_t)
    case logistic(hk_logistic_params_t)
    case quantize(hk_quantize_params_t)
    case pool(hk_pool_params_t, max: Bool)
    case add(hk_add_params_t)
    case mul(hk_mul_params_t)
    case mean(hk_mean_params_t)
    case pad(hk_pad_params_t)
    case softmax(hk_softmax_params_t)
    case dequantize(hk_dequantize_params_t)
    case hardSwish(hk_hard_swish_params_t)
    case copy(bytes: Int)

    public var cName: String {
        switch self {
        case .conv(_, let dw, _, _): return dw ? "hk_dwconv2d_s8" : "hk_conv2d_s8"
        case .fullyConnected: return "hk_fully_connected_s8"
        case .concat: return "hk_concat"
        case .split: return "hk_split"
        case .stridedSlice: return "hk_strided_slice"
        case .logistic: return "hk_logistic_s8"
        case .quantize: return "hk_quantize"
        case .pool(_, let max): return max ? "hk_maxpool2d_s8" : "hk_avgpool2d_s8"
        case .add: return "hk_add_s8"
        case .mul: return "hk_mul_s8"
        case .mean: return "hk_mean_s8"
        case .pad: return "hk_pad_s8"
        case .softmax: return "hk_softmax_s8"
        case .dequantize: return "hk_dequantize"
        case .hardSwish: return "hk_hard_swish_s8"
        case .copy: return "memcpy"
        }
    }
}

/// Which implementation of the multiply-accumulate kernels a build calls. Every
/// variant produces the reference kernels' bytes.
public enum KernelVariant: String, Sendable {
    case reference
    /// Cortex-M with the DSP extension (SMLAD on q15 pairs): M4, M7, M33. On other
    /// machines the same C computes the instructions' results in plain C.
    case cortexMDSP = "dsp"

    public static func forTarget(simd: [String], isa: String) -> KernelVariant {
        simd.contains("dsp") && isa.hasPrefix("armv") ? .cortexMDSP : .reference
    }
}

extension Kernel {
    public func cName(_ variant: KernelVariant) -> String {
        switch (variant, self) {
        case (.cortexMDSP, .conv), (.cortexMDSP, .fullyConnected): return cName + "_dsp"
        default: return cName
        }
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
