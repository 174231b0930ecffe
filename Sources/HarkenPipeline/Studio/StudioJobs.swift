// StudioJobs.swift: Studio's long work (synthesis, training, evaluation, benchmarks) runs as the
// same `harken` commands a terminal would run, one at a time, each recorded in jobs/ID.json with
// its log in jobs/ID.log. The files are the truth: a restarted server reads them back, a job whose
// process died becomes `interrupted`, and a training job resumes from its last finished epoch.

import Foundation
import HarkenSupport
import HarkenTrain

/// A JSON scalar of a job's options.
public enum StudioValue: Codable, Sendable, Equatable, CustomStringConvertible {
    case int(Int), number(Double), bool(Bool), string(String)

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected a number, a string or a boolean") }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .int(let i): try c.encode(i)
        case .number(let d): try c.encode(d)
        case .bool(let b): try c.encode(b)
        case .string(let s): try c.encode(s)
        }
    }

    public var description: String {
        switch self {
        case .int(let i): return "\(i)"
        case .number(let d): return "\(d)"
        case .bool(let b): return "\(b)"
        case .string(let s): return s
        }
    }
}

public struct StudioJob: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable { case queued, running, done, failed, cancelled, interrupted }
    public var schemaVersion = 1
    public var id: String
    public var kind: String
    public var state: State
    public var options: [String: StudioValue]
    public var created: Date
    public var started: Date?
    public var finished: Date?
    public var progress: Double
    public var message: String
    /// What the job writes, relative to the project (corpus, runs/NAME, evaluations/ID).
    public var output: String
    public var resumable: Bool
    /// The `harken` arguments it runs.
    public var arguments: [String]
    public var pid: Int32?
    /// The job this one continues.
    public var resumes: String?
}

public struct StudioJobRequest: Codable, Sendable {
    public var kind: String
    public var options: [String: StudioValue]?
}

public struct StudioJobList: Codable, Sendable {
    public var schemaVersion = 1
    public var jobs: [StudioJob]

    public init(jobs: [StudioJob]) { self.jobs = jobs }
}

public struct StudioTelemetry: Codable, Sendable {
    public var cpuPercent: Double
    public var rssBytes: Int
    public var samplesPerSecond: Double
    public var etaS: Double?
    public var progress: Double
}

public final class StudioJobs: @unchecked Sendable {
    public let project: StudioProject
    /// The `harken` binary jobs run (this process's own).
    let executable: String
    private var jobs: [String: StudioJob] = [:]
    private var processes: [String: Process] = [:]
    private var cancelled: Set<String> = []
    private var cpuSamples: [String: (time: Date, ticks: Double)] = [:]
    private let lock = NSLock()
    private var timer: DispatchSourceTimer?

    public static let kinds = ["synth", "train", "evaluate", "retrain", "bench"]

    public init(project: StudioProject, executable: String = StudioJobs.ownExecutable()) throws {
        self.project = project
        self.executable = executable
        try FileManager.default.createDirectory(atPath: project.jobsDir, withIntermediateDirectories: true)
        for name in (try FileManager.default.contentsOfDirectory(atPath: project.jobsDir)) where name.hasSuffix(".json") {
            guard let data = FileManager.default.contents(atPath: (project.jobsDir as NSString).appendingPathComponent(name)),
                  var job = try? HarkenJSON.decoder().decode(StudioJob.self, from: data) else { continue }
            if job.state == .running || job.state == .queued {
                // Whoever ran it is gone with the last server: a process it left behind has no one
                // to follow it and would race a resume, so it stops; its output on disk is what is left.
                if let pid = job.pid, let cmd = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8),
                   cmd.contains(job.arguments.first ?? "\0"), cmd.contains(job.output) {
                    kill(pid, SIGKILL)
                }
                job.state = .interrupted
                job.message = "the server stopped while it ran; resume continues from what it saved"
                job.finished = Date()
                job.pid = nil
                job.resumable = Self.isTraining(job.kind)
                try? save(job)
            }
            jobs[job.id] = job
        }
        let t = DispatchSource.makeTimerSource(queue: .global())
        t.schedule(deadline: .now() + 0.5, repeating: 0.5)
        t.setEventHandler { [weak self] in self?.tick() }
        t.resume()
        timer = t
    }

    deinit { timer?.cancel() }

    public static func ownExecutable() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    public func list() -> [StudioJob] { lock.withLock { jobs.values.sorted { $0.created > $1.created } } }

    public func job(_ id: String) throws -> StudioJob {
        guard let j = lock.withLock({ jobs[id] }) else { throw StudioError.notFound("job '\(id)': no such job") }
        return j
    }

    func save(_ job: StudioJob) throws {
        try Pipeline.writeJSON(job, to: (project.jobsDir as NSString).appendingPathComponent("\(job.id).json"))
    }

    public func logPath(_ id: String) -> String { (project.jobsDir as NSString).appendingPathComponent("\(id).log") }

    // MARK: submitting

    /// Queues a job; the same job (kind and output) already queued or running is returned instead,
    /// with `existing` true, so a second browser tab never starts another.
    public func submit(_ request: StudioJobRequest) throws -> (job: StudioJob, existing: Bool) {
        guard Self.kinds.contains(request.kind) else {
            throw StudioError.unprocessable("kind '\(request.kind)': expected one of \(Self.kinds.joined(separator: ", "))")
        }
        let id = Self.newID()
        let (arguments, output) = try plan(request.kind, options: request.options ?? [:], id: id)
        return try lock.withLock {
            if let same = jobs.values.first(where: { ($0.state == .running || $0.state == .queued) && $0.kind == request.kind && $0.output == output }) {
                return (same, true)
            }
            if output.hasPrefix("runs/") && FileManager.default.fileExists(atPath: project.path(output)) {
                throw StudioError.conflict("options.name: run '\(output.dropFirst(5))' exists; choose another name or resume its job")
            }
            var job = StudioJob(id: id, kind: request.kind, state: .queued, options: request.options ?? [:], created: Date(), progress: 0,
                                message: "queued", output: output, resumable: false, arguments: arguments)
            if request.kind == "evaluate" {
                let dir = project.path(output)
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                try Pipeline.writeJSON(StudioEvaluationMeta(model: request.options?["model"]?.description ?? "", split: request.options?["split"]?.description ?? "validation"),
                                       to: (dir as NSString).appendingPathComponent("evaluation.json"))
            }
            try save(job)
            jobs[id] = job
            job = try startNextLocked() ?? job
            return (jobs[id] ?? job, false)
        }
    }

    static func newID() -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date()) + "-" + String(UUID().uuidString.prefix(6)).lowercased()
    }

    /// The command line of a job and the folder it writes, from its options (each checked).
    func plan(_ kind: String, options: [String: StudioValue], id: String) throws -> ([String], String) {
        let settings = project.settings()
        func int(_ key: String, _ range: ClosedRange<Int>) throws -> Int? {
            guard let v = options[key] else { return nil }
            guard case .int(let i) = v else { throw StudioError.badRequest("options.\(key): expected an integer, got \(v)") }
            guard range.contains(i) else { throw StudioError.unprocessable("options.\(key): \(i) is outside \(range.lowerBound)...\(range.upperBound)") }
            return i
        }
        func string(_ key: String) throws -> String? {
            guard let v = options[key] else { return nil }
            guard case .string(let s) = v else { throw StudioError.badRequest("options.\(key): expected a string, got \(v)") }
            return s
        }
        func only(_ keys: Set<String>) throws {
            if let extra = options.keys.sorted().first(where: { !keys.contains($0) }) {
                throw StudioError.badRequest("options.\(extra): unknown for a \(kind) job; expected \(keys.sorted().joined(separator: ", "))")
            }
        }
        func modelPath() throws -> String {
            guard let name = try string("model") else { throw StudioError.unprocessable("options.model: required (a run or models/*.tflite name)") }
            return try project.model(named: name).path
        }
        var args: [String]
        let output: String
        switch kind {
        case "synth":
            let numeric: [(String, String, ClosedRange<Int>)] = [("speakers", "--speakers", 1...2000), ("variations", "--variations", 1...200),
                                                                  ("near_misses", "--near-misses", 0...200), ("negatives", "--negatives", 0...200),
                                                                  ("test_minutes", "--test-minutes", 0...600), ("validation_minutes", "--validation-minutes", 0...600),
                                                                  ("train_minutes", "--train-minutes", 0...6000), ("seed", "--seed", 0...Int(Int32.max))]
            try only(Set(numeric.map(\.0)))
            args = ["synth", "--phrase", settings.phrase, "--out", "corpus"]
            for (key, flag, range) in numeric { if let v = try int(key, range) { args += [flag, "\(v)"] } }
            output = "corpus"
        case "train", "retrain":
            try only(kind == "train" ? ["name", "preset", "epochs"] : ["name", "model", "epochs"])
            guard FileManager.default.fileExists(atPath: (project.corpusDir as NSString).appendingPathComponent("manifest.jsonl")) else {
                throw StudioError.conflict("no corpus yet: synthesize one on the Data screen first")
            }
            let base = try kind == "retrain" ? (try string("model")).map { "\($0)-retrained" } : nil
            let name = try string("name") ?? base ?? "run-\(id)"
            try StudioProject.checkName(name, field: "options.name")
            let preset = try string("preset") ?? settings.preset
            if kind == "retrain" {
                let source = try project.model(named: try string("model") ?? "")
                guard source.kind == "run" else { throw StudioError.unprocessable("options.model: retrain takes a run, not an imported .tflite") }
            }
            guard TrainConfig.presets.contains(preset) else { throw StudioError.unprocessable("options.preset '\(preset)': expected one of \(TrainConfig.presets.joined(separator: ", "))") }
            output = "runs/" + name
            // The epochs always on the command line: the job's progress reads them, and a resume keeps them.
            let yaml = FileManager.default.fileExists(atPath: project.configFile) ? project.configFile : nil
            let epochs: Int
            do { epochs = try int("epochs", 1...1000) ?? Pipeline.trainConfig(preset: preset, yaml: yaml, epochs: nil).epochs } catch let e as TrainError {
                throw StudioError.unprocessable("\(e)")
            }
            args = ["train", "--phrase", settings.phrase, "--preset", preset, "--data", "corpus", "--out", output, "--epochs", "\(epochs)"]
            for (folder, flag) in [("recordings", "--positives"), ("noise", "--noise"), ("rirs", "--rir")] where project.uploadCount(folder) > 0 {
                args += [flag, folder]
            }
        case "evaluate":
            try only(["model", "split", "window", "refractory_ms"])
            let split = try string("split") ?? "validation"
            guard ["train", "validation", "test"].contains(split) else { throw StudioError.unprocessable("options.split '\(split)': expected train, validation or test") }
            output = "evaluations/" + id
            args = ["eval", "--model", try modelPath(), "--data", "corpus", "--split", split, "--out", output]
            if let w = try int("window", 1...100) { args += ["--window", "\(w)"] }
            if let r = try int("refractory_ms", 0...60_000) { args += ["--refractory-ms", "\(r)"] }
        case "bench":
            try only(["model", "port", "board"])
            guard let port = try string("port"), port.hasPrefix("/dev/") else { throw StudioError.unprocessable("options.port: expected a serial device such as /dev/ttyACM0") }
            guard let board = try string("board") else { throw StudioError.unprocessable("options.board: required") }
            output = "exports/bench-" + id
            args = ["bench", "--model", try modelPath(), "--board", board, "--port", port, "--json"]
        default:
            throw StudioError.unprocessable("kind '\(kind)'")
        }
        return (args, output)
    }

    // MARK: running

    /// Starts the oldest queued job when none runs. Called with the lock held.
    private func startNextLocked() throws -> StudioJob? {
        guard !jobs.values.contains(where: { $0.state == .running }),
              var job = jobs.values.filter({ $0.state == .queued }).min(by: { $0.created < $1.created }) else { return nil }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = job.arguments
        p.currentDirectoryURL = URL(fileURLWithPath: project.root)
        var env = ProcessInfo.processInfo.environment
        env["HARKEN_PROGRESS_LINES"] = "1"
        p.environment = env
        FileManager.default.createFile(atPath: logPath(job.id), contents: Data("$ harken \(job.arguments.joined(separator: " "))\n".utf8))
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath(job.id)))
        log.seekToEndOfFile()
        p.standardOutput = log
        p.standardError = log
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch {
            job.state = .failed; job.message = "cannot start \(executable): \(error)"; job.finished = Date()
            jobs[job.id] = job; try? save(job)
            return job
        }
        try? log.close()
        job.state = .running; job.started = Date(); job.pid = p.processIdentifier; job.message = "running"
        processes[job.id] = p
        jobs[job.id] = job
        try save(job)
        return job
    }

    /// Follows running jobs: progress from their files, their end from their process.
    private func tick() {
        lock.withLock {
            for (id, p) in processes {
                guard var job = jobs[id] else { continue }
                let progress = progressOf(job)
                if p.isRunning {
                    if abs(progress - job.progress) >= 0.001 { job.progress = progress; jobs[id] = job; try? save(job) }
                    continue
                }
                processes[id] = nil
                finish(job, process: p, interrupted: false)
            }
            _ = try? startNextLocked()
        }
    }

    /// Records how a job's process ended. Called with the lock held.
    private func finish(_ job: StudioJob, process p: Process, interrupted: Bool) {
        var job = job
        job.finished = Date(); job.pid = nil
        if interrupted {
            job.state = .interrupted; job.message = "the server stopped while it ran; resume continues from what it saved"
        } else if cancelled.remove(job.id) != nil {
            job.state = .cancelled; job.message = "cancelled"
        } else if p.terminationStatus == 0 {
            job.state = .done; job.progress = 1; job.message = "done"
        } else {
            job.state = .failed
            job.message = lastErrorLine(job.id) ?? "exited with status \(p.terminationStatus)"
        }
        job.resumable = Self.isTraining(job.kind) && job.state != .done
        jobs[job.id] = job
        try? save(job)
    }

    public static func isTraining(_ kind: String) -> Bool { kind == "train" || kind == "retrain" }

    func lastErrorLine(_ id: String) -> String? {
        let text = (try? String(contentsOfFile: logPath(id), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").last { $0.hasPrefix("error:") }.map { String($0.dropFirst(6)).trimmingCharacters(in: .whitespaces) }
    }

    /// Training: finished epochs of the total; anything else: its last progress line.
    func progressOf(_ job: StudioJob) -> Double {
        if Self.isTraining(job.kind) {
            let total = job.arguments.firstIndex(of: "--epochs").flatMap { Int(job.arguments[$0 + 1]) } ?? 1
            return min(1, Double(epochs(job.output).count) / Double(max(total, 1)))
        }
        // The last progress line is near the end: only the log's tail is read, twice a second.
        guard let h = FileHandle(forReadingAtPath: logPath(job.id)) else { return job.progress }
        defer { try? h.close() }
        let size = (try? h.seekToEnd()) ?? 0
        try? h.seek(toOffset: size > 4096 ? size - 4096 : 0)
        let text = String(decoding: h.readDataToEndOfFile(), as: UTF8.self)
        guard let line = text.split(separator: "\n").last(where: { $0.hasPrefix("progress ") }) else { return job.progress }
        let fields = line.split(separator: " ")
        return fields.count >= 3 ? Double(fields[2]) ?? job.progress : job.progress
    }

    /// The epochs a run folder has finished (metrics.jsonl).
    public func epochs(_ output: String) -> [EpochMetrics] {
        let text = (try? String(contentsOfFile: project.path(output + "/metrics.jsonl"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? HarkenJSON.decoder().decode(EpochMetrics.self, from: Data($0.utf8)) }
    }

    public func cancel(_ id: String) throws -> StudioJob {
        try lock.withLock {
            guard var job = jobs[id] else { throw StudioError.notFound("job '\(id)': no such job") }
            switch job.state {
            case .queued:
                job.state = .cancelled; job.finished = Date(); job.message = "cancelled before it started"; job.resumable = false
                jobs[id] = job; try save(job)
            case .running:
                cancelled.insert(id)
                processes[id]?.interrupt()
                if let p = processes[id] {
                    // Ctrl-C lets a job stop between steps; one that does not within 5 s is stopped hard.
                    DispatchQueue.global().asyncAfter(deadline: .now() + 5) { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
                }
                job.message = "cancelling"
                jobs[id] = job
            default:
                throw StudioError.conflict("job '\(id)' is \(job.state.rawValue); only a queued or running job can be cancelled")
            }
            return job
        }
    }

    /// A new job continuing a stopped training job from its last finished epoch.
    public func resume(_ id: String) throws -> (job: StudioJob, existing: Bool) {
        let old = try job(id)
        if let running = list().first(where: { ($0.state == .running || $0.state == .queued) && $0.output == old.output && $0.kind == old.kind && $0.id != id }),
           Self.isTraining(old.kind) {
            return (running, true)
        }
        guard Self.isTraining(old.kind), [.interrupted, .cancelled, .failed].contains(old.state) else {
            throw StudioError.conflict("job '\(id)' is a \(old.kind) job that is \(old.state.rawValue); only a stopped training job resumes")
        }
        var args = old.arguments
        if !args.contains("--resume") { args.append("--resume") }
        let newID = Self.newID()
        var job = old
        job.id = newID; job.state = .queued; job.created = Date(); job.started = nil; job.finished = nil; job.pid = nil
        job.arguments = args; job.message = "queued (resuming \(id))"; job.resumes = id; job.resumable = false
        job.progress = progressOf(old)
        return try lock.withLock {
            if let same = jobs.values.first(where: { ($0.state == .running || $0.state == .queued) && $0.output == job.output }) { return (same, true) }
            var o = old
            o.resumable = false
            jobs[id] = o; try save(o)
            jobs[newID] = job
            try save(job)
            return (try startNextLocked().flatMap { $0.id == newID ? $0 : nil } ?? job, false)
        }
    }

    /// Stops every running job (the server is shutting down): Ctrl-C, and 5 s later a kill for one
    /// still running, so that none outlives the server to race a resume. They become interrupted.
    public func stopAll() {
        lock.withLock {
            let running = processes.values.filter(\.isRunning)
            running.forEach { $0.interrupt() }
            let deadline = Date().addingTimeInterval(5)
            while running.contains(where: \.isRunning), Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            for p in running where p.isRunning {
                kill(p.processIdentifier, SIGKILL)
                p.waitUntilExit()
            }
            for (id, p) in processes {
                if let job = jobs[id] { finish(job, process: p, interrupted: running.contains { $0 === p }) }
            }
            processes.removeAll()
        }
    }

    // MARK: following a job

    /// CPU use since the last call, resident memory, training speed and time left.
    public func telemetry(_ id: String) throws -> StudioTelemetry {
        let job = try self.job(id)
        var cpu = 0.0, rss = 0
        if let pid = job.pid, job.state == .running {
            if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") {
                let fields = stat[stat.index(after: close)...].split(separator: " ")
                // utime and stime are fields 14 and 15 of the whole line: 12 and 13 after the name.
                if fields.count > 13, let u = Double(fields[11]), let s = Double(fields[12]) {
                    let ticks = u + s, now = Date()
                    lock.withLock {
                        if let last = cpuSamples[id], now.timeIntervalSince(last.time) > 0.05 {
                            cpu = (ticks - last.ticks) / Double(sysconf(Int32(_SC_CLK_TCK))) / now.timeIntervalSince(last.time) * 100
                        }
                        cpuSamples[id] = (now, ticks)
                    }
                }
            }
            if let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
               let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
               let kb = Int(line.split(separator: " ").dropFirst().first ?? "") { rss = kb * 1024 }
        }
        let epochs = Self.isTraining(job.kind) ? self.epochs(job.output) : []
        let progress = job.state == .running ? progressOf(job) : job.progress
        var eta: Double?
        if job.state == .running, let started = job.started, progress > 0.001 {
            let elapsed = Date().timeIntervalSince(started)
            eta = elapsed / progress * (1 - progress)
        }
        return StudioTelemetry(cpuPercent: cpu, rssBytes: rss, samplesPerSecond: epochs.last?.samplesPerSecond ?? 0, etaS: eta, progress: progress)
    }

    /// The job's log from byte `offset`, and the offset after it.
    public func log(_ id: String, from offset: Int) throws -> (text: String, next: Int) {
        _ = try job(id)
        guard let h = FileHandle(forReadingAtPath: logPath(id)) else { return ("", offset) }
        defer { try? h.close() }
        try h.seek(toOffset: UInt64(max(0, offset)))
        let data = h.readDataToEndOfFile()
        // Only whole lines: a half-written line waits for the next read.
        guard let lastNewline = data.lastIndex(of: 10) else { return ("", offset) }
        let whole = data[data.startIndex...lastNewline]
        return (String(decoding: whole, as: UTF8.self), offset + whole.count)
    }
}
