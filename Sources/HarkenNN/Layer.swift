// Layer.swift: the layer protocol, trainable parameters, and the Sequential container.
//
// A layer is a reference type: `forward` caches what `backward` needs; `backward` takes the
// gradient of the loss with respect to the layer's output, ADDS the gradients of its
// parameters into `Parameter.grad`, and returns the gradient with respect to its input.
// Call `zeroGradients()` between optimizer steps.

import CBLAS
import Foundation

/// A named trainable tensor and its accumulated gradient.
public final class Parameter {
    public let name: String
    public var value: Tensor
    public var grad: Tensor

    public init(name: String, value: Tensor) {
        self.name = name
        self.value = value
        self.grad = Tensor(zeros: value.shape)
    }
}

public protocol Layer: AnyObject {
    /// Runs the layer; in training mode it also caches what `backward` needs.
    func forward(_ input: Tensor, training: Bool) -> Tensor
    /// Gradient w.r.t. the input of the last training-mode `forward`; accumulates parameter gradients.
    func backward(_ gradOutput: Tensor) -> Tensor
    /// Trainable parameters, named `<layer>.<field>` (for optimizers and checkpoints).
    var parameters: [Parameter] { get }
    /// Non-trainable state saved with the model (BatchNorm running statistics).
    var buffers: [(name: String, value: Tensor)] { get }
}

extension Layer {
    public var parameters: [Parameter] { [] }
    public var buffers: [(name: String, value: Tensor)] { [] }

    public func zeroGradients() {
        for p in parameters { p.grad.zero() }
    }

    /// Named parameter values, for checkpoints.
    public var namedTensors: [(name: String, value: Tensor)] {
        parameters.map { ($0.name, $0.value) } + buffers
    }

    /// Named gradients, in `parameters` order.
    public var namedGradients: [(name: String, grad: Tensor)] {
        parameters.map { ($0.name, $0.grad) }
    }
}

/// Layers applied one after another; parameters are renamed `<index>.<name>` so names stay unique.
public final class Sequential: Layer {
    public let layers: [Layer]

    public init(_ layers: [Layer]) { self.layers = layers }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        var x = input
        for layer in layers { x = layer.forward(x, training: training) }
        return x
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        var g = gradOutput
        for layer in layers.reversed() { g = layer.backward(g) }
        return g
    }

    public var parameters: [Parameter] { layers.flatMap { $0.parameters } }

    public var buffers: [(name: String, value: Tensor)] {
        layers.enumerated().flatMap { i, l in l.buffers.map { ("\(i).\($0.name)", $0.value) } }
    }

    /// `parameters` names prefixed with the layer index.
    public var qualifiedParameters: [(name: String, parameter: Parameter)] {
        layers.enumerated().flatMap { i, l in l.parameters.map { ("\(i).\($0.name)", $0) } }
    }
}

/// Reshapes [N, ...] to [N, prod(...)] (and back in backward).
public final class Flatten: Layer {
    private var inputShape: [Int] = []

    public init() {}

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        inputShape = input.shape
        let (n, f) = input.batchAndFeatures
        return input.reshaped([n, f])
    }

    public func backward(_ gradOutput: Tensor) -> Tensor {
        gradOutput.reshaped(inputShape)
    }
}

/// Runs `body(i)` for i in 0..<count on all cores (or serially), in contiguous chunks.
@inline(__always)
func parallelFor(_ count: Int, parallel: Bool, _ body: (Int) -> Void) {
    _ = singleThreadedBLAS
    if !parallel || count < 2 {
        for i in 0..<count { body(i) }
        return
    }
    // Workers write disjoint slices or their own buffers; the caller guarantees that.
    withoutActuallyEscaping(body) { escapable in
        nonisolated(unsafe) let work = escapable
        DispatchQueue.concurrentPerform(iterations: count) { work($0) }
    }
}

/// Each core takes whole batch items, so OpenBLAS runs one thread per call: its own pool on top
/// of the batch workers spins against them (MixedNet trained 2.6x slower that way;
/// Benchmarks/train_throughput.sh).
let singleThreadedBLAS: Void = openblas_set_num_threads(1)

/// Number of workers used for batch-parallel passes.
var workerCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
