import Foundation
import HarkenAudio
import HarkenSupport

/// One clip of a synthesized corpus, as a line of `manifest.jsonl`.
public struct ClipRecord: Codable, Sendable, Equatable {
    public var schemaVersion: Int? = 1
    public enum Kind: String, Codable, Sendable {
        case positive, nearMiss = "near_miss", negative, noise
        /// Minutes of continuous negative speech from one voice, for false accepts per hour.
        case stream
    }
    public enum Split: String, Codable, Sendable { case train, validation, test }

    public var path: String        // relative to the corpus folder
    public var kind: Kind
    public var engine: String
    public var voice: String
    public var text: String
    public var phonemes: String?
    public var rate: Double
    public var pitch: Int
    public var split: Split
    public var seconds: Double

    // What the stress benchmark knows about a clip (nil in training corpora).
    /// "clean", "reverb", "noise" or "reverb+noise".
    public var condition: String?
    /// The background: "white", "pink", "brown", "babble", "music", "effect".
    public var noise: String?
    public var snrDb: Double?
    public var rt60S: Double?
    /// Speech level (RMS of the voiced part) in dB below full scale.
    public var levelDbfs: Double?
    /// Vocal-tract factor of a multiplied speaker (1: the voice as the engine speaks it).
    public var formant: Double?
    /// "neighbour" or "partial" for near misses.
    public var nearMissKind: String?
    /// Where the phrase is spoken in the clip (positives), for the delay after its end.
    public var phraseStartS: Double?
    public var phraseEndS: Double?

    // Provenance of a clip `harken mine` added: the audio it was cut from, where, and in which round.
    public var minedFrom: String?
    public var minedTimeS: Double?
    public var minedRound: Int?

    /// A clip cut by `harken mine` from `source` around `timeS`, for the training split.
    public static func mined(path: String, kind: Kind, seconds: Double, source: String, timeS: Double, round: Int, text: String) -> ClipRecord {
        var r = ClipRecord(path: path, kind: kind, engine: "mined", voice: "mined", text: text, rate: 1, pitch: 0, split: .train, seconds: seconds)
        r.minedFrom = source
        r.minedTimeS = timeS
        r.minedRound = round
        return r
    }
}

/// A synthesized (or user-made) corpus: `manifest.jsonl` and the clips it lists.
public struct Corpus: Sendable {
    public let root: String
    public let records: [ClipRecord]

    public static func load(_ root: String) throws -> Corpus {
        let path = (root as NSString).appendingPathComponent("manifest.jsonl")
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CorpusError.unreadable("\(path): cannot read the manifest (run harken synth --out \(root) first)")
        }
        var records: [ClipRecord] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            do { records.append(try HarkenJSON.decoder().decode(ClipRecord.self, from: Data(line.utf8))) } catch {
                throw CorpusError.unreadable("\(path) line \(i + 1): not a clip record (\(error))")
            }
        }
        guard !records.isEmpty else { throw CorpusError.unreadable("\(path): no clips") }
        return Corpus(root: root, records: records)
    }

    public func clips(_ kinds: Set<ClipRecord.Kind>, _ split: ClipRecord.Split) -> [ClipRecord] {
        records.filter { kinds.contains($0.kind) && $0.split == split }
    }

    /// A clip as float samples (training windows are mixed in float).
    public func samples(_ r: ClipRecord) throws -> [Float] {
        try audio(r).samples.map(Float.init)
    }

    /// A clip as the 16-bit audio it was written as (what the frontend streams).
    public func audio(_ r: ClipRecord) throws -> Audio {
        try Corpus.audio((root as NSString).appendingPathComponent(r.path))
    }

    static func audio(_ path: String) throws -> Audio {
        do { return try Audio.read(path) } catch {
            throw CorpusError.unreadable("\(path): \(error)")
        }
    }

    /// Every audio file in a user folder (recordings or noise), each as one clip; throws on the first
    /// file that cannot be read.
    public static func folder(_ dir: String) throws -> [[Float]] {
        var broken: String?
        let clips = try folder(dir) { if broken == nil { broken = $0 } }
        if let broken { throw CorpusError.unreadable(broken) }
        return clips
    }

    /// Every audio file libsndfile reads in a user folder (WAV, FLAC, OGG, ...), each as one clip, in
    /// sorted name order. A file that cannot be decoded, or is silent, is named once through `report`
    /// and skipped; throws only when the folder cannot be read or no usable file remains.
    public static func folder(_ dir: String, report: (String) -> Void) throws -> [[Float]] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else {
            throw CorpusError.unreadable("\(dir): cannot read the folder")
        }
        let files = names.filter { SoundBank.extensions.contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
        var clips: [[Float]] = []
        for name in files {
            let path = (dir as NSString).appendingPathComponent(name)
            do { clips.append(try SoundFile.read(path).samples.map(Float.init)) } catch { report("\(error)") }
        }
        guard !clips.isEmpty else {
            throw CorpusError.unreadable("\(dir): no usable audio file (looked for \(SoundBank.extensions.sorted().joined(separator: ", ")); \(files.count) found)")
        }
        return clips
    }
}

/// A corpus (or a user folder) that cannot be read: the message names the file or folder.
public enum CorpusError: CodedError, Equatable {
    public static let domain = "corpus"
    case unreadable(String)

    public var description: String {
        switch self {
        case let .unreadable(message): return message
        }
    }
}
