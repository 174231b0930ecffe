// Operators.swift: the one table of operator families. A new kernel is one C file in
// Firmware/kernels (declared in hk_kernels.h), one Swift file beside this one, its line below,
// and its oracle fixtures (Tests/Oracles/op_models.py).

/// The operator families Harken runs, and what the rest of Harken asks about them.
public enum Operators {
    static let all: [any KernelOperator.Type] = [
        Conv2D.self,            // CONV_2D, DEPTHWISE_CONV_2D
        FullyConnected.self,    // FULLY_CONNECTED
        Concatenation.self,     // CONCATENATION
        Split.self,             // SPLIT, SPLIT_V
        StridedSlice.self,      // STRIDED_SLICE
        Copy.self,              // RESHAPE (and state reads and writes)
        Logistic.self,          // LOGISTIC
        Quantize.self,          // QUANTIZE
        Dequantize.self,        // DEQUANTIZE
        Pool2D.self,            // AVERAGE_POOL_2D, MAX_POOL_2D
        Add.self,               // ADD
        Mul.self,               // MUL
        Mean.self,              // MEAN
        Pad.self,               // PAD
        Softmax.self,           // SOFTMAX
        HardSwish.self,         // HARD_SWISH
        Relu.self,              // RELU
    ]

    /// The family lowering each builtin.
    static let byBuiltin: [BuiltinOp: any KernelOperator.Type] = {
        var table: [BuiltinOp: any KernelOperator.Type] = [:]
        for family in all {
            for b in family.reads.keys {
                precondition(table[b] == nil, "\(b.name) is read by two operator families")
                table[b] = family
            }
        }
        return table
    }()

    /// The builtin of a TFLite operator code, if some family runs it.
    static func builtin(code: Int32) -> BuiltinOp? { byCode[code] }

    private static let byCode: [Int32: BuiltinOp] = Dictionary(uniqueKeysWithValues: byBuiltin.keys.map { ($0.rawValue, $0) })

    /// The highest version of each builtin the importer accepts.
    static let readableVersions: [BuiltinOp: Int32] = all.reduce(into: [:]) { table, family in
        table.merge(family.reads) { a, _ in a }
    }

    /// How each builtin Harken writes to TFLite is written.
    static let writable: [BuiltinOp: TFLiteForm] = all.reduce(into: [:]) { table, family in
        table.merge(family.writes) { a, _ in a }
    }

    /// The fixed-point helpers every kernel shares (Firmware/kernels/hk_fixedpoint.c) and the table
    /// kernel of more than one family (ElementTable).
    static let sharedSymbols = ["hk_saturating_rounding_doubling_high_mul", "hk_rounding_divide_by_pot",
                                "hk_multiply_by_quantized_multiplier", "hk_exp_on_negative_values",
                                "hk_one_over_one_plus_x_for_x_in_0_1", "hk_logistic_fixed", ElementTable.function]

    /// Every function the kernel files define (a built firmware's kernel symbols start with one of these).
    public static let kernelSymbols: [String] = all.flatMap { $0.symbols } + sharedSymbols
}
