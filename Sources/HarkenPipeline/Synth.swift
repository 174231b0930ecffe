import Foundation
import HarkenData
import HarkenSupport

/// Everything `harken synth` takes; defaults are `CorpusSynthesizer.Default`'s.
public struct SynthRequest: Sendable {
    public var phrase: String
    public var outDir: String
    public var seed: UInt64 = 1
    public var variations = CorpusSynthesizer.Default.variations
    public var nearMisses = CorpusSynthesizer.Default.nearMisses
    public var negatives = CorpusSynthesizer.Default.negatives
    public var testMinutes = CorpusSynthesizer.Default.testMinutes
    public var validationMinutes = CorpusSynthesizer.Default.validationMinutes
    public var trainMinutes = CorpusSynthesizer.Default.trainMinutes
    public var speakers = CorpusSynthesizer.Default.speakers

    public init(phrase: String, outDir: String) { self.phrase = phrase; self.outDir = outDir }
}

/// What `harken synth` reports: clip counts by kind and split, and the voices heard.
public struct SynthReport: Codable, Sendable {
    public var schemaVersion = 1
    public var clips: Int
    public var byKind: [String: Int]
    public var bySplit: [String: Int]
    public var voices: Int
    public var manifest: String
}

extension Pipeline {
    /// `harken synth`: a corpus for the phrase from every installed TTS voice (see `CorpusSynthesizer`).
    public static func synthesize(_ r: SynthRequest, job: Job = .silent) throws -> SynthReport {
        let progress = job.stage("synth")
        let records = try CorpusSynthesizer(phrase: r.phrase, seed: r.seed, variations: r.variations, nearMissesPerVoice: r.nearMisses,
                                            negativesPerVoice: r.negatives, testStreamMinutes: r.testMinutes,
                                            validationStreamMinutes: r.validationMinutes, trainStreamMinutes: r.trainMinutes,
                                            speakers: r.speakers)
            .run(outDir: r.outDir, progress: { progress($0, "") }, log: job.log)
        return SynthReport(clips: records.count,
                           byKind: Dictionary(grouping: records, by: \.kind.rawValue).mapValues(\.count),
                           bySplit: Dictionary(grouping: records, by: \.split.rawValue).mapValues(\.count),
                           voices: Set(records.filter { $0.kind == .positive }.map(\.voice)).count,
                           manifest: (r.outDir as NSString).appendingPathComponent("manifest.jsonl"))
    }
}
