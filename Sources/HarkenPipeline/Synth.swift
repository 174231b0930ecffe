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

/// `harken synth --measure-throughput`: how fast each engine speaks through Harken's own path
/// (engine, 16 kHz resampling, and for the multiplied speakers the vocal-tract move).
public struct SynthThroughput: Codable, Sendable {
    public struct Engine: Codable, Sendable {
        public var engine: String
        public var speaker: String
        public var utterances: Int
        public var audioSeconds: Double
        public var wallSeconds: Double
        /// Seconds of audio per second of wall time, on one core.
        public var audioSecondsPerSecond: Double
    }
    public var schemaVersion = 1
    public var engines: [Engine]
}

extension Pipeline {
    /// Each installed engine's first voice (and espeak-ng's at a vocal-tract factor) speaking the
    /// same `count` training sentences, one batch each, one after another.
    public static func synthesisThroughput(count: Int = 20, job: Job = .silent) throws -> SynthThroughput {
        let sentences = Array(try TextSources.sentences(.training).prefix(count))
        let voices = Voice.available(report: job.log)
        var speakers: [Speaker] = []
        for engine in ["espeak-ng", "flite", "festival", "piper"] {
            guard let v = voices.first(where: { $0.engine == engine }) else { continue }
            speakers.append(Speaker(voice: v))
            if engine == "espeak-ng" { speakers.append(Speaker(voice: v, formant: 1.08)) }
        }
        var out: [SynthThroughput.Engine] = []
        for s in speakers {
            let t0 = Date()
            let audio = try s.speakAll(sentences.map { Utterance($0) })
            let wall = Date().timeIntervalSince(t0)
            let seconds = audio.map(\.seconds).reduce(0, +)
            out.append(.init(engine: s.voice.engine, speaker: s.id, utterances: audio.count, audioSeconds: seconds, wallSeconds: wall,
                             audioSecondsPerSecond: seconds / max(wall, 1e-9)))
        }
        return SynthThroughput(engines: out)
    }
}
