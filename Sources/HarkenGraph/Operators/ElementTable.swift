// ElementTable.swift: an int8 -> int8 function of one element as a 256-byte table
// (Firmware/kernels/hk_table_s8.c), which the devices run for LOGISTIC and HARD_SWISH.

import HarkenRuntime

/// An element-wise int8 kernel's output for every int8 input, in hk_table_s8's order (input q at
/// q + 128), made by running the kernel itself on the host: the table's bytes are the kernel's.
struct ElementTable: Sendable {
    static let function = "hk_table_s8"

    var size: Int32
    var outputs: [Int8]

    /// `kernel(inputs, outputs)` runs the family's reference kernel over 256 elements.
    init(size: Int32, running kernel: (UnsafePointer<Int8>, UnsafeMutablePointer<Int8>) -> Void) {
        let inputs = (-128...127).map { Int8($0) }
        var outputs = [Int8](repeating: 0, count: 256)
        inputs.withUnsafeBufferPointer { i in outputs.withUnsafeMutableBufferPointer { kernel(i.baseAddress!, $0.baseAddress!) } }
        (self.size, self.outputs) = (size, outputs)
    }

    /// The devices look the function up; the reference variant keeps the readable kernel.
    static func function(_ variant: KernelVariant, reference: String) -> String {
        variant == .reference ? reference : function
    }

    func bind(_ h: HostCall) -> () -> Void {
        h.unary(hk_table_params_t(size: size, table: UnsafePointer(h.list(outputs))), hk_table_s8)
    }

    func emit(_ c: inout CCall) {
        c.params("hk_table_params_t", hk_table_params_t(size: size, table: nil), pointers: [c.int8s("table", outputs)])
        c.call(c.input(0), c.output(0))
    }

    /// The table's bytes the call can touch, once each.
    var flashReads: Double { Double(min(256, Int(size))) }
}
