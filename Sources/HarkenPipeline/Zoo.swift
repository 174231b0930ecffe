import Foundation
import HarkenGraph
import HarkenSupport
import HarkenTrain

/// `harken zoo --json`: the models written and what each costs.
public struct ZooResult: Codable, Sendable {
    public struct Model: Codable, Sendable {
        public var name: String
        public var file: String
        public var source: String
        /// Multiply-accumulates of the convolution, depthwise and fully connected layers per inference,
        /// the count papers publish (pooling, ADD and softmax are not counted).
        public var macs: Int
        /// Weight and bias values of those layers.
        public var parameters: Int
        public var arenaBytes: Int
        public var weightBytes: Int
        public var inputShape: [Int]
        public var outputShape: [Int]
    }

    public var schemaVersion = 1
    public var out: String
    public var models: [Model]
}

extension Pipeline {
    /// `harken zoo`: every zoo model as `<name>.tflite` in `outDir` (each written to a temporary
    /// file and renamed).
    public static func zoo(outDir: String, names: [String] = ModelZoo.names, job: Job = .silent) throws -> ZooResult {
        var models: [ZooResult.Model] = []
        let progress = job.stage("zoo")
        for (i, name) in names.enumerated() {
            try job.checkCancelled()
            progress(Double(i) / Double(names.count), name)
            let graph = try ModelZoo.graph(name)
            let path = (outDir as NSString).appendingPathComponent("\(name).tflite")
            try writeAtomically(try graph.tfliteData(description: "harken zoo \(name)"), to: path)
            let plan = try graph.lower(file: path)
            models.append(ZooResult.Model(name: name, file: path, source: ModelZoo.source(name), macs: weightLayerMACs(plan),
                                          parameters: weightLayerParameters(graph), arenaBytes: plan.arenaBytes,
                                          weightBytes: plan.weightBytes, inputShape: plan.inputs[0].shape,
                                          outputShape: plan.outputs[0].shape))
        }
        progress(1, "")
        return ZooResult(out: outDir, models: models)
    }

    static let weightLayerOps: Set<String> = ["CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"]

    /// MACs of the convolution, depthwise and fully connected steps of a plan.
    public static func weightLayerMACs(_ plan: Plan) -> Int {
        plan.steps.filter { weightLayerOps.contains($0.opName) }.reduce(0) { $0 + $1.macs }
    }

    /// Constant values (weights, biases) those layers read.
    static func weightLayerParameters(_ graph: Graph) -> Int {
        var seen = Set<Int>()
        for op in graph.operators where weightLayerOps.contains(op.name) {
            for t in op.inputs.dropFirst() where t >= 0 && graph.tensors[t].isConstant { seen.insert(t) }
        }
        return seen.reduce(0) { $0 + graph.tensors[$1].elementCount }
    }
}
