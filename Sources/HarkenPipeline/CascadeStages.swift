// CascadeStages.swift: `harken bench --cascade`, a benchmark of every stage of the cascade in each
// way it can be deployed: the Sentry alone on its MCU; the Sentry with a Judge on the device (a
// bigger core beside it, or one chip running both); the Sentry with a Judge on a server. Per stage:
// latency (device stages in cycles from the cost model and from the instruction-set simulator, and
// in milliseconds at the target's clock; the server stage in milliseconds measured here), RAM,
// flash, and how often the stage runs; the Judge's wake-ups per hour come from a cascade report.
//
// The device stages are measured in CascadeStages+Device.swift, the server stage in
// CascadeStages+Server.swift, the wake-up curve drawn in CascadeStages+Plot.swift.

import Foundation
import HarkenCodegen
import HarkenCost
import HarkenGraph
import HarkenStream
import HarkenSupport
import HarkenTargets

/// What `harken bench --cascade` measures, and where.
public struct CascadeStagesOptions: Sendable {
    public var sentry: String
    /// The int8 Judge the device runs (.tflite).
    public var judge: String
    /// The Judge the server serves (an int8 .tflite or a float checkpoint); default `judge`.
    public var serverJudge: String?
    public var sentryTarget: String
    public var judgeTarget: String
    /// One chip running both stages; nil leaves that deployment out.
    public var singleChipTarget: String?
    /// A cascade report (`harken eval --cascade`'s cascade.json) for wake-ups per hour and the curve.
    public var cascadeReport: String?
    /// Where to write the wake-up curve's SVG (needs `cascadeReport`).
    public var plot: String?
    /// A running `harken judge serve` to time instead of one started here.
    public var judgeURL: String?
    /// Windows timed per server measurement.
    public var windows: Int
    /// Inference steps each device stage runs in the simulator (as `harken cost --measure --steps`).
    public var sentrySteps: Int
    public var judgeSteps: Int
    /// Build the deployments' firmware here and read their ELF sizes; nil: no builds.
    public var buildDir: String?

    public init(sentry: String, judge: String, serverJudge: String? = nil, sentryTarget: String = "stm32f4", judgeTarget: String = "stm32h7",
                singleChipTarget: String? = "esp32s3-devkitc", cascadeReport: String? = nil, plot: String? = nil, judgeURL: String? = nil,
                windows: Int = 200, sentrySteps: Int = 20, judgeSteps: Int = 2, buildDir: String? = nil) {
        self.sentry = sentry; self.judge = judge; self.serverJudge = serverJudge; self.sentryTarget = sentryTarget
        self.judgeTarget = judgeTarget; self.singleChipTarget = singleChipTarget; self.cascadeReport = cascadeReport; self.plot = plot
        self.judgeURL = judgeURL; self.windows = windows; self.sentrySteps = sentrySteps; self.judgeSteps = judgeSteps; self.buildDir = buildDir
    }
}

/// A Judge server the benchmark talks to: its address, how it was started, and how to stop it.
public struct JudgeEndpoint: Sendable {
    public var url: String
    /// "in process" (started by this command), or "external".
    public var kind: String
    public var maxBatch: Int?
    public var maxWaitMs: Double?
    public var stop: @Sendable () -> Void

    public init(url: String, kind: String, maxBatch: Int? = nil, maxWaitMs: Double? = nil, stop: @escaping @Sendable () -> Void = {}) {
        self.url = url; self.kind = kind; self.maxBatch = maxBatch; self.maxWaitMs = maxWaitMs; self.stop = stop
    }
}

/// Starts a Judge server for a service (the command line starts HarkenServer's in process).
public typealias JudgeServerLauncher = (JudgeService) throws -> JudgeEndpoint

public struct CascadeStagesReport: Codable, Sendable {
    public var schemaVersion = 1
    public var sentry: StageModel
    public var judge: StageModel
    /// The cascade report's chosen point, when one was given.
    public var operatingPoint: OperatingPoint?
    public var deployments: [CascadeDeployment]
    /// Built firmware images (with a build folder).
    public var firmwareImages: [FirmwareImage]?
    /// System false accepts per hour against Judge wake-ups per hour, from the cascade report.
    public var curve: [WakeupPoint]?
    public var plot: String?
    public var goals: [StageGoal]
    public var notes: [String]
}

/// One stage's model.
public struct StageModel: Codable, Sendable, Equatable {
    public var model: String
    public var macs: Int
    public var arenaBytes: Int
    public var stateBytes: Int
    public var weightBytes: Int
    public var inputBytes: Int
    /// Audio one call covers: the Sentry's step, the Judge's window.
    public var callMs: Int
}

public struct OperatingPoint: Codable, Sendable, Equatable {
    public var report: String
    /// "cascade" (cutoffs chosen on other audio) or "cascade_best" (chosen on this audio).
    public var point: String
    public var negativeHours: Double
    public var targetFalseAcceptsPerHour: Double
    public var sentryCutoff: Double
    public var judgeCutoff: Double?
    public var judgeWakeupsPerHour: Double
    public var falseAcceptsPerHour: Double
    public var falseRejectRate: Double
    /// The Sentry alone at the lowest cutoff meeting the same target, for comparison.
    public var sentryAloneCutoff: Double?
    public var sentryAloneFalseAcceptsPerHour: Double?
    public var sentryAloneFalseRejectRate: Double?
}

public struct CascadeDeployment: Codable, Sendable {
    /// sentry_alone, device_judge, single_chip, server_judge.
    public var key: String
    public var title: String
    public var stages: [StageResult]
    public var judgeWakeupsPerHour: Double?
    public var falseAcceptsPerHour: Double?
    public var falseRejectRate: Double?
}

public struct StageResult: Codable, Sendable {
    /// "sentry" or "judge".
    public var stage: String
    /// The board (Targets/) it runs on, or "server".
    public var runsOn: String
    public var core: String
    public var clockHz: Int?
    /// "step" (the Sentry, every `callMs`) or "window" (the Judge, once per wake-up).
    public var per: String
    public var callsPerHour: Double?
    public var device: DeviceLatency?
    public var server: ServerLatency?
    public var ram: StageRAM?
    public var flash: StageFlash?
}

public struct DeviceLatency: Codable, Sendable, Equatable {
    public var costModelCycles: Double?
    public var costModelMs: Double?
    /// Why the cost model has no figure (an uncalibrated target).
    public var costModelNote: String?
    public var simulatorCycles: Double?
    public var simulatorMs: Double?
    /// The simulated core, or why there is none.
    public var simulator: String
    /// Set when the simulator ran a stand-in for the target's core: what it ran.
    public var proxy: String?
    /// Inference steps simulated (each layer's worst over them, as `harken cost --measure`).
    public var steps: Int
    /// The time one call may take: the Sentry's step; nil for the Judge.
    public var budgetMs: Double?
}

public struct LatencyStats: Codable, Sendable, Equatable {
    public var count: Int
    public var p50Ms: Double
    public var p99Ms: Double
    public var meanMs: Double
    public var maxMs: Double

    /// Nearest-rank percentiles of `ms` (not empty).
    public init(_ ms: [Double]) {
        let s = ms.sorted()
        func rank(_ p: Double) -> Double { s[max(0, min(s.count - 1, Int((p * Double(s.count)).rounded(.up)) - 1))] }
        count = s.count
        p50Ms = rank(0.5); p99Ms = rank(0.99)
        meanMs = s.reduce(0, +) / Double(max(s.count, 1))
        maxMs = s.last ?? 0
    }
}

public struct ServerLatency: Codable, Sendable, Equatable {
    public var model: String
    public var url: String
    /// "in process" or "external".
    public var serverKind: String
    public var maxBatch: Int?
    public var maxWaitMs: Double?
    /// The Judge's own time per window, in this process, one window per call.
    public var judgeInProcess: LatencyStats
    /// POST /v1/judge on loopback, one client on a kept-alive connection.
    public var http: LatencyStats
    /// The device's window out and the answer back through the host relay over a pty pair, the
    /// relay answering at once (the link, the frame codec and the relay alone).
    public var serialRelay: LatencyStats
    /// The same with the relay asking the server over HTTP: what the device waits on loopback.
    public var serialEndToEnd: LatencyStats
    public var serialLink: String
    /// Bytes on the wire for one window and its answer (COBS frames with delimiters).
    public var wireBytes: Int
    /// Their time on a UART at the firmware's baud rate (computed: 10 bits a byte).
    public var uartBaud: Int
    public var uartMs: Double
}

public struct StageRAM: Codable, Sendable, Equatable {
    public var arenaBytes: Int
    public var stateBytes: Int
    /// The cascade's feature ring, on the chip that keeps it (the Sentry's).
    public var ringBytes: Int
    public var totalBytes: Int
}

public struct StageFlash: Codable, Sendable, Equatable {
    public var weightBytes: Int
    /// The model's code and the kernels it calls, compiled for the core; nil when not compiled.
    public var codeBytes: Int?
    public var codeSource: String
    public var totalBytes: Int?
}

/// A deployment's firmware as built here (on the emulated board with the target's core).
public struct FirmwareImage: Codable, Sendable, Equatable {
    public var what: String
    public var board: String
    public var standsInFor: String
    public var core: String
    public var elf: String
    public var flashBytes: Int
    /// data + bss (the stack's reservation aside).
    public var ramBytes: Int
    /// The flash's symbols by part (weights, model, kernels, runtime, application; the C library
    /// and start-up code count as application).
    public var flashPartBytes: [String: Int]
}

public struct WakeupPoint: Codable, Sendable, Equatable {
    /// "sentry" (the Sentry alone: every wake-up is a false accept) or "cascade".
    public var curve: String
    public var sentryCutoff: Double
    public var judgeCutoff: Double?
    public var judgeWakeupsPerHour: Double
    public var falseAcceptsPerHour: Double
    public var falseRejectRate: Double
}

public struct StageGoal: Codable, Sendable, Equatable {
    public var goal: String
    public var limitMs: Double
    public var measuredMs: Double
    /// Which figure was compared.
    public var measure: String
    public var met: Bool
}

public enum CascadeStagesError: CodedError, Sendable {
    public static let domain = "cascade_stages"

    case report(file: String, reason: String)
    case judgeShape(file: String, reason: String)
    case server(reason: String)
    case link(reason: String)

    public var description: String {
        switch self {
        case let .report(f, r): return "\(f): not a cascade report (harken eval --cascade's cascade.json): \(r)"
        case let .judgeShape(f, r): return "\(f): \(r)"
        case let .server(r): return "the Judge server: \(r)"
        case let .link(r): return "the serial hand-off: \(r)"
        }
    }
}

extension Pipeline {
    /// On-device Judge decides within this at the target's clock; the server's p99 on loopback within the other.
    public static let deviceJudgeGoalMs = 50.0
    public static let serverJudgeGoalMs = 10.0

    /// `harken bench --cascade`: every stage of every deployment (see the file's header).
    public static func cascadeStages(_ o: CascadeStagesOptions, home: HarkenHome, launch: JudgeServerLauncher?,
                                     job: Job = .silent) throws -> CascadeStagesReport {
        let (_, sentryPlan) = try load(model: o.sentry)
        let judgePlan = try Graph.load(tflite: o.judge).lower(file: o.judge)
        let sentryTarget = try TargetCatalog.board(o.sentryTarget, home: home)
        let judgeTarget = try TargetCatalog.board(o.judgeTarget, home: home)
        let single = try o.singleChipTarget.map { try TargetCatalog.board($0, home: home) }
        let chosen = try o.cascadeReport.map { try loadCascadeReport($0) }
        var notes: [String] = []

        // The cascade as the firmware would be generated: the stage settles the window and the ring.
        let manifestPath = ModelManifest.besideModel(o.sentry)
        let manifest = FileManager.default.fileExists(atPath: manifestPath) ? try ModelManifest.load(path: manifestPath) : nil
        let zero = try deviceDefaults(model: o.sentry, plan: sentryPlan).featureZeroPoint
        func cascade(_ placement: JudgeStage.Placement) throws -> CascadeFirmware {
            let stage = try judgeStage(JudgeOptions(model: o.judge, placement: placement), judgePlan: judgePlan, sentryManifest: manifest)
            return try CascadeFirmware(stage: stage, judge: judgePlan, judgeFile: o.judge, sentry: sentryPlan)
        }
        let onDevice = try cascade(.device), onServer = try cascade(.server)
        let deviceRing = onDevice.ringBytes(zeroCode: zero), serverRing = onServer.ringBytes(zeroCode: zero)

        let sentryModel = stageModel(o.sentry, sentryPlan, callMs: stepMs(sentryPlan))
        let judgeModel = stageModel(o.judge, judgePlan, callMs: onDevice.stage.windowFrames * CascadeFirmware.frameMs)
        let wakeups = chosen?.point.judgeWakeupsPerHour

        // Device stages, each measured once per (model, target).
        let sentryName = ((o.sentry as NSString).lastPathComponent as NSString).deletingPathExtension
        let judgeName = ((o.judge as NSString).lastPathComponent as NSString).deletingPathExtension
        let deviceJobs: [(String, Plan, String, Target, Int)] = [("sentry", sentryPlan, sentryName, sentryTarget, o.sentrySteps),
                                                                 ("judge", judgePlan, judgeName, judgeTarget, o.judgeSteps)]
            + (single.map { [("sentry", sentryPlan, sentryName, $0, o.sentrySteps), ("judge", judgePlan, judgeName, $0, o.judgeSteps)] } ?? [])
        var measured: [String: DeviceStage] = [:]
        for (i, (stage, plan, name, target, steps)) in deviceJobs.enumerated() {
            try job.checkCancelled()
            job.progress(ProgressEvent(stage: "device stages", fraction: Double(i) / Double(deviceJobs.count), detail: "\(stage) on \(target.name)"))
            let key = "\(stage)@\(target.name)"
            if measured[key] == nil { measured[key] = try measureDeviceStage(plan: plan, name: name, target: target, home: home, steps: steps) }
        }
        job.progress(ProgressEvent(stage: "device stages", fraction: 1))
        func device(_ stage: String, _ model: StageModel, _ target: Target, ring: Int, callsPerHour: Double?) -> StageResult {
            let m = measured["\(stage)@\(target.name)"]!
            var latency = m.latency
            if stage == "sentry" { latency.budgetMs = Double(model.callMs) }
            let ram = StageRAM(arenaBytes: model.arenaBytes, stateBytes: model.stateBytes, ringBytes: ring,
                               totalBytes: model.arenaBytes + model.stateBytes + ring)
            let flash = StageFlash(weightBytes: model.weightBytes, codeBytes: m.codeBytes, codeSource: m.codeSource,
                                   totalBytes: m.codeBytes.map { $0 + model.weightBytes })
            return StageResult(stage: stage, runsOn: target.name, core: target.core, clockHz: target.clock_hz, per: stage == "sentry" ? "step" : "window",
                               callsPerHour: callsPerHour, device: latency, server: nil, ram: ram, flash: flash)
        }
        let stepsPerHour = 3_600_000 / Double(sentryModel.callMs)

        // The server stage.
        try job.checkCancelled()
        let server = try measureServerStage(options: o, judgePlan: judgePlan, launch: launch, job: job)
        notes.append("The server stage runs on this shared machine (\(ProcessInfo.processInfo.activeProcessorCount) cores, other work running): its milliseconds are this machine's, not a server's.")

        var deployments: [CascadeDeployment] = []
        let alone = chosen?.sentryAlone
        deployments.append(CascadeDeployment(key: "sentry_alone", title: "Sentry alone on \(sentryTarget.name)",
                                             stages: [device("sentry", sentryModel, sentryTarget, ring: 0, callsPerHour: stepsPerHour)],
                                             judgeWakeupsPerHour: nil, falseAcceptsPerHour: alone?.falseAcceptsPerHour.value,
                                             falseRejectRate: alone?.falseRejectRate.value))
        let p = chosen?.point
        deployments.append(CascadeDeployment(key: "device_judge", title: "Sentry on \(sentryTarget.name) + Judge on \(judgeTarget.name)",
                                             stages: [device("sentry", sentryModel, sentryTarget, ring: deviceRing, callsPerHour: stepsPerHour),
                                                      device("judge", judgeModel, judgeTarget, ring: 0, callsPerHour: wakeups)],
                                             judgeWakeupsPerHour: wakeups, falseAcceptsPerHour: p?.falseAcceptsPerHour, falseRejectRate: p?.falseRejectRate))
        if let single {
            deployments.append(CascadeDeployment(key: "single_chip", title: "Sentry + Judge on one \(single.name)",
                                                 stages: [device("sentry", sentryModel, single, ring: deviceRing, callsPerHour: stepsPerHour),
                                                          device("judge", judgeModel, single, ring: 0, callsPerHour: wakeups)],
                                                 judgeWakeupsPerHour: wakeups, falseAcceptsPerHour: p?.falseAcceptsPerHour,
                                                 falseRejectRate: p?.falseRejectRate))
        }
        deployments.append(CascadeDeployment(key: "server_judge", title: "Sentry on \(sentryTarget.name) + Judge on a server",
                                             stages: [device("sentry", sentryModel, sentryTarget, ring: serverRing, callsPerHour: stepsPerHour),
                                                      StageResult(stage: "judge", runsOn: "server", core: "host", clockHz: nil, per: "window",
                                                                  callsPerHour: wakeups, device: nil, server: server, ram: nil, flash: nil)],
                                             judgeWakeupsPerHour: wakeups, falseAcceptsPerHour: p?.falseAcceptsPerHour, falseRejectRate: p?.falseRejectRate))

        var goals: [StageGoal] = []
        for d in deployments where d.key != "sentry_alone" {
            for s in d.stages where s.stage == "judge" {
                if let l = s.device, let ms = l.simulatorMs ?? l.costModelMs {
                    let what = l.simulatorMs == nil ? "cost model" : (l.proxy == nil ? "\(s.core) simulator" : "proxy simulator (see the stage)")
                    goals.append(StageGoal(goal: "on-device Judge decides within \(Int(deviceJudgeGoalMs)) ms on \(s.runsOn)", limitMs: deviceJudgeGoalMs,
                                           measuredMs: ms, measure: "\(what), at \(s.clockHz! / 1_000_000) MHz", met: ms < deviceJudgeGoalMs))
                }
            }
        }
        goals.append(StageGoal(goal: "server Judge p99 within \(Int(serverJudgeGoalMs)) ms on loopback, one client", limitMs: serverJudgeGoalMs,
                               measuredMs: server.http.p99Ms, measure: "HTTP round trip p99 over \(server.http.count) windows",
                               met: server.http.p99Ms < serverJudgeGoalMs))

        var images: [FirmwareImage]?
        if let dir = o.buildDir {
            images = try buildDeploymentImages(o, dir: dir, sentryTarget: sentryTarget, judgeTarget: judgeTarget, home: home, job: job)
        }

        var plotPath: String?
        if let path = o.plot, let chosen {
            try writeAtomically(wakeupPlotSVG(chosen.report, chosen: chosen.point, title: "Judge wake-ups against system false accepts"), to: path)
            plotPath = path
        }
        if single.map({ InstructionSetSimulator.Core(targetCore: $0.core) == nil }) == true {
            notes.append("\(single!.name) (\(single!.core)) has no instruction-set simulator here and no calibrated cost model: its cycles are a proxy (see its stages); treat them as an estimate.")
        }
        notes.append("Device RAM counts each stage's arena and state and the cascade's feature ring (on the Sentry's chip); the frontend's state, the stack and the serial buffers come on top (see the built images).")
        notes.append("Two chips (\(sentryTarget.name) + \(judgeTarget.name)): moving the window between them (SPI or a UART) is not counted.")
        if server.uartMs > Double(onServer.stage.timeoutMs) {
            notes.append(String(format: "A server Judge over the firmware's %d-baud UART: one window and its answer take %.0f ms on the wire, more than the %d ms timeout; such a link needs a faster UART (921600 baud: %.0f ms) or USB.",
                                server.uartBaud, server.uartMs, onServer.stage.timeoutMs, Double(server.wireBytes) * 10 / 921_600 * 1000))
        }
        return CascadeStagesReport(sentry: sentryModel, judge: judgeModel, operatingPoint: chosen?.point, deployments: deployments,
                                   firmwareImages: images, curve: chosen.map { wakeupCurve($0.report) }, plot: plotPath, goals: goals, notes: notes)
    }

    static func stepMs(_ plan: Plan) -> Int {
        let channels = max(1, plan.inputs[0].shape.last ?? 1)
        return CascadeFirmware.frameMs * (plan.inputs[0].elementCount / channels)
    }

    static func stageModel(_ path: String, _ plan: Plan, callMs: Int) -> StageModel {
        StageModel(model: path, macs: plan.steps.reduce(0) { $0 + $1.macs }, arenaBytes: plan.arenaBytes, stateBytes: plan.stateBytes,
                   weightBytes: plan.weightBytes, inputBytes: plan.inputs[0].byteCount, callMs: callMs)
    }

    /// A cascade report and its chosen point: the cutoffs chosen on other audio, else the best on this audio.
    static func loadCascadeReport(_ path: String) throws -> (report: CascadeReport, point: OperatingPoint, sentryAlone: CascadePoint?) {
        guard let data = FileManager.default.contents(atPath: path) else { throw CascadeStagesError.report(file: path, reason: "cannot be read") }
        let report: CascadeReport
        do { report = try HarkenJSON.decoder().decode(CascadeReport.self, from: data) } catch {
            throw CascadeStagesError.report(file: path, reason: "\(error)")
        }
        guard let (name, c) = report.cascade.map({ ("cascade", $0) }) ?? report.cascadeBest.map({ ("cascade_best", $0) }) else {
            throw CascadeStagesError.report(file: path, reason: "neither cascade nor cascade_best is set (no pair of cutoffs met the target)")
        }
        let s = report.sentryAlone
        let point = OperatingPoint(report: path, point: name, negativeHours: report.negativeHours, targetFalseAcceptsPerHour: report.targetFalseAcceptsPerHour,
                                   sentryCutoff: c.sentryCutoff, judgeCutoff: c.judgeCutoff, judgeWakeupsPerHour: c.judgeWakeupsPerHour,
                                   falseAcceptsPerHour: c.falseAcceptsPerHour.value, falseRejectRate: c.falseRejectRate.value,
                                   sentryAloneCutoff: s?.sentryCutoff, sentryAloneFalseAcceptsPerHour: s?.falseAcceptsPerHour.value,
                                   sentryAloneFalseRejectRate: s?.falseRejectRate.value)
        return (report, point, s)
    }

    /// The report's curves as wake-ups against system false accepts (duplicates dropped).
    static func wakeupCurve(_ r: CascadeReport) -> [WakeupPoint] {
        var out: [WakeupPoint] = []
        for (name, list) in [("sentry", r.sentryCurve), ("cascade", r.cascadeCurve)] {
            for c in list {
                let w = WakeupPoint(curve: name, sentryCutoff: c.sentryCutoff, judgeCutoff: c.judgeCutoff, judgeWakeupsPerHour: c.judgeWakeupsPerHour,
                                    falseAcceptsPerHour: c.falseAcceptsPerHour.value, falseRejectRate: c.falseRejectRate.value)
                if !out.contains(w) { out.append(w) }
            }
        }
        return out
    }
}
