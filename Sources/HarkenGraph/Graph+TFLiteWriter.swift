// Graph+TFLiteWriter.swift: a graph as a standard TFLite flatbuffer.
//
// State is held the way microWakeWord's models hold it, so TFLM, LiteRT and ESPHome run the file
// unchanged: the main subgraph starts with CALL_ONCE of an init subgraph, then one VAR_HANDLE per
// variable; reads and writes become READ_VARIABLE / ASSIGN_VARIABLE on those handles; the init
// subgraph assigns each variable its initial value from a constant.

import CTFLiteSchema
import Foundation

extension ElementType {
    var tfliteCode: Int32 {
        switch self {
        case .float32: return 0
        case .int32: return 2
        case .uint8: return 3
        case .int64: return 4
        case .bool: return 6
        case .int16: return 7
        case .int8: return 9
        case .resource: return 13
        case .other: return -1
        }
    }
}

extension Graph {
    /// The TFLite file of the graph. Throws for operators Harken does not write.
    public func tfliteData(description: String = "Harken") throws -> Data {
        let w = hk_tflw_new()!
        defer { hk_tflw_free(w) }
        func tensor(_ name: String, _ type: ElementType, _ shape: [Int], _ q: Quantization?, _ data: [UInt8]?) -> Int32 {
            let buffer = data.map { d in d.withUnsafeBufferPointer { hk_tflw_buffer(w, $0.baseAddress, d.count) } } ?? 0
            let dims = shape.map(Int32.init)
            let scales = q?.scales ?? [], zps = q?.zeroPoints ?? []
            return name.withCString { n in
                dims.withUnsafeBufferPointer { s in
                    scales.withUnsafeBufferPointer { sc in
                        zps.withUnsafeBufferPointer { z in
                            hk_tflw_tensor(w, n, type.tfliteCode, s.baseAddress, UInt32(dims.count), buffer, sc.baseAddress, z.baseAddress,
                                           UInt32(min(scales.count, zps.count)), Int32(q?.axis ?? 0))
                        }
                    }
                }
            }
        }
        func op(_ code: BuiltinOp, version: Int32, _ inputs: [Int32], _ outputs: [Int32], _ type: Int32 = 0,
                _ options: hk_tfl_options = hk_tfl_options()) {
            var o = options
            let opcode = hk_tflw_opcode(w, code.rawValue, version)
            inputs.withUnsafeBufferPointer { i in
                outputs.withUnsafeBufferPointer { out in
                    hk_tflw_operator(w, opcode, i.baseAddress, UInt32(inputs.count), out.baseAddress, UInt32(outputs.count), type, &o)
                }
            }
        }
        func variableHandle(_ v: Int, _ resource: Int32) {
            var o = hk_tfl_options()
            let name = Array(variables[v].name.utf8CString)
            name.withUnsafeBufferPointer { n in
                o.shared_name = hk_tfl_string(data: n.baseAddress, length: UInt32(name.count - 1))
                op(.varHandle, version: 1, [], [resource], 111, o)
            }
        }
        func endSubgraph(_ inputs: [Int32], _ outputs: [Int32]) {
            inputs.withUnsafeBufferPointer { i in
                outputs.withUnsafeBufferPointer { o in hk_tflw_end_subgraph(w, i.baseAddress, UInt32(inputs.count), o.baseAddress, UInt32(outputs.count)) }
            }
        }

        hk_tflw_begin_subgraph(w, "main")
        let index = tensors.map { tensor($0.name, $0.type, $0.shape, $0.quantization, $0.data) }
        let resources = variables.map { tensor($0.name + "/handle", .resource, [], nil, nil) }
        if !variables.isEmpty {
            var o = hk_tfl_options()
            o.init_subgraph_index = 1
            op(.callOnce, version: 1, [], [], 103, o)
            for v in variables.indices { variableHandle(v, resources[v]) }
        }
        for o in operators {
            switch o.kind {
            case .readState(let v): op(.readVariable, version: 1, [resources[v]], o.outputs.map { index[$0] }, 112)
            case .writeState(let v): op(.assignVariable, version: 1, [resources[v]] + o.inputs.map { index[$0] }, [], 113)
            case .builtin(let code):
                let (form, options) = try tfliteOptions(o, code)
                op(code, version: form.version, o.inputs.map { $0 < 0 ? -1 : index[$0] },
                   o.outputs.map { index[$0] }, form.options, options)
            }
        }
        endSubgraph(inputs.map { index[$0] }, outputs.map { index[$0] })

        if !variables.isEmpty {
            hk_tflw_begin_subgraph(w, "init")
            for (v, s) in variables.enumerated() {
                let handle = tensor(s.name + "/handle", .resource, [], nil, nil)
                let value = tensor(s.name + "/initial", s.type, s.shape, s.quantization, s.initial)
                variableHandle(v, handle)
                op(.assignVariable, version: 1, [handle, value], [], 113)
            }
            endSubgraph([], [])
        }
        var data: UnsafePointer<UInt8>?
        var length = 0
        description.withCString { hk_tflw_finish(w, $0, &data, &length) }
        return Data(bytes: data!, count: length)
    }

    /// How the operator is written (options table type and version, from its operator family)
    /// and its options, every field copied (the table type decides which ones the file keeps).
    private func tfliteOptions(_ o: Operator, _ code: BuiltinOp) throws -> (TFLiteForm, hk_tfl_options) {
        var t = hk_tfl_options()
        let p = o.options
        t.padding = p.padding; t.stride_w = p.strideW; t.stride_h = p.strideH
        t.dilation_w = p.dilationW; t.dilation_h = p.dilationH; t.depth_multiplier = p.depthMultiplier
        t.filter_w = p.filterW; t.filter_h = p.filterH; t.beta = p.beta; t.keep_dims = p.keepDims ? 1 : 0
        t.activation = p.activation; t.axis = p.axis; t.keep_num_dims = p.keepNumDims ? 1 : 0
        t.begin_mask = p.beginMask; t.end_mask = p.endMask; t.ellipsis_mask = p.ellipsisMask
        t.new_axis_mask = p.newAxisMask; t.shrink_axis_mask = p.shrinkAxisMask; t.offset = p.offset ? 1 : 0
        guard let form = Operators.writable[code] else {
            let written = Operators.writable.keys.sorted { $0.rawValue < $1.rawValue }.map(\.name).joined(separator: ", ")
            throw GraphError.invalid(file: description, location: "operator \(o.index) (\(o.name))",
                                     expected: "an operator Harken writes to TFLite (\(written))")
        }
        return (form, t)
    }
}
