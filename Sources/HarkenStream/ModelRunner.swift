import Foundation
import HarkenGraph
import HarkenRuntime

/// Runs a lowered plan in process through the same C kernels the device runs:
/// one arena, one state block, constants, and a flat list of kernel calls.
public final class ModelRunner {
    public let plan: Plan
    private let arena: UnsafeMutableRawPointer
    private let state: UnsafeMutableRawPointer
    private var constants: [UnsafeMutableRawPointer] = []
    private var owned: [UnsafeMutableRawPointer] = []
    private var calls: [() -> Void] = []

    public let kernels: KernelVariant

    public init(plan: Plan, kernels: KernelVariant = .reference) {
        self.plan = plan
        self.kernels = kernels
        arena = ModelRunner.allocate(plan.arenaBytes)
        state = ModelRunner.allocate(plan.stateBytes)
        for c in plan.constants {
            let p = ModelRunner.allocate(c.count)
            c.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: c.count) }
            constants.append(p)
        }
        calls = plan.steps.map(makeCall)
        reset()
    }

    deinit {
        free(arena)
        free(state)
        constants.forEach { free($0) }
        owned.forEach { free($0) }
    }

    private static func allocate(_ bytes: Int) -> UnsafeMutableRawPointer {
        var p: UnsafeMutableRawPointer?
        posix_memalign(&p, 16, max(bytes, 16))
        memset(p!, 0, max(bytes, 16))
        return p!
    }

    /// Restores every state variable to its initial value (a fresh device).
    public func reset() {
        plan.stateInitial.withUnsafeBytes { raw in
            if let base = raw.baseAddress { state.copyMemory(from: base, byteCount: raw.count) }
        }
    }

    public func pointer(_ s: Storage) -> UnsafeMutableRawPointer {
        switch s {
        case .arena(let o): return arena + o
        case .state(let o): return state + o
        case .constant(let i): return constants[i]
        }
    }

    public func input(_ i: Int = 0) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: pointer(plan.inputs[i].storage), count: plan.inputs[i].byteCount)
    }

    public func output(_ i: Int = 0) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: pointer(plan.outputs[i].storage), count: plan.outputs[i].byteCount)
    }

    public func invoke() {
        for call in calls { call() }
    }

    private func keep<T>(_ value: T) -> UnsafeMutablePointer<T> {
        let raw = ModelRunner.allocate(MemoryLayout<T>.stride)
        owned.append(raw)
        let p = raw.bindMemory(to: T.self, capacity: 1)
        p.initialize(to: value)
        return p
    }

    private func keep(array: [Int32]) -> UnsafeMutablePointer<Int32> {
        let raw = ModelRunner.allocate(array.count * 4)
        owned.append(raw)
        let p = raw.bindMemory(to: Int32.self, capacity: array.count)
        p.initialize(from: array, count: array.count)
        return p
    }

    private func pointerList<T>(count: Int, as: T.Type) -> UnsafeMutablePointer<T> {
        let raw = ModelRunner.allocate(count * MemoryLayout<T>.stride)
        owned.append(raw)
        return raw.bindMemory(to: T.self, capacity: count)
    }

    /// An int8 kernel of one input: its parameters kept alive, its operands bound.
    private func unary<P>(_ params: P, _ x: UnsafeMutableRawPointer, _ y: UnsafeMutableRawPointer,
                          _ kernel: @escaping (UnsafePointer<P>?, UnsafePointer<Int8>?, UnsafeMutablePointer<Int8>?) -> Void) -> () -> Void {
        let p = keep(params)
        let (a, out) = (UnsafePointer(x.assumingMemoryBound(to: Int8.self)), y.assumingMemoryBound(to: Int8.self))
        return { kernel(p, a, out) }
    }

    private func binary<P>(_ params: P, _ x1: UnsafeMutableRawPointer, _ x2: UnsafeMutableRawPointer, _ y: UnsafeMutableRawPointer,
                           _ kernel: @escaping (UnsafePointer<P>?, UnsafePointer<Int8>?, UnsafePointer<Int8>?, UnsafeMutablePointer<Int8>?) -> Void)
        -> () -> Void {
        let p = keep(params)
        let (a, b) = (UnsafePointer(x1.assumingMemoryBound(to: Int8.self)), UnsafePointer(x2.assumingMemoryBound(to: Int8.self)))
        let out = y.assumingMemoryBound(to: Int8.self)
        return { kernel(p, a, b, out) }
    }

    private func makeCall(_ step: Step) -> () -> Void {
        let ins = step.inputs.map { $0.map(pointer) }
        let outs = step.outputs.map(pointer)
        switch step.kernel {
        case let .conv(params, depthwise, mult, shift):
            var c = params
            c.out_mult = UnsafePointer(keep(array: mult))
            c.out_shift = UnsafePointer(keep(array: shift))
            let p = keep(c)
            let (x, w, b, y) = (ins[0]!.assumingMemoryBound(to: Int8.self), ins[1]!.assumingMemoryBound(to: Int8.self),
                                ins[2]?.assumingMemoryBound(to: Int32.self), outs[0].assumingMemoryBound(to: Int8.self))
            switch (kernels, depthwise) {
            case (.reference, true): return { hk_dwconv2d_s8(p, x, w, b, y) }
            case (.reference, false): return { hk_conv2d_s8(p, x, w, b, y) }
            case (.cortexMDSP, true): return { hk_dwconv2d_s8_dsp(p, x, w, b, y) }
            case (.cortexMDSP, false): return { hk_conv2d_s8_dsp(p, x, w, b, y) }
            }
        case let .fullyConnected(params, mult, shift):
            var c = params
            c.out_mult = UnsafePointer(keep(array: mult))
            c.out_shift = UnsafePointer(keep(array: shift))
            let p = keep(c)
            let (x, w, b, y) = (ins[0]!.assumingMemoryBound(to: Int8.self), ins[1]!.assumingMemoryBound(to: Int8.self),
                                ins[2]?.assumingMemoryBound(to: Int32.self), outs[0].assumingMemoryBound(to: Int8.self))
            return kernels == .reference ? { hk_fully_connected_s8(p, x, w, b, y) } : { hk_fully_connected_s8_dsp(p, x, w, b, y) }
        case let .concat(params, parts):
            var c = params
            c.part_bytes = UnsafePointer(keep(array: parts))
            let p = keep(c)
            let inputs = pointerList(count: ins.count, as: UnsafeRawPointer?.self)
            for (i, x) in ins.enumerated() { inputs[i] = UnsafeRawPointer(x!) }
            let y = outs[0]
            return { hk_concat(p, inputs, y) }
        case let .split(params, parts):
            var c = params
            c.part_bytes = UnsafePointer(keep(array: parts))
            let p = keep(c)
            let outputs = pointerList(count: outs.count, as: UnsafeMutableRawPointer?.self)
            for (i, y) in outs.enumerated() { outputs[i] = y }
            let x = ins[0]!
            return { hk_split(p, x, outputs) }
        case let .stridedSlice(params):
            let p = keep(params)
            let (x, y) = (ins[0]!, outs[0])
            return { hk_strided_slice(p, x, y) }
        case let .logistic(params):
            return unary(params, ins[0]!, outs[0], hk_logistic_s8)
        case let .quantize(params):
            let p = keep(params)
            let (x, y) = (ins[0]!, outs[0])
            return { hk_quantize(p, x, y) }
        case let .pool(params, max):
            return max ? unary(params, ins[0]!, outs[0], hk_maxpool2d_s8) : unary(params, ins[0]!, outs[0], hk_avgpool2d_s8)
        case let .add(params):
            return binary(params, ins[0]!, ins[1]!, outs[0], hk_add_s8)
        case let .mul(params):
            return binary(params, ins[0]!, ins[1]!, outs[0], hk_mul_s8)
        case let .mean(params):
            return unary(params, ins[0]!, outs[0], hk_mean_s8)
        case let .pad(params):
            return unary(params, ins[0]!, outs[0], hk_pad_s8)
        case let .softmax(params):
            return unary(params, ins[0]!, outs[0], hk_softmax_s8)
        case let .dequantize(params):
            let p = keep(params)
            let (x, y) = (ins[0]!, outs[0].assumingMemoryBound(to: Float.self))
            return { hk_dequantize(p, x, y) }
        case let .hardSwish(params):
            return unary(params, ins[0]!, outs[0], hk_hard_swish_s8)
        case let .copy(bytes):
            let (x, y) = (ins[0]!, outs[0])
            return { if x != y { memmove(y, x, bytes) } }
        }
    }
}
