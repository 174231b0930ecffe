// KernelCall.swift: what one operator file defines. Each file in Operators/ holds one operator
// family whole: the TFLite codes it reads and writes, its lowering from a graph operator, the
// host call into its C kernel, the C it emits, its cost features and its kernel symbols. The
// registry (Operators.swift) lists the families; the lowering, the runner, the C emitter, the
// cost model and the ELF size report ask it instead of switching on kinds.

import Foundation
import HarkenRuntime

/// A kernel call with every parameter resolved: how it runs on the host, how it is written as
/// C, and what its cost depends on. `Step.kernel` holds one.
public protocol KernelCall: Sendable {
    /// The C function the call names under `variant`; a kernel without that variant names its
    /// reference.
    func function(_ variant: KernelVariant) -> String
    /// The call bound to host memory, ready to run: operand addresses resolved, parameters kept
    /// alive by `host`.
    func bind(_ host: HostCall) -> () -> Void
    /// Writes the call's static declarations and its statement.
    func emit(_ c: inout CCall)
    /// What the call's cycle count depends on, read from its parameters; `macs` as the lowering
    /// counted them.
    func costFeatures(macs: Int) -> CostFeatures
    /// The same under `variant`, for a family whose variant runs a differently shaped loop.
    func costFeatures(macs: Int, variant: KernelVariant) -> CostFeatures
    /// Bytes of constants the call reads from flash through a data cache of `cacheBytes`, for a
    /// variant that reads them in a layout of its own or more than once; nil: its constant
    /// operands, once.
    func flashReads(variant: KernelVariant, cacheBytes: Int) -> Double?
}

extension KernelCall {
    public func costFeatures(macs: Int, variant: KernelVariant) -> CostFeatures { costFeatures(macs: macs) }
    public func flashReads(variant: KernelVariant, cacheBytes: Int) -> Double? { nil }
}

/// The graph side of an operator family: the TFLite codes it covers and how a graph operator
/// becomes its kernel call.
protocol OperatorLowering: Sendable {
    /// The builtins the family lowers, each with the highest version whose semantics it implements
    /// (the importer refuses newer ones).
    static var reads: [BuiltinOp: Int32] { get }
    /// How each builtin the family writes back to TFLite is written; builtins not listed are not.
    static var writes: [BuiltinOp: TFLiteForm] { get }
    /// Inputs that may be omitted (tensor index -1), by position.
    static var optionalInputs: Set<Int> { get }
    /// Every C function the family's kernel files define, all variants (for the firmware size report).
    static var symbols: [String] { get }
    /// The kernel call for one operator of a builtin in `reads`; every shape, type and
    /// quantization parameter the kernel relies on is checked here.
    static func lower(_ op: Operator, _ builtin: BuiltinOp, _ l: Lowerer) throws -> PendingStep
}

extension OperatorLowering {
    static var writes: [BuiltinOp: TFLiteForm] { [:] }
    static var optionalInputs: Set<Int> { [] }
}

/// One operator file's type: both sides.
typealias KernelOperator = KernelCall & OperatorLowering

/// How an operator is written to a TFLite file: the BuiltinOptions union type of its options
/// table (0 for none) and the operator version the TFLite converter gives it.
struct TFLiteForm: Sendable {
    var options: Int32
    var version: Int32
}

// MARK: - Host calls

/// Memory a runner keeps for its kernel calls (parameter structs, multiplier arrays, pointer
/// lists): 16-byte aligned, zeroed, freed with the owner.
public final class HostMemory {
    private var owned: [UnsafeMutableRawPointer] = []

    public init() {}

    deinit { owned.forEach { free($0) } }

    public static func allocate(_ bytes: Int) -> UnsafeMutableRawPointer {
        var p: UnsafeMutableRawPointer?
        posix_memalign(&p, 16, max(bytes, 16))
        memset(p!, 0, max(bytes, 16))
        return p!
    }

    func allocate(_ bytes: Int) -> UnsafeMutableRawPointer {
        let p = HostMemory.allocate(bytes)
        owned.append(p)
        return p
    }
}

/// A kernel call's view of the host while it is bound: its operands' addresses (inputs in
/// kernel order, nil where an optional one is omitted, then outputs), the kernel variant, and
/// memory that lives as long as the runner.
public struct HostCall {
    public let inputs: [UnsafeMutableRawPointer?]
    public let outputs: [UnsafeMutableRawPointer]
    public let variant: KernelVariant
    let memory: HostMemory

    public init(inputs: [UnsafeMutableRawPointer?], outputs: [UnsafeMutableRawPointer], variant: KernelVariant, memory: HostMemory) {
        (self.inputs, self.outputs, self.variant, self.memory) = (inputs, outputs, variant, memory)
    }

    /// A copy of `value` that lives as long as the runner.
    func keep<T>(_ value: T) -> UnsafeMutablePointer<T> {
        let p = memory.allocate(MemoryLayout<T>.stride).bindMemory(to: T.self, capacity: 1)
        p.initialize(to: value)
        return p
    }

    func keep(array: [Int32]) -> UnsafePointer<Int32> { UnsafePointer(list(array)) }

    /// A C array of `values` (pointer lists) that lives as long as the runner.
    func list<T>(_ values: [T]) -> UnsafeMutablePointer<T> {
        let p = memory.allocate(values.count * MemoryLayout<T>.stride).bindMemory(to: T.self, capacity: values.count)
        p.initialize(from: values, count: values.count)
        return p
    }

    func int8(input k: Int) -> UnsafeMutablePointer<Int8> { inputs[k]!.assumingMemoryBound(to: Int8.self) }
    func int8(output k: Int) -> UnsafeMutablePointer<Int8> { outputs[k].assumingMemoryBound(to: Int8.self) }
    /// An optional int32 operand (a bias), nil when omitted.
    func int32(input k: Int) -> UnsafeMutablePointer<Int32>? { inputs[k]?.assumingMemoryBound(to: Int32.self) }

    /// An int8 kernel of one input: its parameters kept alive, its operands bound.
    func unary<P>(_ params: P, _ kernel: @escaping (UnsafePointer<P>?, UnsafePointer<Int8>?, UnsafeMutablePointer<Int8>?) -> Void)
        -> () -> Void {
        let p = keep(params)
        let (x, y) = (UnsafePointer(int8(input: 0)), int8(output: 0))
        return { kernel(p, x, y) }
    }

    /// An int8 kernel of two inputs.
    func binary<P>(_ params: P,
                   _ kernel: @escaping (UnsafePointer<P>?, UnsafePointer<Int8>?, UnsafePointer<Int8>?, UnsafeMutablePointer<Int8>?) -> Void)
        -> () -> Void {
        let p = keep(params)
        let (a, b, y) = (UnsafePointer(int8(input: 0)), UnsafePointer(int8(input: 1)), int8(output: 0))
        return { kernel(p, a, b, y) }
    }
}

// MARK: - C emission

/// A kernel call being written as C. The emitter (HarkenCodegen's CEmitter) names the operands
/// and renders parameter structs; the operator decides what to declare and how to call.
public struct CCall {
    /// The name of this call's parameters (and the prefix of its other declarations), e.g. "op7".
    public let id: String
    /// The C function under the emitter's kernel variant.
    public let function: String
    public let inputs: [Storage?]
    public let outputs: [Storage]
    /// Static declarations before the invoke function; each ends with a newline.
    public private(set) var declarations = ""
    /// The call's statements inside the invoke function, indented, each ending with a newline.
    public private(set) var statements = ""
    private let typed: (Storage?, String, Bool) -> String
    private let untyped: (Storage) -> String
    private let literal: (Any, [String]) -> String

    /// `typed(storage, type, const)` writes a `[const] type *` expression (NULL for nil);
    /// `untyped` a `void *` one; `literal(value, pointers)` a C initializer of an imported C struct
    /// whose pointer fields take the given names in order.
    public init(id: String, function: String, inputs: [Storage?], outputs: [Storage],
                typed: @escaping (Storage?, String, Bool) -> String, untyped: @escaping (Storage) -> String,
                literal: @escaping (Any, [String]) -> String) {
        (self.id, self.function, self.inputs, self.outputs) = (id, function, inputs, outputs)
        (self.typed, self.untyped, self.literal) = (typed, untyped, literal)
    }

    /// Input k as a `const type *` (NULL where an optional input is omitted).
    func input(_ k: Int, _ type: String = "int8_t") -> String { typed(inputs[k], type, true) }
    /// Output k as a `type *`.
    func output(_ k: Int, _ type: String = "int8_t") -> String { typed(k < outputs.count ? outputs[k] : nil, type, false) }
    func raw(input k: Int) -> String { untyped(inputs[k]!) }
    func raw(output k: Int) -> String { untyped(outputs[k]) }
    /// Every input (none omitted) or output as `void *` expressions, for pointer lists.
    var rawInputs: [String] { inputs.map { untyped($0!) } }
    var rawOutputs: [String] { outputs.map(untyped) }

    mutating func declare(_ text: String) { declarations += text }

    /// `static const int32_t <id>_<suffix>[n] = {...};`; returns the array's name.
    @discardableResult
    mutating func int32s(_ suffix: String, _ values: [Int32]) -> String {
        let name = "\(id)_\(suffix)"
        declare("static const int32_t \(name)[\(values.count)] = {" + values.map(String.init).joined(separator: ", ") + "};\n")
        return name
    }

    /// `static const int8_t <id>_<suffix>[n] = {...};`, weights in the layout a kernel variant reads
    /// (the plan's own copy goes unused in that build); returns the array's name.
    @discardableResult
    mutating func int8s(_ suffix: String, _ values: [Int8]) -> String { weights("int8_t", suffix, values) }

    /// The same for weights a kernel variant reads as unsigned bytes.
    @discardableResult
    mutating func uint8s(_ suffix: String, _ values: [UInt8]) -> String { weights("uint8_t", suffix, values) }

    /// The same for weights a kernel variant reads widened to int16.
    @discardableResult
    mutating func int16s(_ suffix: String, _ values: [Int16]) -> String { weights("int16_t", suffix, values) }

    private mutating func weights<T: BinaryInteger>(_ type: String, _ suffix: String, _ values: [T]) -> String {
        let name = "\(id)_\(suffix)"
        var rows: [String] = []
        for start in stride(from: 0, to: values.count, by: 16) {
            rows.append("    " + values[start..<min(start + 16, values.count)].map { String($0) }.joined(separator: ", ") + ",")
        }
        declare("static const \(type) \(name)[\(values.count)] = {\n" + rows.joined(separator: "\n") + "\n};\n")
        return name
    }

    /// The call's parameter struct, `static const <type> <id> = {...};`, its pointer fields naming `pointers`.
    mutating func params(_ type: String, _ value: Any, pointers: [String] = []) {
        declare("static const \(type) \(id) = \(literal(value, pointers));\n\n")
    }

    /// `function(&<id>, args...);`
    mutating func call(_ args: String...) {
        statement("\(function)(&\(id), " + args.joined(separator: ", ") + ");")
    }

    mutating func statement(_ text: String) { statements += "    \(text)\n" }
}

// MARK: - Cost

/// What a kernel call's cycle count depends on (HarkenCost's LayerFeatures adds the kernel's
/// name and one call): multiply-accumulates, outputs written, values staged or moved, and the
/// inner-loop counts of the kernels that have them.
public struct CostFeatures: Equatable, Sendable {
    public var macs: Double
    public var outputs: Double
    public var moved: Double
    /// Convolutions: inner loops entered (per output pixel, staged block and channel group; the generic
    /// depthwise kernels: output pixels); fully connected: multiply-accumulates done four output rows at a time.
    public var blocks: Double = 0
    /// Convolutions: taps left over after the four-tap inner steps, run one at a time (the generic DSP
    /// depthwise kernel: multiply-accumulates off its one-line path); fully connected:
    /// multiply-accumulates of the rows left over; copying kernels: bytes whose source and destination
    /// are misaligned to each other (misalignedBytes).
    public var tail: Double = 0
    /// Convolutions: contiguous runs staged (one per kernel tap and output pixel, each `channels` long);
    /// fully connected: outputs requantized off the kernel's usual path (FullyConnected.costFeatures);
    /// softmax: rows; PAD and STRIDED_SLICE: memcpy calls.
    public var runs: Double = 0

    public init(macs: Double, outputs: Double, moved: Double, blocks: Double = 0, tail: Double = 0, runs: Double = 0) {
        (self.macs, self.outputs, self.moved, self.blocks, self.tail, self.runs) = (macs, outputs, moved, blocks, tail, runs)
    }

    /// An element-wise kernel over `size` values: one output and one value moved per element.
    static func elementwise(_ size: Int32) -> CostFeatures {
        CostFeatures(macs: 0, outputs: Double(size), moved: Double(size))
    }

    /// A memcpy call of a copying kernel: offsets into its source and destination tensors, and length.
    public typealias MemcpyCall = (src: Int, dst: Int, bytes: Int)

    /// The bytes of memcpy calls whose two ends differ modulo 4, which the C library cannot copy a
    /// word at a time. Tensors start 4-byte aligned
    /// (MemoryPlanner.alignment), so the offsets inside them decide.
    static func misalignedBytes(_ copies: some Sequence<MemcpyCall>) -> Double {
        Double(copies.reduce(0) { $0 + (($1.src - $1.dst) % 4 == 0 ? 0 : $1.bytes) })
    }

    /// CONCATENATION and SPLIT: one memcpy per part of each row (its call the fixed cost, its bytes
    /// the rest), misaligned where a part's offset in the row and its own row length disagree.
    static func rowCopies(_ p: hk_concat_params_t, partBytes: [Int32], concatenating: Bool) -> CostFeatures {
        let rows = Int(p.outer), rowBytes = Int(p.row_bytes)
        var copies: [MemcpyCall] = []
        for row in 0..<rows {
            var inRow = 0
            for n in partBytes.map(Int.init) {
                let (whole, part) = (row * rowBytes + inRow, row * n)
                copies.append(concatenating ? (part, whole, n) : (whole, part, n))
                inRow += n
            }
        }
        return CostFeatures(macs: 0, outputs: Double(rows * partBytes.count), moved: Double(rows * rowBytes),
                            tail: misalignedBytes(copies))
    }
}

extension hk_shape4_t {
    /// Element count, for cost features.
    var elements: Double { Double(n) * Double(h) * Double(w) * Double(c) }
}
