/// Static memory planning: every computed tensor gets an arena offset, reshapes
/// (steps whose output may alias their input) alias their input, state reads alias the
/// state block when the variable is not overwritten while the read is live, and buffers
/// whose lifetimes do not overlap share bytes (greedy first fit, largest first, as TFLM's planner does).
struct MemoryPlanner {
    let graph: Graph
    let steps: [PendingStep]
    let file: String
    static let alignment = 4

    func plan() throws -> Plan {
        // State block layout.
        var stateOffsets: [Int] = []
        var stateBytes = 0
        var stateInitial: [UInt8] = []
        for v in graph.variables {
            stateOffsets.append(stateBytes)
            stateInitial += v.initial
            let padded = align(v.byteCount)
            stateInitial += [UInt8](repeating: 0, count: padded - v.byteCount)
            stateBytes += padded
        }

        // Last step that reads each tensor; graph outputs live to the end.
        var lastUse: [Int: Int] = [:]
        for (i, s) in steps.enumerated() { for t in s.inputs where t >= 0 { lastUse[t] = i } }
        for t in graph.outputs { lastUse[t] = steps.count }

        // Aliases: tensor -> the tensor whose storage it shares, or a state variable.
        var aliasOf: [Int: Int] = [:]
        var stateAlias: [Int: Int] = [:]   // tensor -> variable
        var skip = Set<Int>()              // steps that become no-ops through aliasing
        for (i, s) in steps.enumerated() {
            if case .readState(let v) = s.op.kind {
                let out = s.outputs[0]
                let readers = lastUse[out] ?? i
                let nextWrite = steps.indices.first { j in
                    j > i && { if case .writeState(let w) = steps[j].op.kind { return w == v }; return false }()
                } ?? Int.max
                if readers < nextWrite && !graph.outputs.contains(out) {
                    stateAlias[out] = v
                    skip.insert(i)
                }
            } else if s.aliasesInput {
                let (x, y) = (s.inputs[0], s.outputs[0])
                if !graph.tensors[x].isConstant && !graph.inputs.contains(y) {
                    aliasOf[y] = x
                    skip.insert(i)
                }
            }
        }
        func root(_ t: Int) -> Int { var r = t; while let a = aliasOf[r] { r = a }; return r }

        // A state write whose value is computed just for it: the producer writes straight
        // into the state block, once every alias of the variable's old value has been read.
        var producer: [Int: Int] = [:]
        for (i, s) in steps.enumerated() { for t in s.outputs { producer[t] = i } }
        let aliased = Set(aliasOf.values)
        for (j, s) in steps.enumerated() {
            guard case .writeState(let v) = s.op.kind, let t = s.inputs.first, let p = producer[t] else { continue }
            guard lastUse[t] == j, !graph.outputs.contains(t), !aliased.contains(t), aliasOf[t] == nil,
                  stateAlias[t] == nil, !skip.contains(p) else { continue }
            let oldValueLastRead = stateAlias.filter { $0.value == v }.map { lastUse[$0.key] ?? 0 }.max() ?? -1
            let otherAccess = steps.indices.contains { k in
                guard k != j, (p...j).contains(k) || k > j else { return false }
                switch steps[k].op.kind {
                case .readState(let w), .writeState(let w): return w == v && !skip.contains(k)
                default: return false
                }
            }
            if oldValueLastRead < p && !otherAccess {
                stateAlias[t] = v
                skip.insert(j)
            }
        }

        // Buffers: one per alias root that is neither constant nor state-aliased.
        struct Buffer { var tensor: Int; var bytes: Int; var first: Int; var last: Int; var offset = 0 }
        var buffers: [Int: Buffer] = [:]
        func touch(_ t: Int, at step: Int) {
            let r = root(t)
            if graph.tensors[r].isConstant || stateAlias[r] != nil { return }
            let bytes = align(graph.tensors[r].byteCount)
            let last = lastUse[t] ?? step
            if var b = buffers[r] {
                b.first = min(b.first, step)
                b.last = max(b.last, last)
                buffers[r] = b
            } else {
                buffers[r] = Buffer(tensor: r, bytes: bytes, first: step, last: max(last, step))
            }
        }
        for t in graph.inputs { touch(t, at: -1) }
        for (i, s) in steps.enumerated() {
            for t in s.outputs { touch(t, at: i) }
            for t in s.inputs where t >= 0 { touch(t, at: i) }
        }
        // Stateful reads alias through reshapes too.
        for (t, _) in aliasOf where stateAlias[root(t)] != nil { stateAlias[t] = stateAlias[root(t)] }

        var placed: [Buffer] = []
        for var b in buffers.values.sorted(by: { ($0.bytes, -$0.first, $0.tensor) > ($1.bytes, -$1.first, $1.tensor) }) {
            let overlapping = placed.filter { $0.first <= b.last && b.first <= $0.last }
            let candidates = ([0] + overlapping.map { $0.offset + $0.bytes }).sorted()
            let offset = candidates.first { c in
                overlapping.allSatisfy { c + b.bytes <= $0.offset || $0.offset + $0.bytes <= c }
            }!
            b.offset = offset
            placed.append(b)
        }
        let arenaBytes = placed.map { $0.offset + $0.bytes }.max() ?? 0
        let offsets = Dictionary(uniqueKeysWithValues: placed.map { ($0.tensor, $0.offset) })

        // Constants in first-use order.
        var constantIndex: [Int: Int] = [:]
        var constants: [[UInt8]] = []
        var constantTypes: [ElementType] = []
        func storage(_ t: Int) -> Storage {
            let r = root(t)
            if let data = graph.tensors[r].data {
                if constantIndex[r] == nil {
                    constantIndex[r] = constants.count
                    constants.append(data)
                    constantTypes.append(graph.tensors[r].type)
                }
                return .constant(index: constantIndex[r]!)
            }
            if let v = stateAlias[t] ?? stateAlias[r] { return .state(offset: stateOffsets[v]) }
            return .arena(offset: offsets[r]!)
        }

        var planned: [Step] = []
        for (i, s) in steps.enumerated() where !skip.contains(i) {
            var inputs = s.inputs.map { $0 >= 0 ? storage($0) : nil }
            var outputs = s.outputs.map(storage)
            switch s.op.kind {
            case .readState(let v): inputs = [.state(offset: stateOffsets[v])]
            case .writeState(let v): outputs = [.state(offset: stateOffsets[v])]
            default: break
            }
            planned.append(Step(operatorIndex: s.op.index, opName: s.op.name, kernel: s.kernel,
                                inputs: inputs, outputs: outputs, macs: s.macs))
        }
        func io(_ t: Int) -> PlanTensor {
            let x = graph.tensors[t]
            return PlanTensor(tensor: t, storage: storage(t), type: x.type, shape: x.shape,
                              quantization: x.quantization, byteCount: x.byteCount)
        }
        return Plan(steps: planned, constants: constants, constantTypes: constantTypes, arenaBytes: arenaBytes, stateBytes: stateBytes,
                    stateOffsets: stateOffsets, stateInitial: stateInitial,
                    inputs: graph.inputs.map(io), outputs: graph.outputs.map(io))
    }

    func align(_ n: Int) -> Int { (n + MemoryPlanner.alignment - 1) / MemoryPlanner.alignment * MemoryPlanner.alignment }
}
