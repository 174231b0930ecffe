import Foundation
import HarkenAudio
import HarkenSupport

/// One clip of a synthesized corpus, as a line of `manifest.jsonl`.
public struct ClipRecord: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case positive, nearMiss = "near_miss", negative, noise }
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
}

/// Positives, near misses, negative speech and noise for a wake phrase, from every
/// installed TTS engine and voice. Splits are by voice: a test voice is never heard in
/// training, so accuracy measured on the test split is speaker-independent.
public struct CorpusSynthesizer: Sendable {
    public var phrase: String
    public var seed: UInt64
    /// Rate and pitch variations per voice for each positive.
    public var variations: Int
    /// Near-miss phoneme strings spoken per voice.
    public var nearMissesPerVoice: Int

    public init(phrase: String, seed: UInt64 = 1, variations: Int = 3, nearMissesPerVoice: Int = 2) {
        self.phrase = phrase
        self.seed = seed
        self.variations = variations
        self.nearMissesPerVoice = nearMissesPerVoice
    }

    /// Every fifth voice of an engine (in name order) is held out for test, the next for validation.
    public static func split(of voice: Voice, among voices: [Voice]) -> ClipRecord.Split {
        let same = voices.filter { $0.engine == voice.engine }.map(\.name).sorted()
        let i = same.firstIndex(of: voice.name) ?? 0
        switch i % 5 {
        case 2: return .test
        case 4: return .validation
        default: return .train
        }
    }

    /// Sentences that never contain a word of the phrase, for general negative speech.
    static let sentences = [
        "the weather looks clear for the rest of the week", "please put the kettle on before the meeting",
        "turn left at the second traffic light", "my sister bought a new bicycle yesterday",
        "can you remind me to water the plants", "the library closes at eight tonight",
        "we should paint the kitchen a lighter color", "the train to the city leaves at noon",
        "this soup needs a little more salt", "the children are playing in the garden",
        "open the window, it is warm in here", "I could not find my keys this morning",
        "the concert was louder than I expected", "send the report to the whole team",
        "there is a spider on the ceiling", "a quiet evening with a good book",
        "the dog barked at the delivery van", "set an alarm for half past six",
        "how far is the nearest pharmacy", "the museum has a new dinosaur exhibit",
    ]

    public func negativeSentences() -> [String] {
        let words = Set(phrase.lowercased().split(separator: " ").map(String.init))
        return CorpusSynthesizer.sentences.filter { Set($0.lowercased().split(separator: " ").map { String($0.filter(\.isLetter)) }).isDisjoint(with: words) }
    }

    public func run(outDir: String, progress: ((Double) -> Void)? = nil) throws -> [ClipRecord] {
        let voices = Voice.available()
        guard !voices.isEmpty else { throw Executable.Failure.missing("espeak-ng") }
        var rng = SplitMix64(seed: seed)
        let phrasePhonemes = try Phonemes.of(phrase)
        var nearMisses = Phonemes.nearMisses(phrasePhonemes)
        nearMisses.shuffle(using: &rng)
        let negatives = negativeSentences()
        var records: [ClipRecord] = []
        var jobs: [(ClipRecord.Kind, Voice, String, String?, Double, Int)] = []
        for (v, voice) in voices.enumerated() {
            for k in 0..<variations {
                let rate = 0.8 + 0.4 * Double(k) / Double(max(variations - 1, 1))
                let pitch = Int(rng.next() % 41) - 20
                jobs.append((.positive, voice, phrase, nil, rate, pitch))
            }
            // Near misses are spelt in phonemes, which only espeak-ng reads.
            if voice.engine == "espeak-ng" {
                for j in 0..<nearMissesPerVoice where !nearMisses.isEmpty {
                    let p = nearMisses[(v * nearMissesPerVoice + j) % nearMisses.count]
                    jobs.append((.nearMiss, voice, "[[\(p)]]", p, 1, 0))
                }
            }
            if !negatives.isEmpty { jobs.append((.negative, voice, negatives[v % negatives.count], nil, 1, 0)) }
        }
        for (n, job) in jobs.enumerated() {
            let (kind, voice, text, phonemes, rate, pitch) = job
            let audio = try voice.speak(text, rate: rate, pitch: pitch)
            let rel = "clips/\(kind.rawValue)/\(String(format: "%05d", n)).wav"
            let path = (outDir as NSString).appendingPathComponent(rel)
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try audio.writeWAV(to: path)
            records.append(ClipRecord(path: rel, kind: kind, engine: voice.engine, voice: voice.name,
                                      text: kind == .nearMiss ? phonemes! : text, phonemes: phonemes, rate: rate, pitch: pitch,
                                      split: CorpusSynthesizer.split(of: voice, among: voices), seconds: audio.seconds))
            progress?(Double(n + 1) / Double(jobs.count + 4))
        }
        // Noise: white, brown, a tone and silence, 4 s each, split like a voice of its own.
        for (i, kind) in ["white", "brown", "tone", "silence"].enumerated() {
            let audio = Noise.make(kind, seconds: 4, rng: &rng)
            let rel = "clips/noise/\(kind).wav"
            try FileManager.default.createDirectory(atPath: (outDir as NSString).appendingPathComponent("clips/noise"), withIntermediateDirectories: true)
            try audio.writeWAV(to: (outDir as NSString).appendingPathComponent(rel))
            records.append(ClipRecord(path: rel, kind: .noise, engine: "harken", voice: kind, text: "", phonemes: nil, rate: 1, pitch: 0,
                                      split: i == 2 ? .test : .train, seconds: audio.seconds))
        }
        progress?(1)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let lines = try records.map { String(decoding: try encoder.encode($0), as: UTF8.self) }.joined(separator: "\n") + "\n"
        let manifest = (outDir as NSString).appendingPathComponent("manifest.jsonl")
        let tmp = manifest + ".tmp-\(getpid())"
        try lines.write(toFile: tmp, atomically: false, encoding: .utf8)
        guard rename(tmp, manifest) == 0 else { throw CocoaError(.fileWriteUnknown) }
        return records
    }
}

/// Synthetic noise backgrounds (deterministic for a generator state).
public enum Noise {
    public static func make(_ kind: String, seconds: Double, rng: inout SplitMix64) -> Audio {
        let n = Int(seconds * Double(Audio.sampleRate))
        func uniform() -> Double { Double(rng.next() >> 11) / Double(1 << 53) * 2 - 1 }
        switch kind {
        case "white": return Audio(samples: (0..<n).map { _ in Int16(uniform() * 3000) })
        case "brown":
            var y = 0.0
            return Audio(samples: (0..<n).map { _ in y = 0.995 * y + uniform() * 300; return Int16(clamping: Int(y)) })
        case "tone": return Audio(samples: (0..<n).map { Int16(4000 * sin(2 * Double.pi * 440 * Double($0) / 16000)) })
        default: return Audio(samples: [Int16](repeating: 0, count: n))
        }
    }
}
