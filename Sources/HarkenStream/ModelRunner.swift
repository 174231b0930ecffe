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
    /// Parameters, multiplier arrays and pointer lists the bound calls keep.
    private let callMemory = HostMemory()
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
    }

    private static func allocate(_ bytes: Int) -> UnsafeMutableRawPointer { HostMemory.allocate(bytes) }

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

    /// The step's kernel call bound to this runner's memory (see Operators/ in HarkenGraph).
    private func makeCall(_ step: Step) -> () -> Void {
        step.kernel.call.bind(HostCall(inputs: step.inputs.map { $0.map(pointer) }, outputs: step.outputs.map(pointer),
                                       variant: kernels, memory: callMemory))
    }
}
