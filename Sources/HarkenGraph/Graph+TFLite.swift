import CTFLiteSchema
import Foundation

extension Graph {
    /// Reads a `.tflite` file. Everything Harken later relies on (indices, shapes,
    /// buffer sizes, quantization, operator versions) is checked here, once.
    public static func load(tflite path: String) throws -> Graph {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw GraphError.unreadable(file: path, reason: (error as NSError).localizedDescription)
        }
        return try Graph(tflite: [UInt8](data), file: path)
    }

    public init(tflite bytes: [UInt8], file: String = "<memory>") throws {
        var handle: OpaquePointer?
        var err = hk_tfl_error()
        let status = bytes.withUnsafeBufferPointer { hk_tfl_open($0.baseAddress, $0.count, &handle, &err) }
        guard status == 0, let model = handle else {
            throw GraphError.malformed(file: file, byteOffset: err.byte_offset,
                                       table: cString(&err.where), expected: cString(&err.what))
        }
        defer { hk_tfl_close(model) }
        self = try TFLiteReader(model: model, file: file).read()
    }
}

private func cString<T>(_ tuple: inout T) -> String {
    withUnsafeBytes(of: &tuple) { raw in
        let bytes = raw.prefix { $0 != 0 }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension hk_tfl_ints {
    var array: [Int] {
        guard let data, count > 0 else { return [] }
        return UnsafeBufferPointer(start: data, count: Int(count)).map(Int.init)
    }
}

extension hk_tfl_string {
    var string: String {
        guard let data, length > 0 else { return "" }
        return UnsafeRawBufferPointer(start: data, count: Int(length)).withMemoryRebound(to: UInt8.self) {
            String(decoding: $0, as: UTF8.self)
        }
    }
}

/// Walks a verified flatbuffer into the IR.
private struct TFLiteReader {
    let model: OpaquePointer
    let file: String

    /// The highest operator version whose semantics Harken implements, per operator code: the
    /// operator families' (Operators/), and version 1 of the resource-variable operators.
    static let supportedVersions: [Int32: Int32] = Operators.readableVersions.reduce(into: [:]) { $0[$1.key.rawValue] = $1.value }
        .merging(BuiltinOp.stateOperators.map { ($0.rawValue, 1) }) { a, _ in a }

    func invalid(_ location: String, _ expected: String) -> GraphError {
        .invalid(file: file, location: location, expected: expected)
    }

    func read() throws -> Graph {
        let main: UInt32 = 0
        let tensors = try readTensors(subgraph: main)
        var variables: [StateVariable] = []
        var variableIndex: [String: Int] = [:]
        var resourceOf: [Int: Int] = [:]   // resource tensor -> variable
        var operators: [Operator] = []

        let opCount = Int(hk_tfl_operator_count(model, main))
        for i in 0..<opCount {
            let raw = try readOperator(subgraph: main, index: i, tensorCount: tensors.count)
            let where_ = "subgraph 0 operator \(i) (\(BuiltinOp.name(of: raw.builtin_code)))"
            switch raw.builtin_code {
            case BuiltinOp.callOnce.rawValue:
                let initSubgraph = Int(raw.options.init_subgraph_index)
                guard initSubgraph > 0, initSubgraph < Int(hk_tfl_subgraph_count(model)) else {
                    throw invalid("\(where_) init_subgraph_index", "a subgraph index in 1..<\(hk_tfl_subgraph_count(model)), got \(initSubgraph)")
                }
                try runInitializer(subgraph: UInt32(initSubgraph), variables: &variables, index: &variableIndex)
            case BuiltinOp.varHandle.rawValue:
                let key = variableKey(raw.options)
                guard raw.outputs.count == 1 else { throw invalid(where_, "one output") }
                let out = raw.outputs.array[0]
                if variableIndex[key] == nil {
                    variableIndex[key] = variables.count
                    variables.append(StateVariable(name: key, type: .other, shape: [], quantization: nil, initial: []))
                }
                resourceOf[out] = variableIndex[key]
            case BuiltinOp.readVariable.rawValue, BuiltinOp.assignVariable.rawValue:
                let inputs = raw.inputs.array
                guard let resource = inputs.first, let v = resourceOf[resource] else {
                    throw invalid(where_, "a resource input produced by VAR_HANDLE")
                }
                let isRead = raw.builtin_code == BuiltinOp.readVariable.rawValue
                let valueTensor = isRead ? raw.outputs.array.first : inputs.dropFirst().first
                guard let value = valueTensor, value >= 0 else { throw invalid(where_, "a value tensor") }
                try bind(variable: &variables[v], to: tensors[value], at: where_)
                operators.append(Operator(
                    index: i, kind: isRead ? .readState(variable: v) : .writeState(variable: v),
                    version: raw.version, inputs: isRead ? [] : [value], outputs: isRead ? [value] : [],
                    options: OperatorOptions()))
            default:
                guard let op = Operators.builtin(code: raw.builtin_code) else {
                    throw GraphError.unsupportedOperator(file: file, op: BuiltinOp.name(of: raw.builtin_code), version: raw.version, operatorIndex: i)
                }
                operators.append(Operator(index: i, kind: .builtin(op), version: raw.version,
                                          inputs: raw.inputs.array, outputs: raw.outputs.array,
                                          options: options(raw.options)))
            }
        }
        for (i, v) in variables.enumerated() where v.type == .other {
            throw invalid("state variable \(i) (\(v.name))", "a READ_VARIABLE or ASSIGN_VARIABLE that gives it a type and shape")
        }
        let graph = Graph(tensors: tensors, operators: operators,
                          inputs: hk_tfl_subgraph_inputs(model, main).array,
                          outputs: hk_tfl_subgraph_outputs(model, main).array,
                          variables: variables, description: hk_tfl_description(model).string)
        try graph.check(file: file)
        return graph
    }

    func variableKey(_ o: hk_tfl_options) -> String {
        let container = o.container.string
        let name = o.shared_name.string
        return container.isEmpty ? name : container + "/" + name
    }

    func bind(variable: inout StateVariable, to tensor: Tensor, at location: String) throws {
        if variable.type == .other {
            variable.type = tensor.type
            variable.shape = tensor.shape
            variable.quantization = tensor.quantization
            if variable.initial.isEmpty { variable.initial = [UInt8](repeating: 0, count: tensor.byteCount) }
        } else if variable.shape != tensor.shape || variable.type != tensor.type {
            throw invalid(location, "variable \(variable.name) used as \(variable.type) \(variable.shape), not \(tensor.type) \(tensor.shape)")
        }
        if variable.initial.count != variable.byteCount {
            throw invalid(location, "initial value of \(variable.name) of \(variable.byteCount) bytes, got \(variable.initial.count)")
        }
    }

    /// A CALL_ONCE initializer may only bind constants to variables; Harken runs it at compile time.
    func runInitializer(subgraph: UInt32, variables: inout [StateVariable], index: inout [String: Int]) throws {
        let tensors = try readTensors(subgraph: subgraph)
        var resourceOf: [Int: Int] = [:]
        for i in 0..<Int(hk_tfl_operator_count(model, subgraph)) {
            let raw = try readOperator(subgraph: subgraph, index: i, tensorCount: tensors.count)
            let where_ = "subgraph \(subgraph) operator \(i) (\(BuiltinOp.name(of: raw.builtin_code)))"
            switch raw.builtin_code {
            case BuiltinOp.varHandle.rawValue:
                let key = variableKey(raw.options)
                if index[key] == nil {
                    index[key] = variables.count
                    variables.append(StateVariable(name: key, type: .other, shape: [], quantization: nil, initial: []))
                }
                guard let out = raw.outputs.array.first else { throw invalid(where_, "one output") }
                resourceOf[out] = index[key]
            case BuiltinOp.assignVariable.rawValue:
                let ins = raw.inputs.array
                guard ins.count == 2, let v = resourceOf[ins[0]], ins[1] >= 0 else {
                    throw invalid(where_, "a VAR_HANDLE resource and a value")
                }
                let value = tensors[ins[1]]
                guard let data = value.data else {
                    throw invalid(where_, "a constant initial value (tensor \(ins[1]) is computed)")
                }
                variables[v].initial = data
                try bind(variable: &variables[v], to: value, at: where_)
            default:
                throw invalid(where_, "only VAR_HANDLE and ASSIGN_VARIABLE in a CALL_ONCE initializer")
            }
        }
    }

    func readOperator(subgraph: UInt32, index: Int, tensorCount: Int) throws -> hk_tfl_operator {
        var op = hk_tfl_operator()
        guard hk_tfl_operator_at(model, subgraph, UInt32(index), &op) == 0 else {
            throw invalid("subgraph \(subgraph) operator \(index)", "opcode_index below \(hk_tfl_operator_code_count(model))")
        }
        let name = BuiltinOp.name(of: op.builtin_code)
        guard let maxVersion = TFLiteReader.supportedVersions[op.builtin_code] else {
            let custom = op.custom_code.string
            throw GraphError.unsupportedOperator(file: file, op: custom.isEmpty ? name : "CUSTOM \"\(custom)\"",
                                                 version: op.version, operatorIndex: index)
        }
        if op.version < 1 || op.version > maxVersion {
            throw GraphError.unsupportedOperator(file: file, op: name, version: op.version, operatorIndex: index)
        }
        for t in op.inputs.array + op.outputs.array where t < -1 || t >= tensorCount {
            throw invalid("subgraph \(subgraph) operator \(index) (\(name))", "tensor indices in 0..<\(tensorCount), got \(t)")
        }
        for t in op.outputs.array where t < 0 {
            throw invalid("subgraph \(subgraph) operator \(index) (\(name))", "outputs to be tensors, got \(t)")
        }
        return op
    }

    func readTensors(subgraph: UInt32) throws -> [Tensor] {
        let bufferCount = hk_tfl_buffer_count(model)
        return try (0..<hk_tfl_tensor_count(model, subgraph)).map { i in
            let t = hk_tfl_tensor_at(model, subgraph, i)
            let location = "subgraph \(subgraph) tensor \(i)"
            let shape = t.shape.array
            if let bad = shape.first(where: { $0 < 0 || $0 > 1 << 24 }) {
                throw invalid("\(location) shape", "static dimensions in 0...\(1 << 24), got \(bad)")
            }
            let elements = shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }
            if elements > 1 << 28 { throw invalid("\(location) shape \(shape)", "at most 2^28 elements") }
            let type = ElementType(tflite: t.type)
            var quant: Quantization?
            if t.has_quantization != 0, t.scale_count > 0 {
                let scales = Array(UnsafeBufferPointer(start: t.scale, count: Int(t.scale_count)))
                let zps = t.zero_point_count > 0
                    ? Array(UnsafeBufferPointer(start: t.zero_point, count: Int(t.zero_point_count))) : [Int64](repeating: 0, count: scales.count)
                if zps.count != scales.count {
                    throw invalid("\(location) quantization", "as many zero points as scales (\(scales.count)), got \(zps.count)")
                }
                if let bad = scales.first(where: { !($0.isFinite && $0 > 0) }) {
                    throw invalid("\(location) quantization scale", "finite positive scales, got \(bad)")
                }
                if let bad = zps.first(where: { $0 < -32768 || $0 > 65535 }) {
                    throw invalid("\(location) quantization zero_point", "a zero point within the integer type, got \(bad)")
                }
                let axis = Int(t.quantized_dimension)
                if scales.count > 1, axis < 0 || axis >= shape.count || shape[axis] != scales.count {
                    throw invalid("\(location) quantization", "per-channel scales along a dimension of size \(scales.count) (quantized_dimension \(axis), shape \(shape))")
                }
                quant = Quantization(scales: scales, zeroPoints: zps, axis: axis)
            }
            var data: [UInt8]?
            if t.buffer != 0 {
                guard t.buffer < bufferCount else {
                    throw invalid("\(location) buffer", "a buffer index below \(bufferCount), got \(t.buffer)")
                }
                var ptr: UnsafePointer<UInt8>?
                var length = 0
                guard hk_tfl_buffer_data(model, t.buffer, &ptr, &length) == 0 else {
                    throw invalid("\(location) buffer \(t.buffer)", "offset and size inside the file")
                }
                if length > 0, let ptr {
                    let expected = elements * type.byteSize
                    if type.byteSize > 0, length != expected {
                        throw invalid("\(location) buffer \(t.buffer)", "\(expected) bytes for \(type) \(shape), got \(length)")
                    }
                    data = Array(UnsafeBufferPointer(start: ptr, count: length))
                }
            }
            return Tensor(index: Int(i), name: t.name.string, type: type, shape: shape, quantization: quant, data: data)
        }
    }

    func options(_ o: hk_tfl_options) -> OperatorOptions {
        var r = OperatorOptions()
        r.padding = o.padding
        r.strideW = o.stride_w; r.strideH = o.stride_h
        r.dilationW = o.dilation_w; r.dilationH = o.dilation_h
        r.depthMultiplier = o.depth_multiplier
        r.activation = o.activation
        r.filterW = o.filter_w; r.filterH = o.filter_h
        r.axis = o.axis
        r.keepDims = o.keep_dims != 0
        r.keepNumDims = o.keep_num_dims != 0
        r.weightsFormat = o.weights_format
        r.numSplits = o.num_splits
        r.beginMask = o.begin_mask; r.endMask = o.end_mask; r.ellipsisMask = o.ellipsis_mask
        r.newAxisMask = o.new_axis_mask; r.shrinkAxisMask = o.shrink_axis_mask
        r.offset = o.offset != 0
        r.beta = o.beta
        return r
    }
}
