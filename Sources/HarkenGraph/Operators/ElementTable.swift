// ElementTable.swift: an int8 -> int8 function of one element as a 256-byte table
// (Firmware/kernels/hk_table_s8.c), which the devices run for LOGISTIC and HARD_SWISH.

import HarkenRuntime

/// An element-wise int8 kernel's output for every int8 input, in hk_table_s8's order (input q at
/// q + 128), made by running the kernel itself on the host: the table's bytes are the kernel's.
struct ElementTable: Sendable {
    static let function = "hk_table_s8"

    var size: Int32
    var outputs: [Int8]

    /// The table of the reference `kernel` under `params`, whose element count is at `size`.
    init<P>(_ params: P, size: WritableKeyPath<P, Int32>,
            kernel: (UnsafePointer<P>?, UnsafePointer<Int8>?, UnsafeMutablePointer<Int8>?) -> Void) {
        var all = params
        all[keyPath: size] = 256
        let inputs = (-128...127).map { Int8($0) }
        var outputs = [Int8](repeating: 0, count: 256)
        inputs.withUnsafeBufferPointer { i in outputs.withUnsafeMutableBufferPointer { kernel(&all, i.baseAddress, $0.baseAddress) } }
        (self.size, self.outputs) = (params[keyPath: size], outputs)
    }

    /// The devices look the function up; the reference variant keeps the readable kernel.
    static func function(_ variant: KernelVariant, reference: String) -> String {
        variant == .reference ? reference : function
    }

    /// The host call: the reference `kernel` with `params` under the reference variant, else the table.
    func bind<P>(_ h: HostCall, reference params: P,
                 _ kernel: @escaping (UnsafePointer<P>?, UnsafePointer<Int8>?, UnsafeMutablePointer<Int8>?) -> Void) -> () -> Void {
        guard h.variant != .reference else { return h.unary(params, kernel) }
        return h.unary(hk_table_params_t(size: size, table: UnsafePointer(h.list(outputs))), hk_table_s8)
    }

    /// The C call: the reference kernel's `type` of parameters, or the table's.
    func emit<P>(_ c: inout CCall, reference params: P, type: String) {
        if c.function == ElementTable.function {
            c.params("hk_table_params_t", hk_table_params_t(size: size, table: nil), pointers: [c.int8s("table", outputs)])
        } else {
            c.params(type, params)
        }
        c.call(c.input(0), c.output(0))
    }

    /// The table's bytes the call can touch, once each.
    func flashReads(_ variant: KernelVariant) -> Double? { variant == .reference ? nil : Double(min(256, Int(size))) }
}
