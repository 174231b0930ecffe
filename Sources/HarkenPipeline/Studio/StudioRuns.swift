// StudioRuns.swift: the project's training runs and models as Studio lists them: a summary per
// run (read once per report change, so a search's thousands of runs page quickly), notes and
// tags kept beside each run, and the models Evaluate, Deploy and Listen can use.

import Foundation
import HarkenGraph
import HarkenSupport
import HarkenTrain

public struct StudioRun: Codable, Sendable, Equatable {
    public var name: String
    public var phrase: String
    public var architecture: String
    public var parameters: Int
    public var epochsDone: Int
    public var epochsTotal: Int
    /// done (report written), partial (stopped between epochs: resumable), empty.
    public var state: String
    public var validationFrr: Double?
    public var validationFaPerHour: Double?
    public var testFrr: Double?
    public var testFaPerHour: Double?
    public var cutoff: Double?
    public var modified: Date
    public var notes: String
    public var tags: [String]
}

public struct StudioRunPage: Codable, Sendable {
    public var schemaVersion = 1
    public var total: Int
    public var offset: Int
    public var runs: [StudioRun]
}

/// notes.json beside a run: what the user wrote about it.
public struct StudioRunNotes: Codable, Sendable {
    public var schemaVersion = 1
    public var notes: String
    public var tags: [String]

    public init(notes: String, tags: [String]) { self.notes = notes; self.tags = tags }
}

public struct StudioModel: Codable, Sendable, Equatable {
    public var name: String
    /// run (a harken train folder, int8 by its saved ranges) or tflite (an imported int8 model).
    public var kind: String
    public var path: String
    public var phrase: String
    public var cutoff: Double?
    public var window: Int?
    public var int8: Bool
}

/// runs/.studio-index.json: every run's summary and the modification times it was read at, so a
/// restarted server (or a search of thousands of runs) reads only the runs that changed since.
public struct StudioRunIndexFile: Codable, Sendable {
    public struct Entry: Codable, Sendable {
        public var name: String
        /// Seconds since 1970 of report.json, metrics.jsonl, config.json, notes.json, model.json (null: absent).
        public var stamp: [Double?]
        public var run: StudioRun
        /// The manifest's detection cutoff and window, for the models list.
        public var cutoff: Double?
        public var window: Int?
    }
    public var schemaVersion = 1
    public var runs: [Entry]
}

/// Run summaries cached by the modification times of the files they come from: a search's
/// thousands of runs are read once, then only the ones that change, also across restarts.
public final class StudioRunIndex: @unchecked Sendable {
    private var cache: [String: StudioRunIndexFile.Entry] = [:]
    private var loaded: Set<String> = []
    private let lock = NSLock()

    /// One per process: every request of every project shares it (keys are whole paths).
    public static let shared = StudioRunIndex()

    public init() {}

    public static let indexName = ".studio-index.json"

    public func runs(_ project: StudioProject) -> [StudioRun] { entries(project).map(\.run) }

    /// Each run with its manifest's cutoff and window.
    func entries(_ project: StudioProject) -> [StudioRunIndexFile.Entry] {
        let indexFile = (project.runsDir as NSString).appendingPathComponent(Self.indexName)
        lock.withLock {
            guard loaded.insert(project.runsDir).inserted, let data = FileManager.default.contents(atPath: indexFile),
                  let file = try? HarkenJSON.decoder().decode(StudioRunIndexFile.self, from: data) else { return }
            for e in file.runs { cache[(project.runsDir as NSString).appendingPathComponent(e.name)] = e }
        }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: project.runsDir)) ?? []).filter { !$0.hasPrefix(".") }
        var changed = false
        let entries = names.sorted().compactMap { name -> StudioRunIndexFile.Entry? in
            let dir = (project.runsDir as NSString).appendingPathComponent(name)
            let files = ["report.json", "metrics.jsonl", "config.json", "notes.json", "model.json"].map { (dir as NSString).appendingPathComponent($0) }
            let dates = files.map(StudioProject.modified)
            guard dates[0] != nil || dates[1] != nil || dates[2] != nil else { return nil }
            let stamp = dates.map { $0?.timeIntervalSince1970 }
            if let hit = lock.withLock({ cache[dir] }), hit.stamp == stamp { return hit }
            let manifest = dates[4] == nil ? nil : try? ModelManifest.load(path: files[4])
            let entry = StudioRunIndexFile.Entry(name: name, stamp: stamp, run: Self.summary(name: name, dir: dir, stamp: dates),
                                                 cutoff: manifest?.micro.probability_cutoff, window: manifest?.micro.sliding_window_size)
            lock.withLock { cache[dir] = entry }
            changed = true
            return entry
        }
        let present = Set(entries.map { (project.runsDir as NSString).appendingPathComponent($0.name) })
        let removed = lock.withLock {
            let gone = cache.keys.filter { ($0 as NSString).deletingLastPathComponent == project.runsDir && !present.contains($0) }
            gone.forEach { cache[$0] = nil }
            return !gone.isEmpty
        }
        if changed || removed {
            // A cache, not a record: a project whose runs/ cannot be written still lists its runs.
            try? Pipeline.writeJSON(StudioRunIndexFile(runs: entries), to: indexFile)
        }
        return entries
    }

    static func summary(name: String, dir: String, stamp: [Date?]) -> StudioRun {
        func file(_ f: String) -> Data? { FileManager.default.contents(atPath: (dir as NSString).appendingPathComponent(f)) }
        let report = file("report.json").flatMap { try? HarkenJSON.decoder().decode(TrainReport.self, from: $0) }
        let config = file("config.json").flatMap { try? TrainConfig.fromJSON(String(decoding: $0, as: UTF8.self)) }
        let notes = file("notes.json").flatMap { try? HarkenJSON.decoder().decode(StudioRunNotes.self, from: $0) }
        let epochs = file("metrics.jsonl").map { String(decoding: $0, as: UTF8.self).split(separator: "\n").count } ?? 0
        let saved = report == nil ? (try? SavedSentry.load(dir)) : nil
        return StudioRun(name: name, phrase: report?.phrase ?? saved?.phrase ?? "",
                         architecture: report?.architecture ?? config?.architecture.rawValue ?? "",
                         parameters: report?.parameters ?? 0, epochsDone: report?.epochs.count ?? epochs,
                         epochsTotal: config?.epochs ?? report?.epochs.count ?? epochs,
                         state: report != nil ? "done" : (epochs > 0 ? "partial" : "empty"),
                         validationFrr: report?.validation?.falseRejectRate, validationFaPerHour: report?.validation?.falseAcceptsPerHour,
                         testFrr: report?.test?.falseRejectRate, testFaPerHour: report?.test?.falseAcceptsPerHour,
                         cutoff: report?.validation?.cutoff, modified: stamp.compactMap { $0 }.max() ?? Date(timeIntervalSince1970: 0),
                         notes: notes?.notes ?? "", tags: notes?.tags ?? [])
    }

    /// One page of runs: sorted by `sort` (a StudioRun key), filtered by a case-insensitive
    /// substring of name, architecture, notes or tags.
    public func page(_ project: StudioProject, sort: String, ascending: Bool, filter: String, offset: Int, limit: Int) throws -> StudioRunPage {
        try StudioProject.checkPage(offset: offset, limit: limit)
        let keys: [String: (StudioRun, StudioRun) -> Bool] = [
            "name": { $0.name < $1.name }, "architecture": { $0.architecture < $1.architecture },
            "parameters": { $0.parameters < $1.parameters }, "epochs_done": { $0.epochsDone < $1.epochsDone },
            "validation_frr": { ($0.validationFrr ?? 2) < ($1.validationFrr ?? 2) },
            "validation_fa_per_hour": { ($0.validationFaPerHour ?? .infinity) < ($1.validationFaPerHour ?? .infinity) },
            "test_frr": { ($0.testFrr ?? 2) < ($1.testFrr ?? 2) },
            "test_fa_per_hour": { ($0.testFaPerHour ?? .infinity) < ($1.testFaPerHour ?? .infinity) },
            "modified": { $0.modified < $1.modified },
        ]
        guard let less = keys[sort] else {
            throw StudioError.unprocessable("sort '\(sort)': expected one of \(keys.keys.sorted().joined(separator: ", "))")
        }
        let needle = filter.lowercased()
        var all = runs(project)
        if !needle.isEmpty {
            all = all.filter { r in
                ([r.name, r.architecture, r.notes] + r.tags).contains { $0.lowercased().contains(needle) }
            }
        }
        all.sort { a, b in less(a, b) ? ascending : (less(b, a) ? !ascending : a.name < b.name) }
        return StudioRunPage(total: all.count, offset: offset, runs: Array(all.dropFirst(offset).prefix(limit)))
    }

    public func saveNotes(_ project: StudioProject, run name: String, notes: StudioRunNotes) throws -> StudioRun {
        try StudioProject.checkName(name, field: "run")
        let dir = (project.runsDir as NSString).appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: dir) else { throw StudioError.notFound("run '\(name)': no such run") }
        guard notes.notes.count <= 10_000, notes.tags.count <= 32, notes.tags.allSatisfy({ !$0.isEmpty && $0.count <= 40 }) else {
            throw StudioError.unprocessable("notes: at most 10,000 characters; tags: at most 32, each 1 to 40 characters")
        }
        try Pipeline.writeJSON(notes, to: (dir as NSString).appendingPathComponent("notes.json"))
        guard let run = runs(project).first(where: { $0.name == name }) else { throw StudioError.notFound("run '\(name)': no such run") }
        return run
    }
}

extension StudioProject {
    public func runs() -> [StudioRun] { StudioRunIndex.shared.runs(self) }

    /// Every model the project can evaluate, deploy or listen with: finished runs and imported
    /// .tflite files in models/ (a manifest beside one gives its cutoff and window).
    public func models() -> [StudioModel] {
        var out: [StudioModel] = []
        for e in StudioRunIndex.shared.entries(self) where e.run.state == "done" {
            out.append(StudioModel(name: e.run.name, kind: "run", path: "runs/" + e.run.name, phrase: e.run.phrase,
                                   cutoff: e.cutoff ?? e.run.cutoff, window: e.window, int8: true))
        }
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: modelsDir)) ?? []).filter { $0.hasSuffix(".tflite") }.sorted()
        for f in files {
            let file = (modelsDir as NSString).appendingPathComponent(f)
            let manifest = try? ModelManifest.load(path: ModelManifest.besideModel(file))
            out.append(StudioModel(name: (f as NSString).deletingPathExtension, kind: "tflite", path: "models/" + f,
                                   phrase: manifest?.wake_word ?? "", cutoff: manifest?.micro.probability_cutoff,
                                   window: manifest?.micro.sliding_window_size, int8: true))
        }
        return out
    }

    public func model(named name: String) throws -> StudioModel {
        guard let m = models().first(where: { $0.name == name }) else {
            throw StudioError.notFound("model '\(name)': no finished run or models/*.tflite of that name")
        }
        return m
    }
}
