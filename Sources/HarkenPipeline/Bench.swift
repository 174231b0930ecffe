import Foundation
import HarkenAudio
import HarkenBench
import HarkenGraph
import HarkenStream
import HarkenSupport
import HarkenTargets

public struct BenchReport: Codable, Sendable {
    public var schemaVersion = 1
    public var port: String
    public var device: DeviceInfo
    public var steps: Int
    /// Steps whose device output differs from Harken's simulator on the same input.
    public var mismatches: Int
    public var firstMismatchStep: Int?
    public var cyclesMean: Double
    public var cyclesMin: UInt32
    public var cyclesMax: UInt32
    public var microsecondsMean: Double
    public var stats: DeviceStats
    public var retries: Int
}

extension Pipeline {
    /// `harken bench`: stream real features through a device running the bench
    /// firmware, compare every output with the simulator, report cycles and memory.
    public static func bench(model: String, link: Link, portName: String, steps: Int, audio: Audio,
                             timeout: Double = 2, job: Job = .silent) throws -> BenchReport {
        let progress = job.stage("bench")
        let (_, plan) = try load(model: model)
        try checkFitsOneFrame(plan, model: model)
        var inputs = try FeatureSteps.make(audio, plan: plan)
        guard !inputs.isEmpty else { throw BenchError.mismatch("the audio is too short for one inference step") }
        while inputs.count < steps { inputs += inputs }
        inputs = Array(inputs.prefix(steps))
        let runner = ModelRunner(plan: plan)

        let client = BenchClient(link: link, name: portName, timeout: timeout)
        let device = try client.hello()
        guard device.inputBytes == plan.inputs[0].byteCount, device.outputBytes == plan.outputs[0].byteCount else {
            throw BenchError.mismatch("\(portName): the device runs \(device.model) with \(device.inputBytes) input and \(device.outputBytes) output bytes; \(model) has \(plan.inputs[0].byteCount) and \(plan.outputs[0].byteCount)")
        }
        try client.reset()
        var cycles: [UInt32] = []
        var mismatches = 0
        var firstMismatch: Int?
        for (i, input) in inputs.enumerated() {
            runner.input().copyBytes(from: input)
            runner.invoke()
            let expected = Array(runner.output())
            let (c, output) = try client.step(input, outputBytes: expected.count)
            cycles.append(c)
            if output != expected {
                mismatches += 1
                if firstMismatch == nil { firstMismatch = i }
            }
            progress(Double(i + 1) / Double(inputs.count), "")
            try job.checkCancelled()
        }
        let stats = try client.stats()
        let mean = Double(cycles.reduce(UInt64(0)) { $0 + UInt64($1) }) / Double(cycles.count)
        return BenchReport(port: portName, device: device, steps: inputs.count, mismatches: mismatches, firstMismatchStep: firstMismatch,
                           cyclesMean: mean, cyclesMin: cycles.min() ?? 0, cyclesMax: cycles.max() ?? 0,
                           microsecondsMean: device.cpuHz > 0 ? mean / Double(device.cpuHz) * 1e6 : 0,
                           stats: stats, retries: client.retries)
    }
}

extension Pipeline {
    /// Starts the board's emulator on a firmware image and benchmarks it over the emulator's
    /// serial pseudo-terminal; the emulator stops when this returns or throws.
    public static func benchEmulated(model: String, elf: String, board: String, home: HarkenHome, steps: Int, audio: Audio,
                                     timeout: Double = 2, job: Job = .silent) throws -> BenchReport {
        try benchEmulated(model: model, elf: elf, target: try TargetCatalog.board(board, home: home), steps: steps, audio: audio,
                          timeout: timeout, job: job)
    }

    /// A step's input and output each travel in one frame: a larger one would never be answered.
    static func checkFitsOneFrame(_ plan: Plan, model: String) throws {
        for (what, t) in [("input", plan.inputs[0]), ("output", plan.outputs[0])] where t.byteCount > Frame.maxPayload {
            throw BenchError.mismatch("\(model): its \(what) is \(t.byteCount) bytes; the bench protocol carries a step's \(what) in one frame of at most \(Frame.maxPayload) bytes (HK_BENCH_MAX_PAYLOAD)")
        }
    }

    static func benchEmulated(model: String, elf: String, target: Target, steps: Int, audio: Audio,
                              timeout: Double, job: Job) throws -> BenchReport {
        guard let command = target.emulator else {
            throw PipelineError.noEmulator(board: target.name)
        }
        try checkFitsOneFrame(try load(model: model).1, model: model)
        let emulator = try Emulator(command: command, elf: elf)
        defer { emulator.stop() }
        return try bench(model: model, link: try SerialPort(path: emulator.ptyPath), portName: emulator.ptyPath,
                         steps: steps, audio: audio, timeout: timeout, job: job)
    }
}
