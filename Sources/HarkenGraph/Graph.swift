/// Harken's int8 graph IR with TFLite semantics: one main subgraph in execution
/// order, constants held inline, and resource variables lifted into explicit
/// streaming state with their initial values.
public enum ElementType: String, Codable, Sendable {
    case float32, int32, uint8, int64, bool, int16, int8, resource, other

    init(tflite code: Int32) {
        switch code {
        case 0: self = .float32
        case 2: self = .int32
        case 3: self = .uint8
        case 4: self = .int64
        case 6: self = .bool
        case 7: self = .int16
        case 9: self = .int8
        case 13: self = .resource
        default: self = .other
        }
    }

    public var byteSize: Int {
        switch self {
        case .float32, .int32: return 4
        case .int64: return 8
        case .int16: return 2
        case .uint8, .int8, .bool: return 1
        case .resource, .other: return 0
        }
    }
}

public struct Quantization: Equatable, Sendable {
    public var scales: [Float]
    public var zeroPoints: [Int64]
    public var axis: Int

    public var scale: Float { scales.first ?? 0 }
    public var zeroPoint: Int32 { Int32(truncatingIfNeeded: zeroPoints.first ?? 0) }
}

public struct Tensor: Sendable {
    public var index: Int
    public var name: String
    public var type: ElementType
    public var shape: [Int]
    public var quantization: Quantization?
    /// Constant contents, when the tensor is backed by a non-empty buffer.
    public var data: [UInt8]?

    public var elementCount: Int { shape.reduce(1, *) }
    public var byteCount: Int { elementCount * type.byteSize }
    public var isConstant: Bool { data != nil }
}

/// A TFLite built-in operator code (the value is the format's) and its name. The operators
/// Harken runs declare theirs in their operator files (Operators/); the importer handles the
/// resource-variable operators below itself.
public struct BuiltinOp: Hashable, Sendable {
    public let rawValue: Int32
    public let name: String

    public init(_ rawValue: Int32, _ name: String) {
        self.rawValue = rawValue
        self.name = name
    }

    public static func == (a: BuiltinOp, b: BuiltinOp) -> Bool { a.rawValue == b.rawValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }

    public static let callOnce = BuiltinOp(129, "CALL_ONCE")
    public static let varHandle = BuiltinOp(142, "VAR_HANDLE")
    public static let readVariable = BuiltinOp(143, "READ_VARIABLE")
    public static let assignVariable = BuiltinOp(144, "ASSIGN_VARIABLE")
    static let stateOperators: [BuiltinOp] = [.callOnce, .varHandle, .readVariable, .assignVariable]

    /// The name of any operator code, for messages.
    public static func name(of code: Int32) -> String {
        Operators.builtin(code: code)?.name ?? stateOperators.first { $0.rawValue == code }?.name
            ?? otherNames[code] ?? "BUILTIN_\(code)"
    }

    /// Names of operators Harken does not run, for error messages.
    static let otherNames: [Int32: String] = [
        5: "DEPTH_TO_SPACE", 7: "EMBEDDING_LOOKUP", 8: "FLOOR", 16: "LSTM", 20: "RELU_N1_TO_1", 21: "RELU6",
        23: "RESIZE_BILINEAR", 24: "RNN", 28: "TANH", 32: "CUSTOM", 36: "GATHER", 39: "TRANSPOSE",
        41: "SUB", 42: "DIV", 43: "SQUEEZE", 44: "UNIDIRECTIONAL_SEQUENCE_LSTM", 47: "EXP",
        53: "CAST", 54: "PRELU", 55: "MAXIMUM", 57: "MINIMUM", 65: "SLICE", 67: "TRANSPOSE_CONV",
        70: "EXPAND_DIMS", 74: "SUM", 83: "PACK", 88: "UNPACK", 98: "LEAKY_RELU", 126: "BATCH_MATMUL",
    ]
}

public struct OperatorOptions: Sendable {
    public var padding: Int32 = 0           // 0 SAME, 1 VALID
    public var strideW: Int32 = 1, strideH: Int32 = 1
    public var dilationW: Int32 = 1, dilationH: Int32 = 1
    public var depthMultiplier: Int32 = 1
    public var activation: Int32 = 0        // NONE, RELU, RELU_N1_TO_1, RELU6
    public var filterW: Int32 = 0, filterH: Int32 = 0
    public var axis: Int32 = 0
    public var keepDims = false
    public var keepNumDims = false
    public var weightsFormat: Int32 = 0
    public var numSplits: Int32 = 0
    public var beginMask: Int32 = 0, endMask: Int32 = 0, ellipsisMask: Int32 = 0
    public var newAxisMask: Int32 = 0, shrinkAxisMask: Int32 = 0
    public var offset = false
    public var beta: Float = 1
}

public enum OperatorKind: Sendable {
    case builtin(BuiltinOp)
    /// A resource-variable read: `outputs[0]` receives the variable's value.
    case readState(variable: Int)
    /// A resource-variable write: `inputs[0]` is stored into the variable.
    case writeState(variable: Int)
}

public struct Operator: Sendable {
    /// Index of the operator in the TFLite subgraph, for messages.
    public var index: Int
    public var kind: OperatorKind
    public var version: Int32
    public var inputs: [Int]     // tensor indices; -1 marks an omitted optional input
    public var outputs: [Int]
    public var options: OperatorOptions

    public var name: String {
        switch kind {
        case .builtin(let op): return op.name
        case .readState: return "READ_VARIABLE"
        case .writeState: return "ASSIGN_VARIABLE"
        }
    }
}

/// A streaming state variable (TFLite resource variable).
public struct StateVariable: Sendable {
    public var name: String
    public var type: ElementType
    public var shape: [Int]
    public var quantization: Quantization?
    public var initial: [UInt8]

    public var byteCount: Int { shape.reduce(1, *) * type.byteSize }
}

public struct Graph: Sendable {
    public var tensors: [Tensor]
    public var operators: [Operator]
    public var inputs: [Int]
    public var outputs: [Int]
    public var variables: [StateVariable]
    public var description: String

}
