// StudioEvaluation.swift: Evaluate and Mine over stored scores. An evaluation job scores a split
// once (`harken eval --out evaluations/ID`); every cutoff, window and refractory time after that is
// the same `DetectionRule.evaluate` `harken eval --cutoff` runs, on the kept traces.

import Foundation
import HarkenAudio
import HarkenData
import HarkenGraph
import HarkenStream
import HarkenSupport

public struct StudioEvaluation: Codable, Sendable {
    public var id: String
    public var model: String
    public var split: String
    public var created: Date
    public var positives: Int
    public var nearMisses: Int
    public var negativeHours: Double
}

/// evaluation.json: which model and split an evaluation folder scored.
public struct StudioEvaluationMeta: Codable, Sendable {
    public var schemaVersion = 1
    public var model: String
    public var split: String
}

public struct StudioOperatingPoint: Codable, Sendable {
    public struct FalseAcceptItem: Codable, Sendable { public var id: String; public var clip: String; public var timeS: Double; public var meanProbability: Double }
    public struct FalseRejectItem: Codable, Sendable { public var id: String; public var clip: String; public var peak: Double }
    public var schemaVersion = 1
    public var evaluation: String
    public var model: String
    public var split: String
    public var cutoff: Double
    public var window: Int
    public var refractoryMs: Int
    public var stepMs: Int
    public var frr: Estimate
    public var faPerHour: Estimate
    public var nearMiss: Estimate
    public var det: [DETPoint]
    public var falseAccepts: [FalseAcceptItem]
    public var falseRejects: [FalseRejectItem]
}

public struct StudioTrace: Codable, Sendable {
    public var schemaVersion = 1
    public var clip: String
    public var stepMs: Int
    public var startS: Double
    public var probabilities: [Double]
    public var means: [Double]
}

public struct StudioFinding: Codable, Sendable, Equatable {
    public var id: String
    /// false_accept (in running negative speech), near_miss (a near-miss clip accepted), false_reject.
    public var kind: String
    public var clip: String
    public var timeS: Double
    public var score: Double
    public var added: Bool
}

public struct StudioFindings: Codable, Sendable {
    public var schemaVersion = 1
    public var evaluation: String
    public var cutoff: Double
    public var items: [StudioFinding]
}

/// Stored scores loaded once per evaluation, and each detector's DET sweep once.
public final class StudioEvaluations: @unchecked Sendable {
    private var scores: [String: ModelScores] = [:]
    /// DET curves by evaluation, window and refractory time.
    private var curves: [String: [DETPoint]] = [:]
    private let lock = NSLock()

    public init() {}

    public func list(_ project: StudioProject) -> [StudioEvaluation] { project.evaluations() }

    func scores(_ project: StudioProject, id: String) throws -> ModelScores {
        try StudioProject.checkName(id, field: "evaluation")
        if let hit = lock.withLock({ scores[id] }) { return hit }
        let file = (project.evaluationsDir as NSString).appendingPathComponent("\(id)/scores.json")
        guard FileManager.default.fileExists(atPath: file) else { throw StudioError.notFound("evaluation '\(id)': no such evaluation (or it has not finished)") }
        let loaded = try StoredScores.load(file)
        lock.withLock { scores[id] = loaded }
        return loaded
    }

    /// FRR, false accepts per hour and near-miss acceptance with 95 % intervals at one operating
    /// point, the DET curve of its detector, and every false accept and false reject.
    public func operatingPoint(_ project: StudioProject, id: String, cutoff: Double?, window: Int?, refractoryMs: Int?) throws -> StudioOperatingPoint {
        let s = try scores(project, id: id)
        if let cutoff, !(cutoff > 0 && cutoff < 1) { throw StudioError.unprocessable("cutoff \(cutoff): expected a probability between 0 and 1") }
        if let window, !(1...100).contains(window) { throw StudioError.unprocessable("window \(window): expected 1...100 outputs") }
        if let refractoryMs, !(0...60_000).contains(refractoryMs) { throw StudioError.unprocessable("refractory_ms \(refractoryMs): expected 0...60000") }
        var rule = s.rule
        rule.window = window ?? rule.window
        rule.refractoryMs = refractoryMs ?? rule.refractoryMs
        let manifestCutoff = (try? project.modelManifest(evaluation: id))?.micro.probability_cutoff
        let chosen = cutoff ?? manifestCutoff
        let key = "\(id)|\(rule.window)|\(rule.refractoryMs)"
        let det = lock.withLock { curves[key] } ?? rule.det(s.scored)
        lock.withLock { curves[key] = det }
        let r = s.report(cutoff: chosen, targetFAPerHour: 0.5, rule: rule, det: det)
        let positives = s.scored.positives.count, nearMisses = s.scored.nearMisses.count
        let streamPaths = Set(s.scored.streams.map(\.path))
        let peaks = Dictionary(uniqueKeysWithValues: s.scored.positives.map { ($0.path, rule.peak($0.trace)) })
        let fas = r.falseAccepts.map {
            StudioOperatingPoint.FalseAcceptItem(id: Self.findingID(streamPaths.contains($0.clip) ? "fa" : "nm", $0.clip, $0.timeS),
                                                 clip: "corpus/" + $0.clip, timeS: $0.timeS, meanProbability: $0.meanProbability)
        }
        let frs = r.missed.map { StudioOperatingPoint.FalseRejectItem(id: Self.findingID("fr", $0, 0), clip: "corpus/" + $0, peak: peaks[$0] ?? 0) }
        let streamFAs = r.falseAccepts.filter { streamPaths.contains($0.clip) }.count
        return StudioOperatingPoint(evaluation: id, model: s.model, split: s.scored.split, cutoff: r.cutoff, window: rule.window,
                                    refractoryMs: rule.refractoryMs, stepMs: rule.stepMs,
                                    frr: .proportion(r.missed.count, of: positives), faPerHour: .rate(streamFAs, perHours: r.negativeHours),
                                    nearMiss: .proportion(Int((r.nearMissAcceptRate * Double(nearMisses)).rounded()), of: nearMisses),
                                    det: r.det, falseAccepts: fas, falseRejects: frs)
    }

    static func findingID(_ kind: String, _ clip: String, _ t: Double) -> String { "\(kind):\(clip)@\(String(format: "%.2f", t))" }

    /// The scores of one clip between two times, with the detector's window means.
    public func trace(_ project: StudioProject, id: String, clip: String, from: Double?, to: Double?, window: Int?) throws -> StudioTrace {
        let s = try scores(project, id: id)
        let path = clip.hasPrefix("corpus/") ? String(clip.dropFirst(7)) : clip
        guard let c = (s.scored.positives + s.scored.nearMisses + s.scored.streams).first(where: { $0.path == path }) else {
            throw StudioError.notFound("clip '\(clip)': not part of evaluation '\(id)'")
        }
        var rule = s.rule
        rule.window = window ?? rule.window
        let probabilities: [Double]
        switch c.trace {
        case .probabilities(let p): probabilities = p.map(Double.init)
        case .device(let b): probabilities = b.map { Double($0) / 256 }
        }
        let means = rule.windowMeans(c.trace).map { max(0, $0) }
        // Step i's time is (i + 1) steps + 20 ms, as the false accepts' times.
        let stepS = Double(rule.stepMs) / 1000
        let span = Double(probabilities.count + 1) * stepS + 0.02
        let from = min(max(from ?? 0, 0), span), to = min(max(to ?? span, 0), span)
        guard from <= to else { throw StudioError.unprocessable("from_s \(from) is after to_s \(to)") }
        let first = max(0, Int(((from - 0.02) / stepS).rounded(.down)) - 1)
        let last = max(first, min(probabilities.count, Int(((to - 0.02) / stepS).rounded(.up))))
        return StudioTrace(clip: "corpus/" + path, stepMs: rule.stepMs, startS: Double(first + 1) * stepS + 0.02,
                           probabilities: Array(probabilities[first..<last]), means: Array(means[first..<last]))
    }

    public func findings(_ project: StudioProject, id: String) throws -> StudioFindings {
        let op = try operatingPoint(project, id: id, cutoff: nil, window: nil, refractoryMs: nil)
        let mined = Set(project.corpus()?.records.compactMap { r in r.minedFrom.map { "\($0)@\(String(format: "%.2f", r.minedTimeS ?? 0))" } } ?? [])
        func added(_ clip: String, _ t: Double) -> Bool { mined.contains("\(clip.dropFirst(7))@\(String(format: "%.2f", t))") }
        let items = op.falseAccepts.map {
            StudioFinding(id: $0.id, kind: $0.id.hasPrefix("fa") ? "false_accept" : "near_miss", clip: $0.clip, timeS: $0.timeS,
                          score: $0.meanProbability, added: added($0.clip, $0.timeS))
        } + op.falseRejects.map { StudioFinding(id: $0.id, kind: "false_reject", clip: $0.clip, timeS: 0, score: $0.peak, added: added($0.clip, 0)) }
        return StudioFindings(evaluation: id, cutoff: op.cutoff, items: items)
    }

    /// Copies findings into the corpus's training split: false accepts (2 s around the moment)
    /// and accepted near misses as negatives, false rejects as positives, each with its provenance.
    /// Test-split findings are refused: training on them would make the test figures dishonest.
    public func addFindings(_ project: StudioProject, id: String, items: [(id: String, asKind: String)]) throws -> Int {
        let f = try findings(project, id: id)
        guard try scores(project, id: id).scored.split != "test" else {
            throw StudioError.conflict("evaluation '\(id)' is on the test split: mining it into training would make its figures dishonest; evaluate the train (or validation) split to mine")
        }
        let corpus = try Corpus.load(project.corpusDir)
        let phrase = corpus.records.first { $0.kind == .positive }?.text ?? project.settings().phrase
        var records = corpus.records, added = 0
        let dir = (project.corpusDir as NSString).appendingPathComponent("clips/mined")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (itemID, asKind) in items {
            guard let finding = f.items.first(where: { $0.id == itemID }) else {
                throw StudioError.unprocessable("items: '\(itemID)' is not a finding of evaluation '\(id)' at its cutoff \(f.cutoff)")
            }
            guard asKind == "negative" || asKind == "positive" else { throw StudioError.unprocessable("items: as '\(asKind)': expected negative or positive") }
            if finding.added { continue }
            let source = String(finding.clip.dropFirst(7))
            let audio = try Audio.read((project.corpusDir as NSString).appendingPathComponent(source))
            let name = "studio-\(UUID().uuidString.prefix(8).lowercased()).wav"
            let target = (dir as NSString).appendingPathComponent(name)
            if finding.kind == "false_accept" {
                try Pipeline.cut(audio, around: finding.timeS, to: target)
            } else {
                try Pipeline.writeAtomically(try Pipeline.wavData(audio), to: target)
            }
            let positive = asKind == "positive"
            records.append(.mined(path: "clips/mined/" + name, kind: positive ? .positive : .negative, seconds: try Audio.read(target).seconds,
                                  source: source, timeS: finding.timeS, round: 0, text: positive ? phrase : "(mined \(finding.kind.replacingOccurrences(of: "_", with: " ")))"))
            added += 1
        }
        try Corpus.writeManifest(records, to: project.corpusDir)
        return added
    }

    /// Writes the chosen cutoff and window into the model's manifest (the file export and
    /// firmware read), through a temporary file.
    public func saveOperatingPoint(_ project: StudioProject, id: String, cutoff: Double, window: Int) throws -> StudioModel {
        guard cutoff > 0 && cutoff < 1 else { throw StudioError.unprocessable("cutoff \(cutoff): expected a probability between 0 and 1") }
        guard (1...100).contains(window) else { throw StudioError.unprocessable("window \(window): expected 1...100") }
        let meta = try project.evaluationMeta(id)
        let model = try project.model(named: meta.model)
        let file = ModelManifest.besideModel(project.path(model.path))
        var manifest = try ModelManifest.load(path: file)
        manifest.micro.probability_cutoff = cutoff
        manifest.micro.sliding_window_size = window
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try Pipeline.writeAtomically(try e.encode(manifest), to: file)
        return try project.model(named: meta.model)
    }
}

extension StudioProject {
    public func evaluationMeta(_ id: String) throws -> StudioEvaluationMeta {
        try StudioProject.checkName(id, field: "evaluation")
        let file = (evaluationsDir as NSString).appendingPathComponent("\(id)/evaluation.json")
        guard let data = FileManager.default.contents(atPath: file) else { throw StudioError.notFound("evaluation '\(id)': no such evaluation") }
        return try HarkenJSON.decoder().decode(StudioEvaluationMeta.self, from: data)
    }

    /// The manifest of the model an evaluation scored, as it is now (its saved operating point).
    func modelManifest(evaluation id: String) throws -> ModelManifest {
        let model = try self.model(named: try evaluationMeta(id).model)
        return try ModelManifest.load(path: ModelManifest.besideModel(path(model.path)))
    }

    /// Finished evaluations (those with scores), newest first.
    public func evaluations() -> [StudioEvaluation] {
        let ids = ((try? FileManager.default.contentsOfDirectory(atPath: evaluationsDir)) ?? []).filter { !$0.hasPrefix(".") }
        return ids.compactMap { id -> StudioEvaluation? in
            let dir = (evaluationsDir as NSString).appendingPathComponent(id)
            guard let meta = try? evaluationMeta(id),
                  let created = StudioProject.modified((dir as NSString).appendingPathComponent("scores.json")) else { return nil }
            let report = FileManager.default.contents(atPath: (dir as NSString).appendingPathComponent("eval_report.json"))
                .flatMap { try? HarkenJSON.decoder().decode(EvalReport.self, from: $0) }
            return StudioEvaluation(id: id, model: meta.model, split: meta.split, created: created, positives: report?.positives ?? 0,
                                    nearMisses: report?.nearMisses ?? 0, negativeHours: report?.negativeHours ?? 0)
        }.sorted { $0.created > $1.created }
    }
}
