// Mine.swift: closed-loop hard-negative mining (`harken mine`).
//
// A round runs the current model over audio (a corpus split's streams and positives, or a folder
// of the user's recordings heard as negative audio), lists every false accept and false reject
// with a clip cut around it, and, for the chosen findings (all of them with `--auto`), adds the
// clips to the corpus's training split with their provenance and fine-tunes the model from its
// checkpoint on the corpus with them. Everything a round makes lives in the mining folder
// (`mine.json`, `rounds/N/`), written atomically, so an interrupted loop resumes where it stopped.

import Foundation
import HarkenAudio
import HarkenData
import HarkenGraph
import HarkenStream
import HarkenSupport
import HarkenTrain

public struct MineRequest: Sendable {
    /// The model of the first round: a harken train folder (float Sentry).
    public var model: String
    /// The corpus whose training split receives the mined clips (and that fine-tuning reads).
    public var dataDir: String
    /// The mining folder: mine.json, rounds/N/{findings.json, findings.html, clips/, model/}.
    public var project: String
    /// Audio heard as negatives instead of the corpus's streams (every detection a false accept).
    public var audioDir: String?
    /// The corpus split mined when no folder is given.
    public var split: ClipRecord.Split = .train
    /// The split each round's model is measured on at the fixed cutoff (nil: none), of
    /// `measureDir` (default: the corpus; a stress benchmark measures on held-out voices).
    public var measureSplit: ClipRecord.Split? = .test
    public var measureDir: String?
    /// The cutoff findings are listed at (default: `cutoff`): lower, it also gathers the negatives
    /// the model came close to accepting.
    public var miningCutoff: Double?
    public var auto = false
    /// Finding ids to inject (without --auto).
    public var inject: [String] = []
    /// Rounds of mine → inject → fine-tune to run (with --auto).
    public var rounds = 1
    public var epochs = 4
    /// The cutoff of every round (default: the first model's shipped cutoff).
    public var cutoff: Double?

    public init(model: String, dataDir: String, project: String) { self.model = model; self.dataDir = dataDir; self.project = project }
}

/// One false accept or false reject.
public struct MineFinding: Codable, Sendable, Equatable {
    public var id: String
    /// "false_accept" or "false_reject".
    public var kind: String
    public var file: String
    public var timeS: Double
    public var score: Double
    /// The clip cut around it, relative to the mining folder.
    public var clip: String
}

public struct MineRound: Codable, Sendable {
    public var round: Int
    public var model: String
    public var cutoff: Double
    public var minedHours: Double
    public var minedPositives: Int
    public var falseAccepts: Int
    public var falseRejects: Int
    public var falseAcceptsPerHour: Double
    public var falseRejectRate: Double
    /// The round's model on the measuring split at the same cutoff (float).
    public var measured: EvalReport?
    public var findings: String
    public var injected: Int?
    /// The model fine-tuned with this round's findings.
    public var trainedModel: String?
}

public struct MineState: Codable, Sendable {
    public var schemaVersion = 1
    public var startModel: String
    public var corpus: String
    public var cutoff: Double
    public var miningCutoff: Double?
    public var rounds: [MineRound]
}

public struct MineFindingsFile: Codable, Sendable {
    public var schemaVersion = 1
    public var round: Int
    public var model: String
    public var cutoff: Double
    public var findings: [MineFinding]
}

extension Pipeline {
    static func mineStatePath(_ project: String) -> String { (project as NSString).appendingPathComponent("mine.json") }

    /// The mining folder's rounds so far (nil before the first).
    public static func mineState(_ project: String) throws -> MineState? {
        let path = mineStatePath(project)
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do { return try HarkenJSON.decoder().decode(MineState.self, from: Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            throw CorpusError.unreadable("\(path): not a mining state (\(error))")
        }
    }

    /// `harken mine`: rounds of mining, injection and fine-tuning (see the file's comment).
    public static func mine(_ r: MineRequest, job: Job = .silent) throws -> MineState {
        try FileManager.default.createDirectory(atPath: r.project, withIntermediateDirectories: true)
        let cutoff = try r.cutoff ?? shippedCutoff(r.model)
        var state = try mineState(r.project) ?? MineState(startModel: r.model, corpus: r.dataDir, cutoff: cutoff,
                                                            miningCutoff: r.miningCutoff, rounds: [])
        func save() throws { try writeJSON(state, to: mineStatePath(r.project)) }
        var roundsRun = 0
        while true {
            // A round with findings still to act on: inject and fine-tune.
            if var last = state.rounds.last, last.trainedModel == nil, r.auto || !r.inject.isEmpty {
                let findings = try HarkenJSON.decoder().decode(MineFindingsFile.self,
                    from: Data(contentsOf: URL(fileURLWithPath: (r.project as NSString).appendingPathComponent(last.findings)))).findings
                let unknown = r.inject.filter { id in !findings.contains { $0.id == id } }
                guard r.auto || unknown.isEmpty else {
                    throw CorpusError.unreadable("\((r.project as NSString).appendingPathComponent(last.findings)): no finding \(unknown.joined(separator: ", ")) (its ids run \(findings.first?.id ?? "-") to \(findings.last?.id ?? "-"))")
                }
                let chosen = r.auto ? findings : findings.filter { r.inject.contains($0.id) }
                last.injected = try injectMined(chosen, round: last.round, project: r.project, dataDir: r.dataDir)
                job.log("round \(last.round): \(last.injected!) clips added to \(r.dataDir)'s training split; fine-tuning \(r.epochs) epochs")
                last.trainedModel = try fineTune(model: last.model, dataDir: r.dataDir, epochs: r.epochs,
                                                 outDir: (r.project as NSString).appendingPathComponent("rounds/\(last.round)/model"), job: job)
                state.rounds[state.rounds.count - 1] = last
                try save()
                roundsRun += 1
                if !r.auto || roundsRun >= r.rounds {
                    // Measure what the last fine-tuning gave.
                    state.rounds.append(try mineRound(r, state: state, job: job))
                    try save()
                    return state
                }
                continue
            }
            if let last = state.rounds.last, last.trainedModel == nil { return state }   // findings await a choice
            state.rounds.append(try mineRound(r, state: state, job: job))
            try save()
            if !r.auto { return state }
        }
    }

    static func shippedCutoff(_ model: String) throws -> Double {
        (try? ModelManifest.load(path: ModelManifest.besideModel(model)))?.micro.probability_cutoff ?? 0.5
    }

    /// Scores the audio with the current model and writes the round's findings and clips.
    static func mineRound(_ r: MineRequest, state: MineState, job: Job) throws -> MineRound {
        let round = state.rounds.count + 1
        let model = state.rounds.last?.trainedModel ?? state.startModel
        let saved = try SavedSentry.load(model)
        let scorer = WindowScorer(model: saved.model)
        let rule = DetectionRule(window: saved.config?.detectorWindow ?? 5, refractoryMs: saved.config?.refractoryMs ?? 1000,
                                 stepMs: 10 * scorer.stepFrames)
        let corpus = try Corpus.load(r.dataDir)
        // Negative audio: the folder's files, or the split's streams; positives from the split.
        var negatives: [(name: String, audio: Audio)] = []
        if let dir = r.audioDir {
            let files = try FileManager.default.contentsOfDirectory(atPath: dir).sorted().filter { !$0.hasPrefix(".") }
            for f in files {
                let path = (dir as NSString).appendingPathComponent(f)
                do { negatives.append((path, try Audio.read(path))) } catch { job.log("mine: skipping \(path): \(error)") }
            }
        } else {
            negatives = try corpus.clips([.stream], r.split).map { ($0.path, try corpus.audio($0)) }
        }
        let positives = r.audioDir == nil ? corpus.clips([.positive], r.split).filter { $0.minedRound == nil } : []
        let dir = (r.project as NSString).appendingPathComponent("rounds/\(round)")
        try FileManager.default.createDirectory(atPath: (dir as NSString).appendingPathComponent("clips"), withIntermediateDirectories: true)
        let progress = job.stage("mine round \(round)")
        var findings: [MineFinding] = []
        let stepS = Double(rule.stepMs) / 1000
        for (i, n) in negatives.enumerated() {
            let trace = try scorer.scores(n.audio)
            for d in rule.detections(trace, cutoff: state.miningCutoff ?? state.cutoff) {
                let t = Double(d.step + 1) * stepS + 0.02
                let id = "r\(round)-fa\(findings.count + 1)"
                let clip = "rounds/\(round)/clips/\(id).wav"
                try cut(n.audio, around: t, to: (r.project as NSString).appendingPathComponent(clip))
                findings.append(MineFinding(id: id, kind: "false_accept", file: n.name, timeS: t, score: d.mean, clip: clip))
            }
            progress(Double(i + 1) / Double(negatives.count + positives.count), "")
        }
        let pad = [Int16](repeating: 0, count: 16000)
        for (i, p) in positives.enumerated() {
            let a = try corpus.audio(p)
            let padded = Audio(samples: pad + a.samples + pad)
            let trace = try scorer.scores(padded)
            if !rule.accepts(trace, cutoff: state.cutoff) {
                let id = "r\(round)-fr\(findings.count + 1)"
                let clip = "rounds/\(round)/clips/\(id).wav"
                try writeAtomically(try wavData(a), to: (r.project as NSString).appendingPathComponent(clip))
                findings.append(MineFinding(id: id, kind: "false_reject", file: p.path, timeS: 0, score: rule.peak(trace), clip: clip))
            }
            progress(Double(negatives.count + i + 1) / Double(negatives.count + positives.count), "")
        }
        let findingsPath = "rounds/\(round)/findings.json"
        try writeJSON(MineFindingsFile(round: round, model: model, cutoff: state.miningCutoff ?? state.cutoff, findings: findings),
                      to: (r.project as NSString).appendingPathComponent(findingsPath))
        try writeAtomically(findingsPage(findings, round: round, cutoff: state.miningCutoff ?? state.cutoff),
                            to: (r.project as NSString).appendingPathComponent("rounds/\(round)/findings.html"))
        let hours = negatives.map(\.audio.seconds).reduce(0, +) / 3600
        let fa = findings.filter { $0.kind == "false_accept" }.count, fr = findings.count - fa
        var measured: EvalReport?
        let measuring = try r.measureDir.map(Corpus.load) ?? corpus
        if let split = r.measureSplit, !measuring.clips([.stream], split).isEmpty {
            measured = try evaluate(corpus: measuring, split: split, scorer: scorer, window: rule.window, refractoryMs: rule.refractoryMs,
                                    cutoff: state.cutoff, targetFAPerHour: 0.5, modelName: "round \(round) (float)", job: job)
            measured?.det = []
        }
        job.log(String(format: "round %d: %d false accepts in %.2f h (%.2f/h), %d of %d positives missed at cutoff %.3f%@",
                       round, fa, hours, hours > 0 ? Double(fa) / hours : 0, fr, positives.count, state.cutoff,
                       measured.map { String(format: "; %@: %.2f FA/h, FRR %.1f %%", $0.split, $0.falseAcceptsPerHour, $0.falseRejectRate * 100) } ?? ""))
        return MineRound(round: round, model: model, cutoff: state.cutoff, minedHours: hours, minedPositives: positives.count,
                         falseAccepts: fa, falseRejects: fr, falseAcceptsPerHour: hours > 0 ? Double(fa) / hours : 0,
                         falseRejectRate: positives.isEmpty ? 0 : Double(fr) / Double(positives.count), measured: measured,
                         findings: findingsPath, injected: nil, trainedModel: nil)
    }

    /// 1.5 s before `t` and 0.5 s after, as a WAV (the false accept's moment at `minedLeadSamples`).
    static func cut(_ audio: Audio, around t: Double, to path: String) throws {
        let end = Int((t * 16000).rounded())
        let lead = TrainingData.minedLeadSamples
        var out = [Int16](repeating: 0, count: lead + 8000)
        for i in out.indices {
            let j = end - lead + i
            if j >= 0 && j < audio.samples.count { out[i] = audio.samples[j] }
        }
        try writeAtomically(try wavData(Audio(samples: out)), to: path)
    }

    static func wavData(_ a: Audio) throws -> Data {
        let tmp = NSTemporaryDirectory() + "harken-mine-\(getpid())-\(UUID().uuidString).wav"
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        try a.writeWAV(to: tmp)
        return try Data(contentsOf: URL(fileURLWithPath: tmp))
    }

    /// Copies the chosen clips into the corpus (clips/mined/) and adds them to its manifest,
    /// training split, false accepts as negatives and false rejects as positives.
    static func injectMined(_ findings: [MineFinding], round: Int, project: String, dataDir: String) throws -> Int {
        let corpus = try Corpus.load(dataDir)
        let known = Set(corpus.records.map(\.path))
        let phrase = corpus.records.first { $0.kind == .positive }?.text ?? ""
        var added: [ClipRecord] = []
        let dir = (dataDir as NSString).appendingPathComponent("clips/mined")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for f in findings {
            let path = "clips/mined/\(f.id).wav"
            guard !known.contains(path) else { continue }
            let data = try Data(contentsOf: URL(fileURLWithPath: (project as NSString).appendingPathComponent(f.clip)))
            try writeAtomically(data, to: (dataDir as NSString).appendingPathComponent(path))
            let seconds = try Audio.read((dataDir as NSString).appendingPathComponent(path)).seconds
            let positive = f.kind == "false_reject"
            added.append(.mined(path: path, kind: positive ? .positive : .negative, seconds: seconds, source: f.file, timeS: f.timeS,
                                round: round, text: positive ? phrase : "(mined false accept)"))
        }
        try Corpus.writeManifest(corpus.records + added, to: dataDir)
        return added.count
    }

    /// Continues training `model` on the corpus (mined clips included) at a small learning rate.
    static func fineTune(model path: String, dataDir: String, epochs: Int, outDir: String, job: Job) throws -> String {
        let source = try SavedSentry.load(path)
        var config = try source.config ?? TrainConfig.preset("esp32")
        config.epochs = epochs
        config.learningRate = config.minLearningRate * 10
        config.warmupEpochs = 0
        let corpus = try Corpus.load(dataDir)
        let data = try TrainingData(corpus: corpus, windowFrames: source.model.spec.windowFrames, config: config)
        job.log("fine-tuning on \(data.hardNegatives.count) mined negatives beside \(data.negatives.count) negatives and \(data.positives.count) positives")
        let trainer = Trainer(config: config, data: data, outDir: outDir, phrase: source.phrase, model: source.model)
        try writeConfig(config, outDir: outDir)
        _ = try trainer.run(resume: true, job: job)
        var ranges = ActivationRanges()
        source.model.calibrate(try data.calibrationWindows(count: 512), into: &ranges)
        try SavedSentry.attach(ranges, to: trainer.modelPath)
        return outDir
    }

    /// findings.html: every finding with its clip to play and its score on a bar.
    static func findingsPage(_ findings: [MineFinding], round: Int, cutoff: Double) -> String {
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        var rows = ""
        for f in findings {
            let bar = String(format: "<svg width=\"120\" height=\"12\"><rect width=\"120\" height=\"12\" fill=\"#eee\"/><rect width=\"%.0f\" height=\"12\" fill=\"%@\"/><line x1=\"%.0f\" x2=\"%.0f\" y1=\"0\" y2=\"12\" stroke=\"black\"/></svg>",
                             f.score * 120, f.kind == "false_accept" ? "#c0392b" : "#1f5fbf", cutoff * 120, cutoff * 120)
            rows += "<tr><td>\(esc(f.id))</td><td>\(f.kind.replacingOccurrences(of: "_", with: " "))</td><td>\(esc(f.file))</td>"
                + String(format: "<td>%.2f s</td><td>%.3f %@</td>", f.timeS, f.score, bar)
                + "<td><audio controls preload=\"none\" src=\"../../\(esc(f.clip))\"></audio></td></tr>\n"
        }
        return """
        <!doctype html><html><head><meta charset="utf-8"><title>harken mine: round \(round)</title>
        <style>body{font-family:sans-serif}td,th{padding:2px 8px;text-align:left}</style></head><body>
        <h1>Round \(round): \(findings.count) findings at cutoff \(String(format: "%.3f", cutoff))</h1>
        <p>Inject chosen ones with <code>harken mine --inject ID,ID,...</code>, or all with <code>--auto</code>.</p>
        <table><tr><th>id</th><th>kind</th><th>file</th><th>time</th><th>score</th><th>clip</th></tr>
        \(rows)</table></body></html>

        """
    }
}
