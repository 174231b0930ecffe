import ArgumentParser
import HarkenGraph
import HarkenPipeline
import HarkenTargets

struct Firmware: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate a complete firmware project for a board (see `harken boards`), and build it where the toolchain exists.",
        discussion: """
        With --judge the Sentry is followed by a Judge (the cascade; bare-metal boards): the device keeps a ring of its \
        feature frames and hands each trigger's window to the Judge, run on the device (--judge-placement device) or on \
        a server the device reaches over its serial link (--judge-placement server). Settings not given come from the \
        Sentry manifest's `judge` field, then the defaults.
        """)

    @Option(help: "The .tflite model.") var model: String
    @Option(help: "Board name from Targets/.") var board: String
    @Option(help: "Output folder for the project.") var out: String
    @Option(help: "C identifier prefix (default: the model file's name).") var name: String?
    @Option(help: "The cascade's int8 Judge (.tflite): the Sentry hands it each trigger's window.") var judge: String?
    @Option(help: "Where the Judge runs: device (its C in the firmware) or server (over the serial link).")
    var judgePlacement: JudgeStage.Placement?
    @Option(help: "What the device does when a server Judge does not answer in time: fail-open (accept) or fail-closed (reject). Default fail-open.")
    var fallback: JudgeStage.Fallback?
    @Option(help: "How long a server Judge may take, in ms of audio (default 500).") var judgeTimeoutMs: Int?
    @Option(help: "The Sentry's cutoff in the cascade (default: the manifest's probability_cutoff).") var sentryCutoff: Double?
    @Option(help: "Accept a trigger when the Judge's probability exceeds this (default 0.5).") var judgeCutoff: Double?
    @Flag(help: "Build the project here (bare-metal Arm boards).") var build = false
    @Flag(help: "Print the result as JSON.") var json = false

    func validate() throws {
        let cascadeOptions = [judgePlacement != nil, fallback != nil, judgeTimeoutMs != nil, sentryCutoff != nil, judgeCutoff != nil]
        if judge == nil && cascadeOptions.contains(true) {
            throw ValidationError("--judge-placement, --fallback, --judge-timeout-ms, --sentry-cutoff and --judge-cutoff need --judge")
        }
        for (flag, c) in [("--sentry-cutoff", sentryCutoff), ("--judge-cutoff", judgeCutoff)] {
            if let c, !(c >= 0 && c < 1) { throw ValidationError("\(flag) must be in [0, 1), got \(c)") }
        }
        if let t = judgeTimeoutMs, t < 10 { throw ValidationError("--judge-timeout-ms must be at least 10 (one feature frame), got \(t)") }
    }

    var judgeOptions: JudgeOptions? {
        judge.map { JudgeOptions(model: $0, placement: judgePlacement, fallback: fallback, timeoutMs: judgeTimeoutMs,
                                 sentryCutoff: sentryCutoff, judgeCutoff: judgeCutoff) }
    }

    func run() throws {
        let r = try guarded {
            try Pipeline.firmware(model: model, board: board, home: try HarkenHome.locate(), outDir: out, build: build, name: name, judge: judgeOptions)
        }
        if json { return try printJSON(r) }
        print("\(board): \(r.template) project with \(r.files) files in \(out) (see its README.md)")
        if let c = r.cascade {
            let s = c.stage
            let judgeCost = s.placement == .device ? ", Judge arena \(c.judgeArenaBytes) B + weights \(c.judgeWeightBytes) B" : ""
            let wait = s.placement == .server ? ", \(s.fallback.rawValue) after \(s.timeoutMs) ms" : ""
            print("cascade: Sentry at \(s.sentryCutoff), then the Judge on the \(s.placement.rawValue) at \(s.cutoff) over \(s.framesBefore) + \(s.framesAfter) frames\(wait); ring \(c.ringBytes) B\(judgeCost)")
        }
        if let elf = r.elf, let flash = r.flashBytes, let ram = r.ramBytes {
            print("built \(elf): flash \(flash) B, static RAM \(ram) B")
        }
    }
}

extension JudgeStage.Placement: ExpressibleByArgument {}
extension JudgeStage.Fallback: ExpressibleByArgument {}
