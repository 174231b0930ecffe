import ArgumentParser
import Dispatch
import Foundation
import HarkenPipeline
import HarkenServer
import HarkenTargets

/// `harken bench --cascade --sentry S --judge J`: every stage of the cascade (the Sentry alone; with
/// a device Judge; with a server Judge) from the models instead of a board. The options, the Judge
/// server started in process, and the tables.
struct CascadeStagesOptionGroup: ParsableArguments {
    @Option(help: "With --cascade, benchmark every stage from this Sentry (an int8 .tflite or a trained model folder) and --judge instead of a board.")
    var sentry: String?
    @Option(help: "The Judge the server serves (an int8 .tflite or a float checkpoint; default --judge).") var serverJudge: String?
    @Option(help: "The Sentry's MCU (Targets/).") var sentryTarget = "stm32f4"
    @Option(help: "The bigger core that runs the device Judge beside it.") var judgeTarget = "stm32h7"
    @Option(help: "One chip running both stages ('none' leaves it out).") var singleChipTarget = "esp32s3-devkitc"
    @Option(help: "harken eval --cascade's cascade.json: Judge wake-ups per hour at its chosen point, and the curve.") var cascadeReport: String?
    @Option(help: "Write Judge wake-ups against system false accepts per hour here as an SVG (needs --cascade-report).") var plot: String?
    @Option(help: "Time a running `harken judge serve` at this address instead of one started here.") var judgeUrl: String?
    @Option(help: "Windows timed per server measurement.") var windows = 200
    @Option(help: "Inference steps of the Sentry in the instruction-set simulator.") var sentrySteps = 20
    @Option(help: "Judge windows in the instruction-set simulator.") var judgeSteps = 2
    @Option(help: "Build each deployment's firmware in this folder (on the emulated board with the target's core) and read its ELF sizes.")
    var buildFirmware: String?
    @Option(help: "Also write the report as JSON here.") var out: String?

    func validate(port: String?, emulate: String?, model: String?, judge: String?) throws {
        if port != nil || emulate != nil || model != nil {
            throw ValidationError("--cascade --sentry benchmarks the models' stages, not a board: leave out --port, --emulate and --model")
        }
        guard judge != nil else { throw ValidationError("--cascade --sentry needs --judge (the int8 Judge .tflite)") }
        if plot != nil && cascadeReport == nil { throw ValidationError("--plot draws the curve of --cascade-report: give one") }
        if windows < 1 { throw ValidationError("--windows must be at least 1, got \(windows)") }
        if sentrySteps < 1 || judgeSteps < 1 { throw ValidationError("--sentry-steps and --judge-steps must be at least 1") }
    }

    func options(judge: String) -> CascadeStagesOptions {
        CascadeStagesOptions(sentry: sentry!, judge: judge, serverJudge: serverJudge, sentryTarget: sentryTarget, judgeTarget: judgeTarget,
                             singleChipTarget: singleChipTarget == "none" ? nil : singleChipTarget, cascadeReport: cascadeReport, plot: plot,
                             judgeURL: judgeUrl, windows: windows, sentrySteps: sentrySteps, judgeSteps: judgeSteps, buildDir: buildFirmware)
    }
}

extension Bench {
    func runStages() throws {
        let report = try guarded { () throws -> CascadeStagesReport in
            let r = try Pipeline.cascadeStages(stages.options(judge: judge!), home: try HarkenHome.locate(), launch: InProcessJudgeServer.start,
                                               job: terminalJob(quiet: json))
            if let out = stages.out { try Pipeline.writeJSON(r, to: out) }
            return r
        }
        if json { return try printJSON(report) }
        print(CascadeStagesTable.text(report))
    }
}

/// HarkenServer's Judge server on a free loopback port in this process, with `harken judge serve`'s defaults.
enum InProcessJudgeServer {
    private final class Started: @unchecked Sendable {
        var port: Int?
        var error: (any Error)?
        let lock = NSLock()
    }

    static func start(_ service: JudgeService) throws -> JudgeEndpoint {
        let config = JudgeServerConfig(host: "127.0.0.1", port: 0)
        let server = try JudgeServer(service: service, config: config)
        let state = Started()
        let started = DispatchSemaphore(value: 0), finished = DispatchSemaphore(value: 0)
        Task {
            do {
                try await server.run { _, port in
                    state.lock.withLock { state.port = port }
                    started.signal()
                }
            } catch {
                state.lock.withLock { state.error = error }
                started.signal()
            }
            finished.signal()
        }
        _ = started.wait(timeout: .now() + 60)
        let (port, error) = state.lock.withLock { (state.port, state.error) }
        guard let port else {
            throw CascadeStagesError.server(reason: error.map { "cannot start on 127.0.0.1: \($0)" } ?? "did not start within 60 s")
        }
        return JudgeEndpoint(url: "http://127.0.0.1:\(port)", kind: "in process (HarkenServer, harken judge serve's defaults)",
                             maxBatch: config.maxBatch, maxWaitMs: config.maxWaitMs, stop: {
            let stopped = DispatchSemaphore(value: 0)
            Task {
                await server.shutdown()
                stopped.signal()
            }
            stopped.wait()
            _ = finished.wait(timeout: .now() + 10)
        })
    }
}

/// The report as Markdown tables (the terminal's and Benchmarks/README.md's).
enum CascadeStagesTable {
    static func n(_ v: Int) -> String {
        let s = String(abs(v))
        var out = ""
        for (i, c) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out += "," }
            out.append(c)
        }
        return (v < 0 ? "-" : "") + out
    }

    static func ms(_ v: Double) -> String { v >= 100 ? String(format: "%.0f ms", v) : v >= 10 ? String(format: "%.1f ms", v) : String(format: "%.2f ms", v) }

    static func perHour(_ v: Double?) -> String {
        guard let v else { return "—" }
        return v >= 100 ? n(Int(v.rounded())) : String(format: "%.2f", v)
    }

    static func row(_ s: StageResult, model: StageModel) -> String {
        let per = s.per == "step" ? "\(model.callMs) ms step" : "\(model.callMs) ms window"
        if let l = s.server {
            return "| \(s.stage == "sentry" ? "Sentry" : "Judge") | server (this machine) | \(per) | — | — | HTTP p50 \(ms(l.http.p50Ms)), p99 \(ms(l.http.p99Ms)) | — | — | \(perHour(s.callsPerHour)) |"
        }
        let l = s.device!
        let clock = s.clockHz.map { "\($0 / 1_000_000) MHz" } ?? ""
        let model_ = l.costModelCycles.map { "\(n(Int($0.rounded()))) cycles" } ?? "uncalibrated"
        var sim = l.simulatorCycles.map { "\(n(Int($0.rounded()))) cycles" } ?? "—"
        if l.proxy != nil { sim += " (proxy)" }
        var time = "—"
        if let t = l.simulatorMs ?? l.costModelMs {
            time = (l.proxy != nil ? "≈ " : "") + ms(t)
            if let budget = l.budgetMs { time += String(format: " (%.1f %% of the step)", t / budget * 100) }
        }
        let ram = s.ram.map { "\(n($0.arenaBytes)) + \(n($0.stateBytes)) + \(n($0.ringBytes)) = \(n($0.totalBytes)) B" } ?? "—"
        let flash = s.flash.map { f in f.codeBytes.map { "\(n(f.weightBytes)) + \(n($0)) = \(n(f.totalBytes!)) B" } ?? "\(n(f.weightBytes)) + ? B" } ?? "—"
        return "| \(s.stage == "sentry" ? "Sentry" : "Judge") | \(s.runsOn) (\(s.core), \(clock)) | \(per) | \(model_) | \(sim) | \(time) | \(ram) | \(flash) | \(perHour(s.callsPerHour)) |"
    }

    static func text(_ r: CascadeStagesReport) -> String {
        var lines: [String] = []
        lines.append("Sentry \(r.sentry.model): \(n(r.sentry.macs)) MACs a \(r.sentry.callMs) ms step; Judge \(r.judge.model): \(n(r.judge.macs)) MACs a \(r.judge.callMs) ms window.")
        if let p = r.operatingPoint {
            var line = String(format: "Operating point (%@, \"%@\", %.2f h of negative audio): Sentry cutoff %g, Judge cutoff %@: %.2f Judge wake-ups per hour, system %.2f FA/h, FRR %.1f %%",
                              p.report as NSString, p.point as NSString, p.negativeHours, p.sentryCutoff, (p.judgeCutoff.map { String(format: "%g", $0) } ?? "none") as NSString,
                              p.judgeWakeupsPerHour, p.falseAcceptsPerHour, p.falseRejectRate * 100)
            if let c = p.sentryAloneCutoff, let fa = p.sentryAloneFalseAcceptsPerHour, let frr = p.sentryAloneFalseRejectRate {
                line += String(format: "; the Sentry alone at %g FA/h or fewer: cutoff %g, %.2f FA/h, FRR %.1f %%", p.targetFalseAcceptsPerHour, c, fa, frr * 100)
            }
            lines.append(line + ".")
        }
        for d in r.deployments {
            lines.append("")
            lines.append("### \(d.title)")
            lines.append("")
            lines.append("| stage | runs on | per call | cost model | simulator | time per call | RAM: arena + state + ring | flash: weights + code | calls per hour |")
            lines.append("|---|---|---|---|---|---|---|---|---|")
            for s in d.stages { lines.append(row(s, model: s.stage == "sentry" ? r.sentry : r.judge)) }
            if let fa = d.falseAcceptsPerHour, let frr = d.falseRejectRate {
                let wake = d.judgeWakeupsPerHour.map { String(format: "; the Judge wakes %.2f times per hour", $0) } ?? ""
                lines.append("")
                lines.append(String(format: "System: %.2f FA/h, FRR %.1f %%%@.", fa, frr * 100, wake as NSString))
            }
            for s in d.stages {
                if let l = s.device, let proxy = l.proxy { lines.append(""); lines.append("\(s.stage == "sentry" ? "Sentry" : "Judge") on \(s.runsOn): \(proxy); cost model: \(l.costModelNote ?? "-").") }
                if let l = s.server {
                    lines.append("")
                    lines.append("| server Judge, one client, \(l.http.count) windows | p50 | p99 | mean | max |")
                    lines.append("|---|---|---|---|---|")
                    for (what, st) in [("the Judge in process (one window a call)", l.judgeInProcess),
                                       ("HTTP round trip on loopback (\(l.serverKind)\(l.maxBatch.map { ", max batch \($0)" } ?? "")\(l.maxWaitMs.map { String(format: ", max wait %g ms", $0) } ?? ""))", l.http),
                                       ("serial hand-off, relay answering at once (pty pair)", l.serialRelay),
                                       ("serial hand-off through the server (window out, answer back)", l.serialEndToEnd)] {
                        lines.append("| \(what) | \(ms(st.p50Ms)) | \(ms(st.p99Ms)) | \(ms(st.meanMs)) | \(ms(st.maxMs)) |")
                    }
                    lines.append(String(format: "| the same bytes on a %d-baud UART (computed: %@ bytes) | %@ | | | |", l.uartBaud, n(l.wireBytes) as NSString, ms(l.uartMs) as NSString))
                }
            }
        }
        if let images = r.firmwareImages, !images.isEmpty {
            lines.append("")
            lines.append("### Firmware images built here")
            lines.append("")
            lines.append("| image | built for (stands in for) | flash | static RAM | flash: weights | kernels | model | runtime | application |")
            lines.append("|---|---|---|---|---|---|---|---|---|")
            for i in images {
                let p = { (k: String) in n(i.flashPartBytes[k] ?? 0) }
                lines.append("| \(i.what) | \(i.board) (\(i.standsInFor), \(i.core)) | \(n(i.flashBytes)) B | \(n(i.ramBytes)) B | \(p("weights")) | \(p("kernels")) | \(p("model")) | \(p("runtime")) | \(p("application")) |")
            }
        }
        lines.append("")
        lines.append("Goals:")
        for g in r.goals {
            lines.append("- \(g.goal): \(ms(g.measuredMs)) (\(g.measure)): \(g.met ? "met" : "NOT met")")
        }
        if let plot = r.plot { lines.append(""); lines.append("Wake-ups against system false accepts: \(plot)") }
        if !r.notes.isEmpty {
            lines.append("")
            for note in r.notes { lines.append("Note: \(note)") }
        }
        return lines.joined(separator: "\n")
    }
}
