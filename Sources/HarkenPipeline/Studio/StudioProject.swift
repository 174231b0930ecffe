// StudioProject.swift: a Harken Studio project is a folder the CLI reads as well (corpus, runs,
// models, evaluations, uploads, jobs). This file knows its layout, keeps every path a request
// names inside it, and summarises each pipeline step's state from the files alone.

import Foundation
import HarkenAudio
import HarkenData
import HarkenSupport
import HarkenTrain

public enum StudioError: CodedError, Equatable {
    public static let domain = "studio"

    /// A request's field, parameter or body was not what the route takes.
    case badRequest(String)
    case notFound(String)
    /// The project's state forbids it (a job already running, test audio into training, ...).
    case conflict(String)
    case tooLarge(String)
    case unsupportedMedia(String)
    case unprocessable(String)

    public var description: String {
        switch self {
        case let .badRequest(m), let .notFound(m), let .conflict(m), let .tooLarge(m), let .unsupportedMedia(m), let .unprocessable(m): return m
        }
    }
}

/// studio.json: what the project is for.
public struct StudioSettings: Codable, Sendable, Equatable {
    public var schemaVersion = 1
    public var phrase: String
    public var preset: String

    public init(phrase: String, preset: String) { self.phrase = phrase; self.preset = preset }
}

public struct StudioStep: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable { case todo, done, stale, running }
    public var name: String
    public var state: State
    public var detail: String
}

public struct StudioProjectInfo: Codable, Sendable {
    public var schemaVersion = 1
    public var root: String
    public var phrase: String
    public var preset: String
    public var presets: [String]
    public var steps: [StudioStep]
}

public struct StudioProject: Sendable {
    public let root: String

    public static let uploadKinds = ["recordings", "noise", "rirs"]

    /// Opens (creating when needed) the project folder.
    public init(root: String) throws {
        let absolute = URL(fileURLWithPath: root).standardizedFileURL.resolvingSymlinksInPath().path
        do { try FileManager.default.createDirectory(atPath: absolute, withIntermediateDirectories: true) } catch {
            throw PipelineError.notWritable(path: absolute, reason: error.localizedDescription)
        }
        self.root = absolute
    }

    public func path(_ relative: String) -> String { (root as NSString).appendingPathComponent(relative) }
    public var corpusDir: String { path("corpus") }
    public var runsDir: String { path("runs") }
    public var modelsDir: String { path("models") }
    public var evaluationsDir: String { path("evaluations") }
    public var jobsDir: String { path("jobs") }
    public var exportsDir: String { path("exports") }
    public var configFile: String { path("harken.yaml") }

    // MARK: paths a request names

    /// A project-relative path from a request, resolved to an absolute one that stays inside the
    /// project: no `..`, no absolute path, no symlink out. `field` names the parameter in errors.
    public func resolve(_ relative: String, field: String = "path") throws -> String {
        guard !relative.isEmpty else { throw StudioError.badRequest("\(field): empty; expected a path relative to the project") }
        guard !relative.hasPrefix("/"), !relative.contains("\\"), !relative.contains("\0") else {
            throw StudioError.badRequest("\(field) '\(relative)': expected a relative path inside the project")
        }
        let parts = relative.split(separator: "/", omittingEmptySubsequences: false)
        guard !parts.contains(where: { $0 == ".." || $0 == "." || $0.isEmpty }) else {
            throw StudioError.badRequest("\(field) '\(relative)': '..', '.' and empty components are not allowed")
        }
        let full = path(relative)
        guard FileManager.default.fileExists(atPath: full) else { throw StudioError.notFound("\(field) '\(relative)': no such file in the project") }
        let real = URL(fileURLWithPath: full).resolvingSymlinksInPath().path
        guard real == root || real.hasPrefix(root + "/") else {
            throw StudioError.badRequest("\(field) '\(relative)': resolves outside the project")
        }
        return full
    }

    /// A single file name from a request (an upload's, a run's): letters, digits, `._-`, no leading dot.
    public static func checkName(_ name: String, field: String) throws {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "._- "))
        guard !name.isEmpty, name.count <= 128, !name.hasPrefix("."), name.unicodeScalars.allSatisfy({ allowed.contains($0) && $0.isASCII }) else {
            throw StudioError.badRequest("\(field) '\(name)': expected a file name of letters, digits, '.', '_', '-' (no '/', no leading '.')")
        }
    }

    /// Paging parameters every listing takes.
    public static func checkPage(offset: Int, limit: Int) throws {
        guard offset >= 0 else { throw StudioError.unprocessable("offset \(offset): expected 0 or more") }
        guard (1...500).contains(limit) else { throw StudioError.unprocessable("limit \(limit): expected 1...500") }
    }

    // MARK: settings

    public func settings() -> StudioSettings {
        if let data = FileManager.default.contents(atPath: path("studio.json")),
           let s = try? HarkenJSON.decoder().decode(StudioSettings.self, from: data) { return s }
        return StudioSettings(phrase: "hey jarvis", preset: "tiny")
    }

    public func saveSettings(_ s: StudioSettings) throws {
        guard !s.phrase.trimmingCharacters(in: .whitespaces).isEmpty, s.phrase.count <= 64 else {
            throw StudioError.unprocessable("phrase: expected 1 to 64 characters")
        }
        guard TrainConfig.presets.contains(s.preset) else {
            throw StudioError.unprocessable("preset '\(s.preset)': expected one of \(TrainConfig.presets.joined(separator: ", "))")
        }
        try Pipeline.writeJSON(s, to: path("studio.json"))
    }

    // MARK: state of each step

    static func modified(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }

    /// The newest modification time among a folder's files (the folder itself when empty).
    static func newest(in dir: String) -> Date? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return nil }
        return names.compactMap { modified((dir as NSString).appendingPathComponent($0)) }.max() ?? modified(dir)
    }

    public func info(jobs: [StudioJob]) -> StudioProjectInfo {
        let s = settings()
        let running = Set(jobs.filter { $0.state == .running || $0.state == .queued }.map(\.kind))
        let corpusTime = Self.modified((corpusDir as NSString).appendingPathComponent("manifest.jsonl"))
        let uploadsTime = Self.uploadKinds.compactMap { Self.newest(in: path($0)) }.max()
        let runs = self.runs()
        let newestRun = runs.compactMap { Self.modified((runsDir as NSString).appendingPathComponent("\($0.name)/report.json")) }.max()
        let configTime = Self.modified(configFile)
        // Finished evaluations by their scores' time alone: the page asks for this every few seconds.
        let evals = ((try? FileManager.default.contentsOfDirectory(atPath: evaluationsDir)) ?? [])
            .compactMap { Self.modified((evaluationsDir as NSString).appendingPathComponent($0 + "/scores.json")) }
        let newestEval = evals.max()
        let models = self.models()
        var steps: [StudioStep] = []
        func step(_ name: String, _ state: StudioStep.State, _ detail: String, job: String? = nil) {
            steps.append(StudioStep(name: name, state: running.contains(job ?? name) ? .running : state, detail: detail))
        }
        if let corpusTime {
            let stale = (uploadsTime ?? .distantPast) > corpusTime
            step("data", stale ? .stale : .done, stale ? "uploads are newer than the corpus" : "corpus synthesized", job: "synth")
        } else {
            step("data", .todo, "no corpus yet", job: "synth")
        }
        if let newestRun {
            let inputs = [corpusTime, uploadsTime, configTime].compactMap { $0 }.max() ?? .distantPast
            step("train", inputs > newestRun ? .stale : .done, inputs > newestRun ? "data or settings changed since the last run" : "\(runs.count) run(s)")
        } else {
            step("train", .todo, runs.isEmpty ? "no run yet" : "no finished run yet")
        }
        if let newestEval {
            let stale = (newestRun ?? .distantPast) > newestEval
            step("evaluate", stale ? .stale : .done, stale ? "a newer run has not been evaluated" : "\(evals.count) evaluation(s)", job: "evaluate")
        } else {
            step("evaluate", .todo, "no evaluation yet", job: "evaluate")
        }
        let mined = corpus()?.records.filter { $0.engine == "mined" }.count ?? 0
        step("mine", mined > 0 ? .done : (evals.isEmpty ? .todo : .stale), mined > 0 ? "\(mined) mined clip(s) in the corpus" : "no mined clips", job: "retrain")
        step("search", runs.count > 1 ? .done : .todo, "\(runs.count) run(s) to compare")
        let exported = Self.newest(in: exportsDir)
        step("deploy", exported == nil ? .todo : ((newestRun ?? .distantPast) > exported! ? .stale : .done),
             exported == nil ? "nothing downloaded yet" : "downloads built", job: "bench")
        step("listen", models.isEmpty ? .todo : .done, models.isEmpty ? "no model to listen with" : "\(models.count) model(s)")
        return StudioProjectInfo(root: root, phrase: s.phrase, preset: s.preset, presets: TrainConfig.presets, steps: steps)
    }
}

// MARK: corpus

public struct StudioCorpusSummary: Codable, Sendable {
    public struct Voice: Codable, Sendable { public var voice: String; public var engine: String; public var clips: Int }
    public var schemaVersion = 1
    public var clips: Int
    public var seconds: Double
    public var bySplit: [String: Int]
    public var byKind: [String: Int]
    public var byEngine: [String: Int]
    public var voices: [Voice]
    public var mined: Int
    public var recordings: Int
    public var noise: Int
    public var rirs: Int
}

public struct StudioClip: Codable, Sendable {
    public var path: String
    public var kind: String
    public var split: String
    public var engine: String
    public var voice: String
    public var seconds: Double
    public var text: String
}

public struct StudioClipPage: Codable, Sendable {
    public var schemaVersion = 1
    public var total: Int
    public var offset: Int
    public var clips: [StudioClip]
}

public struct StudioUpload: Codable, Sendable {
    public var schemaVersion = 1
    public var path: String
    public var seconds: Double
    public var sampleRate: Int
    public var channels: Int
    public var bytes: Int
}

public struct StudioUploads: Codable, Sendable {
    public var schemaVersion = 1
    public var recordings: [StudioUpload]
    public var noise: [StudioUpload]
    public var rirs: [StudioUpload]
}

extension StudioProject {
    /// The corpus, read again only when its manifest changes: the page asks for the project's
    /// state every few seconds, and a corpus manifest can hold a hundred thousand clips.
    func corpus() -> Corpus? {
        let manifest = (corpusDir as NSString).appendingPathComponent("manifest.jsonl")
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: manifest) else { return nil }
        let stamp = "\((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)|\(attributes[.size] as? Int ?? 0)"
        return StudioCorpusCache.shared.corpus(corpusDir, stamp: stamp) { try? Corpus.load(corpusDir) }
    }

    func uploadCount(_ kind: String) -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: path(kind))) ?? []).filter { !$0.hasPrefix(".") }.count
    }

    public func corpusSummary() -> StudioCorpusSummary {
        let records = corpus()?.records ?? []
        var bySplit = ["train": 0, "validation": 0, "test": 0], byEngine: [String: Int] = [:]
        var byKind = ["positive": 0, "near_miss": 0, "negative": 0, "stream": 0]
        var voices: [String: (engine: String, clips: Int)] = [:]
        for r in records {
            bySplit[r.split.rawValue, default: 0] += 1
            byKind[r.kind.rawValue, default: 0] += 1
            byEngine[r.engine, default: 0] += 1
            voices[r.voice, default: (r.engine, 0)].clips += 1
        }
        return StudioCorpusSummary(clips: records.count, seconds: records.reduce(0) { $0 + $1.seconds }, bySplit: bySplit, byKind: byKind,
                                   byEngine: byEngine,
                                   voices: voices.map { .init(voice: $0.key, engine: $0.value.engine, clips: $0.value.clips) }
                                       .sorted { ($0.clips, $1.voice) > ($1.clips, $0.voice) },
                                   mined: records.filter { $0.engine == "mined" }.count,
                                   recordings: uploadCount("recordings"), noise: uploadCount("noise"), rirs: uploadCount("rirs"))
    }

    public func clips(split: String?, kind: String?, offset: Int, limit: Int) throws -> StudioClipPage {
        if let split, ClipRecord.Split(rawValue: split) == nil { throw StudioError.unprocessable("split '\(split)': expected train, validation or test") }
        try Self.checkPage(offset: offset, limit: limit)
        let all = (corpus()?.records ?? []).filter { (split == nil || $0.split.rawValue == split) && (kind == nil || $0.kind.rawValue == kind) }
        let page = all.dropFirst(offset).prefix(limit).map {
            StudioClip(path: "corpus/" + $0.path, kind: $0.kind.rawValue, split: $0.split.rawValue, engine: $0.engine, voice: $0.voice,
                       seconds: $0.seconds, text: $0.text)
        }
        return StudioClipPage(total: all.count, offset: offset, clips: Array(page))
    }

    /// A stretch of any audio file in the project as 16 kHz mono 16-bit WAV bytes.
    public func audioWAV(_ relative: String, from: Double?, to: Double?) throws -> Data {
        let file = try resolve(relative)
        let audio = try Audio.read(file)
        // Clamped to the file first: a request's numbers never reach an integer conversion unbounded.
        let from = min(max(from ?? 0, 0), audio.seconds), to = min(max(to ?? audio.seconds, 0), audio.seconds)
        guard from < to || audio.samples.isEmpty else { throw StudioError.unprocessable("from_s \(from) is at or after to_s \(to) (the file lasts \(audio.seconds) s)") }
        let a = Int((from * 16000).rounded()), b = max(a, min(audio.samples.count, Int((to * 16000).rounded())))
        return try Pipeline.wavData(Audio(samples: Array(audio.samples[a..<b])))
    }

    public func uploads() -> StudioUploads {
        func list(_ kind: String) -> [StudioUpload] {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: path(kind))) ?? []).filter { !$0.hasPrefix(".") }.sorted()
            return names.compactMap { try? describeUpload(kind + "/" + $0) }
        }
        return StudioUploads(recordings: list("recordings"), noise: list("noise"), rirs: list("rirs"))
    }

    func describeUpload(_ relative: String) throws -> StudioUpload {
        let file = path(relative)
        let audio = try Audio.read(file)
        let size = (try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int ?? 0
        return StudioUpload(path: relative, seconds: audio.seconds, sampleRate: Audio.sampleRate, channels: 1, bytes: size)
    }

    /// Stores an uploaded audio file. Recordings of the phrase become 16 kHz mono WAV with the
    /// silence around the phrase trimmed (they join the training positives); noise and room
    /// responses are kept as sent once libsndfile has read them.
    public func storeUpload(kind: String, name: String, data: Data) throws -> StudioUpload {
        guard Self.uploadKinds.contains(kind) else { throw StudioError.notFound("upload kind '\(kind)': expected recordings, noise or rirs") }
        try Self.checkName(name, field: "name")
        let dir = path(kind)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let tmp = (dir as NSString).appendingPathComponent(".upload-\(UUID().uuidString)-\(name)")
        try data.write(to: URL(fileURLWithPath: tmp))
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let audio: Audio
        do { audio = try Audio.read(tmp) } catch {
            throw StudioError.unsupportedMedia("\(name): not audio libsndfile reads as 16-bit PCM (\(error))".replacingOccurrences(of: tmp, with: name))
        }
        var stem = (name as NSString).deletingPathExtension
        if stem.isEmpty { stem = "upload" }
        let target: String
        if kind == "recordings" {
            guard let trimmed = Self.trimSilence(audio), trimmed.samples.count >= 1600 else { throw StudioError.unprocessable("\(name): no speech found (under 0.1 s above the silence floor)") }
            target = kind + "/" + stem + ".wav"
            try Pipeline.writeAtomically(try Pipeline.wavData(trimmed), to: path(target))
        } else {
            target = kind + "/" + name
            try Pipeline.writeAtomically(data, to: path(target))
        }
        return try describeUpload(target)
    }

    /// Cuts leading and trailing stretches quieter than 40 dB below the loudest 10 ms, keeping
    /// 100 ms of margin; nil when nothing is louder than -60 dBFS (no speech at all).
    static func trimSilence(_ a: Audio) -> Audio? {
        let hop = 160
        let frames = a.samples.count / hop
        guard frames > 0 else { return nil }
        let energy = (0..<frames).map { f -> Double in
            var s = 0.0
            for i in f * hop..<(f + 1) * hop { let v = Double(a.samples[i]); s += v * v }
            return s / Double(hop)
        }
        let loudest = energy.max() ?? 0
        guard loudest > 32768.0 * 32768.0 * 1e-6 else { return nil }
        let floor = loudest * 1e-4
        guard let first = energy.firstIndex(where: { $0 > floor }), let last = energy.lastIndex(where: { $0 > floor }) else { return a }
        let start = max(0, (first - 10) * hop), end = min(a.samples.count, (last + 11) * hop)
        return Audio(samples: Array(a.samples[start..<end]))
    }
}

/// Loaded corpora by folder and the manifest's time and size when read.
final class StudioCorpusCache: @unchecked Sendable {
    static let shared = StudioCorpusCache()
    private var entries: [String: (stamp: String, corpus: Corpus)] = [:]
    private let lock = NSLock()

    func corpus(_ dir: String, stamp: String, load: () -> Corpus?) -> Corpus? {
        if let hit = lock.withLock({ entries[dir] }), hit.stamp == stamp { return hit.corpus }
        guard let loaded = load() else { return nil }
        lock.withLock { entries[dir] = (stamp, loaded) }
        return loaded
    }
}
