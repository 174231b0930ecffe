import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import XCTest
import HarkenTestSupport

/// Harken Studio in a real browser (headless Chromium through Tests/Oracles/studio_browser.py)
/// against `harken serve`, every figure the page shows held against the command line; and a
/// server killed mid-training whose job resumes after a restart.
final class StudioBrowserTests: XCTestCase {
    /// A Studio project folder: the corpus, studio.json, and microWakeWord's published hey_jarvis
    /// (int8 .tflite + manifest) as the imported model Evaluate, Deploy and Listen use.
    static func project(_ name: String) throws -> URL {
        let root = try Support.tempDir(name)
        let dir = root.appendingPathComponent("project")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("models"), withIntermediateDirectories: true)
        try Support.run("/bin/cp", ["-a", try Support.smallCorpus.get(), dir.appendingPathComponent("corpus").path])
        try Data(#"{"schema_version":1,"phrase":"hey jarvis","preset":"tiny"}"#.utf8).write(to: dir.appendingPathComponent("studio.json"))
        let tflite = try Support.modelPath("hey_jarvis")
        for ext in ["tflite", "json"] {
            try FileManager.default.copyItem(atPath: (tflite as NSString).deletingPathExtension + "." + ext,
                                             toPath: dir.appendingPathComponent("models/hey_jarvis.\(ext)").path)
        }
        return dir
    }

    func testEveryScreenInChromiumAgreesWithTheCommandLine() throws {
        let project = try Self.project("studio-browser")
        let root = project.deletingLastPathComponent()
        let manifestLines = try lines(project.appendingPathComponent("corpus/manifest.jsonl"))
        let modelTflite = project.appendingPathComponent("models/hey_jarvis.tflite").path

        // Listen's audio: the test split's positive hey_jarvis hears best, with 1 s of silence before
        // and 2 s after, so the looping fake microphone has a gap between phrases.
        let (wav, simulated, wavSeconds) = try listenAudio(project: project, model: modelTflite, in: root)
        print("studio: Listen plays \(wav) (\(wavSeconds) s); harken simulate detects at \(simulated) s")

        let server = try StudioServerProcess(project: project)
        defer { server.stop() }
        let artifacts = try Support.tempDir("studio-screens")
        print("studio: screenshots in \(artifacts.path)")
        let browser = try Support.run(Support.python, [Support.oracle("studio_browser.py"), server.url, "all",
                                                       "--artifacts", artifacts.path, "--listen-wav", wav, "--fake-audio", wav,
                                                       "--run-name", "browser-run", "--epochs", "2", "--preset", "tiny",
                                                       "--eval-model", "hey_jarvis", "--eval-split", "train", "--cutoffs", "0.05,0.3,0.5,0.97",
                                                       "--deploy-model", "browser-run", "--listen-model", "hey_jarvis",
                                                       // Deploy opens on the first board, which has no cost calibration for
                                                       // microWakeWord's operators; the page says so in its banner, by design.
                                                       "--allow-banner", "cost.uncalibrated"], check: false)
        copyScreens(artifacts)
        XCTAssertEqual(browser.status, 0, "studio_browser.py: \(browser.stderr)")
        let page = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(browser.stdout.utf8)) as? [String: Any], browser.stdout)
        print("studio: the browser saw \(browser.stdout)")

        // Every screen opened and was drawn.
        let shots = try XCTUnwrap(page["screenshots"] as? [String: String])
        for screen in ["data", "train", "evaluate", "mine", "search", "deploy", "listen"] {
            let png = try XCTUnwrap(shots[screen], "no screenshot of \(screen)")
            let bytes = try Data(contentsOf: URL(fileURLWithPath: png))
            XCTAssertEqual(Array(bytes.prefix(4)), [0x89, 0x50, 0x4E, 0x47], png)
            XCTAssertGreaterThan(bytes.count, 10_000, "\(png) looks blank")
        }

        // Data: the count is the manifest's.
        let data = try XCTUnwrap(page["data"] as? [String: Any])
        XCTAssertEqual(data["corpus_total"] as? Int, manifestLines.count)

        // Train: one job, followed by both tabs, with a point per epoch.
        let train = try XCTUnwrap(page["train"] as? [String: Any])
        let second = try XCTUnwrap(train["second_tab"] as? [String: Any])
        let jobID = try XCTUnwrap(train["job_id"] as? String)
        XCTAssertEqual(second["job_id"] as? String, jobID)
        XCTAssertTrue([train["state_while_open"] as? String, train["state_after_second_tab"] as? String].contains(second["state"] as? String),
                      "second tab: \(second), first: \(train)")
        XCTAssertGreaterThanOrEqual(train["curve_points"] as? Int ?? 0, 2)
        XCTAssertEqual(train["final_state"] as? String, "done")
        let jobs = try XCTUnwrap(try server.get("/api/v1/jobs")["jobs"] as? [[String: Any]])
        let trains = jobs.filter { $0["kind"] as? String == "train" }
        XCTAssertEqual(trains.map { $0["id"] as? String }, [jobID], "one train job, started from the page")
        XCTAssertEqual(try lines(project.appendingPathComponent("runs/browser-run/metrics.jsonl")).count, 2)

        // Evaluate: each cutoff's figures are harken eval's at that cutoff on the same split.
        let evaluate = try XCTUnwrap(page["evaluate"] as? [String: Any])
        let split = try XCTUnwrap(evaluate["split"] as? String)
        if split != "train" { print("studio: the page offers no train split for an evaluation (\(evaluate["split_options"] ?? "")); it used \(split)") }
        let points = try XCTUnwrap(evaluate["points"] as? [[String: Any]])
        XCTAssertEqual(points.count, 4)
        for p in points {
            let cutoff = try XCTUnwrap(p["cutoff"] as? Double)
            // The shared corpus: mining has since added to this project's.
            let cli = try Support.run(Support.harkenBinary, ["eval", "--model", modelTflite, "--data", try Support.smallCorpus.get(), "--split", split,
                                                             "--cutoff", String(cutoff), "--json"])
            let r = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(cli.stdout.utf8)) as? [String: Any])
            let label = "cutoff \(cutoff): page \(p), CLI \(cli.stdout.prefix(400))"
            try assertShown(p["frr"], equals: 100 * (r["false_reject_rate"] as? Double ?? .nan), decimals: 1, label)
            try assertShown(p["fa_per_hour"], equals: r["false_accepts_per_hour"] as? Double ?? .nan, decimals: 2, label)
            try assertShown(p["near_miss"], equals: 100 * (r["near_miss_accept_rate"] as? Double ?? .nan), decimals: 1, label)
            XCTAssertTrue((p["frr_ci"] as? String ?? "").hasSuffix(" of \(r["positives"] as? Int ?? -1)"), label)
            XCTAssertTrue((p["near_miss_ci"] as? String ?? "").hasSuffix(" of \(r["near_misses"] as? Int ?? -1)"), label)
        }

        // Play: the false accept's ▶ loads a WAV slice the browser can play.
        let play = try XCTUnwrap(page["play"] as? [String: Any])
        let fetched = try XCTUnwrap(play["fetch"] as? [String: Any])
        XCTAssertEqual(fetched["status"] as? Int, 200)
        XCTAssertEqual(fetched["type"] as? String, "audio/wav")
        XCTAssertGreaterThan(play["duration_s"] as? Double ?? 0, 0)
        XCTAssertTrue((play["src"] as? String ?? "").contains("/api/v1/audio?"), "\(play)")

        // Mine: one more clip, a negative cut from where the model woke, with its provenance.
        let mine = try XCTUnwrap(page["mine"] as? [String: Any])
        let finding = try XCTUnwrap(mine["finding"] as? [String: Any])
        let corpus = try server.get("/api/v1/corpus")
        XCTAssertEqual(corpus["clips"] as? Int, manifestLines.count + 1)
        XCTAssertEqual(mine["corpus_total_after"] as? Int, manifestLines.count + 1)
        let after = try lines(project.appendingPathComponent("corpus/manifest.jsonl"))
        XCTAssertEqual(after.count, manifestLines.count + 1)
        XCTAssertEqual(Array(after.prefix(manifestLines.count)), manifestLines, "mining only appends")
        let added = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(after.last!.utf8)) as? [String: Any])
        XCTAssertEqual(added["engine"] as? String, "mined")
        XCTAssertEqual(added["kind"] as? String, "negative")
        let id = try XCTUnwrap(finding["id"] as? String) // kind:clip@time
        let source = id.split(separator: ":", maxSplits: 1).last.map { String($0.split(separator: "@").first ?? "") }
        XCTAssertEqual(added["mined_from"] as? String, source, "\(added)")
        if let op = mine["operating_point"] as? [String: Any] {
            // No false accept at the model's own cutoff: the page lowered it to mine, then put it back.
            print("studio: mined at a saved operating point of \(op["lowered_to"] ?? "")")
            let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: project.appendingPathComponent("models/hey_jarvis.json"))) as? [String: Any]
            XCTAssertEqual((manifest?["micro"] as? [String: Any])?["probability_cutoff"] as? Double, op["was"] as? Double)
        }

        // Deploy: the ESPHome zip holds exactly what harken export writes, byte for byte.
        let deploy = try XCTUnwrap(page["deploy"] as? [String: Any])
        let zipFile = try XCTUnwrap((deploy["files"] as? [String])?.first { $0.hasSuffix(".zip") }, "\(deploy)")
        let unzipped = root.appendingPathComponent("esphome-zip")
        try Support.run("/usr/bin/unzip", ["-q", zipFile, "-d", unzipped.path])
        let tops = try FileManager.default.contentsOfDirectory(atPath: unzipped.path)
        XCTAssertEqual(tops.count, 1, "one folder in the zip: \(tops)")
        let exported = root.appendingPathComponent("esphome-cli")
        try Support.run(Support.harkenBinary, ["export", "--model", project.appendingPathComponent("runs/browser-run").path,
                                               "--format", "esphome", "--out", exported.path])
        let fromZip = try files(under: unzipped.appendingPathComponent(tops.first ?? ""))
        let fromCLI = try files(under: exported)
        XCTAssertEqual(fromZip.keys.sorted(), fromCLI.keys.sorted())
        XCTAssertFalse(fromCLI.isEmpty)
        for (name, bytes) in fromCLI { XCTAssertEqual(fromZip[name], bytes, "\(name) differs between the zip and harken export") }

        // Listen: a file gives harken simulate's detections exactly; the microphone the same moment.
        let listen = try XCTUnwrap(page["listen"] as? [String: Any])
        let fileTimes = try XCTUnwrap(listen["file_detections"] as? [Double])
        XCTAssertEqual(fileTimes.count, simulated.count, "file: \(fileTimes), simulate: \(simulated)")
        for (a, b) in zip(fileTimes, simulated) { XCTAssertEqual(a, b, accuracy: 0.01, "file: \(fileTimes), simulate: \(simulated)") }
        let live = try XCTUnwrap((listen["live_detections"] as? [Double])?.first, "\(listen)")
        // The fake microphone loops the file: the n-th pass's detection is at n·length + t.
        let off = simulated.map { t in abs(live - t - (((live - t) / wavSeconds).rounded() * wavSeconds)) }.min() ?? .infinity
        XCTAssertLessThanOrEqual(off, 0.3, "live detection at \(live) s; simulate \(simulated) s in a \(wavSeconds) s loop")
        if let latency = listen["latency"] as? [String: Any] { print("studio: Listen round trip median \(latency["median_ms"] ?? "") ms over \(latency["count"] ?? "") chunks") }
    }

    /// A server killed hard mid-training: the job is interrupted and resumable, the finished
    /// epochs are kept, and resuming runs the rest once each.
    func testKilledServerResumesTraining() throws {
        let project = try Self.project("studio-kill")
        var server = try StudioServerProcess(project: project)
        defer { server.stop() }
        let job = try server.post("/api/v1/jobs", ["kind": "train", "options": ["name": "kill-run", "preset": "tiny", "epochs": 6]], status: 202)
        let id = try XCTUnwrap(job["id"] as? String)
        let metricsFile = project.appendingPathComponent("runs/kill-run/metrics.jsonl")
        try poll("an epoch of \(id) in the metrics", timeout: 300) {
            // 404 until the run folder exists.
            ((try? server.get("/api/v1/runs/kill-run/metrics"))?["epochs"] as? [Any])?.isEmpty == false
        }
        let child = try jobPID(project: project, id: id, server: server)

        server.killGroup()
        // harken serve's children are process-group leaders of their own (Foundation's Process): the
        // train child outlives the server's group until the next server, finding it, stops it.
        server = try StudioServerProcess(project: project)
        if let child { try poll("the old harken train (pid \(child)) to be stopped by the new server", timeout: 10) { !Self.alive(child) } }

        let interrupted = try server.get("/api/v1/jobs/\(id)")
        XCTAssertEqual(interrupted["state"] as? String, "interrupted", "\(interrupted)")
        XCTAssertEqual(interrupted["resumable"] as? Bool, true, "\(interrupted)")
        let kept = try lines(metricsFile).map { try epoch(of: $0) }
        XCTAssertFalse(kept.isEmpty)
        let served = try XCTUnwrap(try server.get("/api/v1/runs/kill-run/metrics")["epochs"] as? [[String: Any]])
        XCTAssertEqual(served.map { $0["epoch"] as? Int }, kept.map { Optional($0) }, "the metrics the server reports are the epochs finished")
        print("studio: killed after epochs \(kept)")

        let resumed = try server.post("/api/v1/jobs/\(id)/resume", nil, status: 202)
        let newID = try XCTUnwrap(resumed["id"] as? String)
        XCTAssertNotEqual(newID, id)
        var last: [String: Any] = [:]
        try poll("resumed job \(newID) to end", timeout: 420) {
            last = try server.get("/api/v1/jobs/\(newID)")
            return !["queued", "running"].contains(last["state"] as? String ?? "")
        }
        XCTAssertEqual(last["state"] as? String, "done", "\(last)")
        let epochs = try lines(metricsFile).map { try epoch(of: $0) }
        XCTAssertEqual(epochs, Array(0..<6), "every epoch once, in order")
    }

    // MARK: helpers

    /// The best-heard positive of the test split, padded, and what harken simulate detects in it.
    func listenAudio(project: URL, model: String, in root: URL) throws -> (String, [Double], Double) {
        let records = try lines(project.appendingPathComponent("corpus/manifest.jsonl"))
            .compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["split"] as? String == "test" && $0["kind"] as? String == "positive" }
        var best: (path: String, times: [Double], seconds: Double, mean: Double)?
        let dir = root.appendingPathComponent("listen")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (i, r) in records.enumerated() {
            let wav = dir.appendingPathComponent("phrase-\(i).wav").path
            try Support.run("/usr/bin/sox", [project.appendingPathComponent("corpus/" + (r["path"] as? String ?? "")).path, wav, "pad", "1", "2"])
            let sim = try Support.run(Support.harkenBinary, ["simulate", "--model", model, "--wav", wav, "--json"])
            let s = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(sim.stdout.utf8)) as? [String: Any])
            let detections = s["detections"] as? [[String: Any]] ?? []
            // The highest window mean, not the one at the crossing: the margin the microphone path has.
            guard !detections.isEmpty, let mean = (s["trace"] as? [[String: Any]])?.compactMap({ $0["mean"] as? Double }).max() else { continue }
            if mean > best?.mean ?? -1 {
                best = (wav, detections.compactMap { $0["time_s"] as? Double }, s["audio_seconds"] as? Double ?? 0, mean)
            }
        }
        let b = try XCTUnwrap(best, "harken simulate detects none of the test split's \(records.count) positives with hey_jarvis")
        return (b.path, b.times, b.seconds)
    }

    func assertShown(_ shown: Any?, equals value: Double, decimals: Int, _ label: String, line: UInt = #line) throws {
        let text = try XCTUnwrap(shown as? String, label, line: line)
        let number = try XCTUnwrap(Double(text.replacingOccurrences(of: "%", with: "").trimmingCharacters(in: .whitespaces)), "'\(text)': \(label)", line: line)
        // The page rounds to `decimals`; ties may go either way between JavaScript and printf.
        XCTAssertLessThanOrEqual(abs(number - value), 0.5 * pow(10, -Double(decimals)) + 1e-9, "'\(text)' vs \(value): \(label)", line: line)
    }

    func lines(_ url: URL) throws -> [String] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    }

    func epoch(of line: String) throws -> Int {
        try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["epoch"] as? Int, line)
    }

    func files(under dir: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let base = dir.standardizedFileURL.path
        for case let url as URL in FileManager.default.enumerator(at: dir, includingPropertiesForKeys: [.isRegularFileKey]) ?? FileManager.DirectoryEnumerator() {
            guard (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true else { continue }
            out[String(url.standardizedFileURL.path.dropFirst(base.count + 1))] = try Data(contentsOf: url)
        }
        return out
    }

    /// People look at the screens in build/studio-screens when the checkout has a build folder.
    func copyScreens(_ artifacts: URL) {
        let build = Support.repo.appendingPathComponent("build")
        guard FileManager.default.fileExists(atPath: build.path) else { return }
        let dest = build.appendingPathComponent("studio-screens")
        try? FileManager.default.removeItem(at: dest)
        try? FileManager.default.createDirectory(at: dest, withIntermediateDirectories: true)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: artifacts.path)) ?? [] where name.hasSuffix(".png") {
            try? FileManager.default.copyItem(at: artifacts.appendingPathComponent(name), to: dest.appendingPathComponent(name))
        }
        print("studio: screenshots copied to \(dest.path)")
    }

    func jobPID(project: URL, id: String, server: StudioServerProcess) throws -> Int32? {
        if let pid = try server.get("/api/v1/jobs/\(id)")["pid"] as? Int { return Int32(pid) }
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: project.appendingPathComponent("jobs/\(id).json"))) as? [String: Any]
        return (record?["pid"] as? Int).map(Int32.init)
    }

    static func alive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
        return !stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    func poll(_ what: String, timeout: TimeInterval, _ done: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try done() { return }
            Thread.sleep(forTimeInterval: 0.25)
        }
        throw NSError(domain: "studio-test", code: 1, userInfo: [NSLocalizedDescriptionKey: "timed out after \(Int(timeout)) s waiting for \(what)"])
    }
}

/// `harken serve --port 0` as a child process group leader, its address read from its banner.
final class StudioServerProcess {
    let process = Process()
    let url: String
    let project: URL
    private let output = Pipe()
    private var stopped = false

    init(project: URL) throws {
        self.project = project
        process.executableURL = URL(fileURLWithPath: Support.harkenBinary)
        process.arguments = ["serve", "--project", project.path, "--port", "0"]
        process.standardOutput = output
        let log = project.deletingLastPathComponent().appendingPathComponent("serve-\(UUID().uuidString.prefix(6)).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        var banner = ""
        let deadline = Date().addingTimeInterval(60)
        while !banner.contains("\n"), Date() < deadline {
            let d = output.fileHandleForReading.availableData
            if d.isEmpty { break }
            banner += String(decoding: d, as: UTF8.self)
        }
        guard let range = banner.range(of: #"http://127\.0\.0\.1:[0-9]+/"#, options: .regularExpression) else {
            process.terminate()
            throw NSError(domain: "harken-test", code: 1, userInfo: [NSLocalizedDescriptionKey: "harken serve printed no address: '\(banner)' (log \(log.path))"])
        }
        url = String(banner[range])
        // Keep reading so that a chatty server never blocks on a full pipe.
        let handle = output.fileHandleForReading
        DispatchQueue.global().async { while !handle.availableData.isEmpty {} }
        let group = Self.processGroup(process.processIdentifier)
        guard group == process.processIdentifier else {
            process.terminate()
            throw NSError(domain: "harken-test", code: 1, userInfo: [NSLocalizedDescriptionKey: "harken serve is not a process-group leader (group \(String(describing: group)))"])
        }
    }

    static func processGroup(_ pid: Int32) -> Int32? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 2 ? Int32(fields[2]) : nil
    }

    /// SIGKILL to the server's whole process group: no shutdown handler runs.
    func killGroup() {
        kill(-process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        stopped = true
    }

    /// SIGTERM, as Ctrl-C would; then any job process the server left running is stopped too, so
    /// that no test leaves a `harken train` behind (a train child still preparing its data when
    /// asked to stop goes on until its next step).
    func stop() {
        guard !stopped else { return }
        stopped = true
        let children = jobPIDs()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        let deadline = Date().addingTimeInterval(5)
        while children.contains(where: StudioBrowserTests.alive), Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        for pid in children where StudioBrowserTests.alive(pid) {
            print("studio: job process \(pid) outlived the server by 5 s; stopping it")
            kill(pid, SIGKILL)
        }
    }

    /// The pids of the project's running jobs, from jobs/ID.json (the server's own record).
    func jobPIDs() -> [Int32] {
        let dir = project.appendingPathComponent("jobs")
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasSuffix(".json") }.compactMap { name in
            let job = (try? Data(contentsOf: dir.appendingPathComponent(name))).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
            return (job?["pid"] as? Int).map(Int32.init)
        }
    }

    func get(_ path: String) throws -> [String: Any] { try request("GET", path, nil, status: 200) }

    func post(_ path: String, _ body: [String: Any]?, status: Int) throws -> [String: Any] { try request("POST", path, body, status: status) }

    func request(_ method: String, _ path: String, _ body: [String: Any]?, status: Int) throws -> [String: Any] {
        var req = URLRequest(url: URL(string: url.dropLast() + path)!)
        req.httpMethod = method
        req.timeoutInterval = 60
        if let body {
            req.httpBody = try JSONSerialization.data(withJSONObject: body)
            req.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        final class Reply: @unchecked Sendable { var value: (Data?, URLResponse?, Error?) = (nil, nil, nil) }
        let box = Reply(), done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: req) { box.value = ($0, $1, $2); done.signal() }.resume()
        done.wait()
        let reply = box.value
        if let error = reply.2 { throw error }
        let code = (reply.1 as? HTTPURLResponse)?.statusCode ?? 0
        let text = String(decoding: reply.0 ?? Data(), as: UTF8.self)
        guard code == status else {
            throw NSError(domain: "harken-test", code: code, userInfo: [NSLocalizedDescriptionKey: "\(method) \(path): \(code), expected \(status): \(text)"])
        }
        guard let object = try JSONSerialization.jsonObject(with: reply.0 ?? Data()) as? [String: Any] else {
            throw NSError(domain: "harken-test", code: code, userInfo: [NSLocalizedDescriptionKey: "\(method) \(path): not a JSON object: \(text)"])
        }
        return object
    }
}
