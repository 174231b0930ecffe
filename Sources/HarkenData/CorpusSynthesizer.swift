import Foundation
import HarkenAudio
import HarkenSupport

/// Positives, near misses, negative speech and noise for a wake phrase, from every
/// installed TTS engine and voice. Splits are by voice: a test voice is never heard in
/// training, so accuracy measured on the test split is speaker-independent.
public struct CorpusSynthesizer: Sendable {
    public var phrase: String
    public var seed: UInt64
    /// Rate, pitch and punctuation variations of the phrase per voice.
    public var variations: Int
    /// Near-miss phoneme strings spoken per espeak-ng voice.
    public var nearMissesPerVoice: Int
    /// Random negative sentences per voice.
    public var negativesPerVoice: Int
    /// Continuous negative speech from the test, validation and training voices.
    public var testStreamMinutes: Double
    public var validationStreamMinutes: Double
    public var trainStreamMinutes: Double

    /// The defaults make a corpus ready for `harken train` (shared by `harken synth` and `train`).
    public enum Default {
        public static let variations = 10, nearMisses = 6, negatives = 16
        public static let testMinutes = 120.0, validationMinutes = 120.0, trainMinutes = 60.0
    }

    public init(phrase: String, seed: UInt64 = 1, variations: Int = Default.variations, nearMissesPerVoice: Int = Default.nearMisses,
                negativesPerVoice: Int = Default.negatives, testStreamMinutes: Double = Default.testMinutes,
                validationStreamMinutes: Double = Default.validationMinutes, trainStreamMinutes: Double = Default.trainMinutes) {
        self.phrase = phrase
        self.seed = seed
        self.variations = variations
        self.nearMissesPerVoice = nearMissesPerVoice
        self.negativesPerVoice = negativesPerVoice
        self.testStreamMinutes = testStreamMinutes
        self.validationStreamMinutes = validationStreamMinutes
        self.trainStreamMinutes = trainStreamMinutes
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

    /// Words negative sentences are drawn from: everyday English, no word of the phrase.
    public func vocabulary() -> [String] {
        let banned = Set(phrase.lowercased().split(separator: " ").map { String($0.filter(\.isLetter)) })
        return CorpusSynthesizer.words.split(separator: " ").map(String.init).filter { !banned.contains($0) }
    }

    /// A sentence of 4 to 12 random words.
    static func sentence(_ words: [String], using rng: inout SplitMix64) -> String {
        let n = 4 + Int(rng.next() % 9)
        return (0..<n).map { _ in words[Int(rng.next() % UInt64(words.count))] }.joined(separator: " ")
    }

    static let words = """
        the a an and or but so if then when while because after before of to in on at by for with from about \
        over under between into through during without again once here there where why how all any both each \
        few more most other some such no not only own same than too very can will just should now I you he she \
        it we they me him her us them my your his its our their this that these those what which who whom be is \
        are was were been being have has had having do does did doing would could might must shall may time \
        year people way day man woman child world life hand part place case week company system program question \
        work government number night point home water room mother area money story fact month lot right study \
        book eye job word business issue side kind head house service friend father power hour game line end \
        member law car city community name president team minute idea kid body information back parent face \
        others level office door health person art war history party result change morning reason research girl \
        guy moment air teacher force education foot boy age policy music market sense nation plan college \
        interest death experience effect class control care field development role effort rate heart drug show \
        leader light voice wife police mind price report decision son view relationship town road arm difference \
        value building action model season society tax director position player record paper space ground form \
        event official matter center couple site project activity star table need court oil situation cost \
        industry figure street image phone data picture practice piece land product doctor wall patient worker \
        news test movie north love support technology step baby computer type attention film tree source organ \
        window garden kitchen bread coffee tea apple orange river mountain ocean island forest bridge train \
        bicycle airplane ticket letter pencil basket candle blanket pillow mirror ladder hammer bucket garden \
        yellow purple green blue red white black brown silver golden quiet loud early late happy tired hungry \
        warm cold bright dark soft heavy simple strange little big small long short old new young good bad \
        great high low open close walk run jump swim read write sing dance cook clean build drive carry \
        listen watch follow remember forget begin finish bring send keep hold turn move stand sit sleep wake \
        laugh smile cry wait call ask answer help learn teach buy sell pay give take find lose win play
        """

    public func run(outDir: String, progress: (@Sendable (Double) -> Void)? = nil) throws -> [ClipRecord] {
        let voices = Voice.available()
        guard !voices.isEmpty else { throw Executable.Failure.missing("espeak-ng") }
        var rng = SplitMix64(seed: seed)
        let phrasePhonemes = try Phonemes.of(phrase)
        var nearMisses = Phonemes.nearMisses(phrasePhonemes)
        nearMisses.shuffle(using: &rng)
        let words = vocabulary()
        let spellings = [phrase, phrase + ".", phrase + "!", phrase + "?", phrase.replacingOccurrences(of: " ", with: ", ")]
        struct Job: Sendable { var kind: ClipRecord.Kind; var voice: Voice; var text: String; var phonemes: String?; var rate: Double; var pitch: Int }
        var jobs: [Job] = []
        for (v, voice) in voices.enumerated() {
            for k in 0..<variations {
                let rate = 0.75 + 0.5 * Double(k) / Double(max(variations - 1, 1))
                let pitch = Int(rng.next() % 41) - 20
                jobs.append(Job(kind: .positive, voice: voice, text: spellings[(v + k) % spellings.count], rate: rate, pitch: pitch))
            }
            // Near misses are spelt in phonemes, which only espeak-ng reads.
            if voice.engine == "espeak-ng" {
                for j in 0..<nearMissesPerVoice where !nearMisses.isEmpty {
                    let p = nearMisses[(v * nearMissesPerVoice + j) % nearMisses.count]
                    jobs.append(Job(kind: .nearMiss, voice: voice, text: "[[\(p)]]", phonemes: p, rate: 1, pitch: 0))
                }
            }
            for _ in 0..<negativesPerVoice where !words.isEmpty {
                let rate = 0.8 + 0.4 * Double(rng.next() % 100) / 100
                jobs.append(Job(kind: .negative, voice: voice, text: CorpusSynthesizer.sentence(words, using: &rng), rate: rate, pitch: 0))
            }
        }
        let splits = voices.map { CorpusSynthesizer.split(of: $0, among: voices) }
        func of(_ split: ClipRecord.Split) -> [Int] { voices.indices.filter { splits[$0] == split } }
        let streams = streamPlan(of(.test), minutes: testStreamMinutes) + streamPlan(of(.validation), minutes: validationStreamMinutes)
            + streamPlan(of(.train), minutes: trainStreamMinutes)
        let total = Double(jobs.count + streams.count + 6)
        let done = Counter()

        let clipsDir = (outDir as NSString).appendingPathComponent("clips")
        for kind in ["positive", "near_miss", "negative", "noise", "stream"] {
            try FileManager.default.createDirectory(atPath: (clipsDir as NSString).appendingPathComponent(kind), withIntermediateDirectories: true)
        }
        // Speak on every core: each job's text, rate and pitch were drawn above, so the corpus
        // does not depend on the order jobs finish.
        let results = try concurrentMap(jobs) { n, job -> ClipRecord in
            let audio = try job.voice.speak(job.text, rate: job.rate, pitch: job.pitch)
            let rel = "clips/\(job.kind.rawValue)/\(String(format: "%05d", n)).wav"
            try audio.writeWAV(to: (outDir as NSString).appendingPathComponent(rel))
            progress?(Double(done.increment()) / total)
            return ClipRecord(path: rel, kind: job.kind, engine: job.voice.engine, voice: job.voice.name,
                              text: job.kind == .nearMiss ? job.phonemes! : job.text, phonemes: job.phonemes, rate: job.rate,
                              pitch: job.pitch, split: CorpusSynthesizer.split(of: job.voice, among: voices), seconds: audio.seconds)
        }
        var records = results
        let streamRecords = try concurrentMap(streams) { n, plan -> ClipRecord in
            let voice = voices[plan.voice]
            var r = SplitMix64(seed: seed ^ UInt64(n + 1) &* 0x9E37_79B9)
            var samples: [Int16] = []
            let target = Int(plan.minutes * 60 * Double(Audio.sampleRate))
            while samples.count < target {
                let text = CorpusSynthesizer.sentence(words, using: &r)
                let rate = 0.8 + 0.4 * Double(r.next() % 100) / 100
                samples += try voice.speak(text, rate: rate, pitch: Int(r.next() % 21) - 10).samples
                samples += [Int16](repeating: 0, count: Int(r.next() % 16000) + 1600)
            }
            let audio = Audio(samples: Array(samples.prefix(target)))
            let rel = "clips/stream/\(String(format: "%03d", n)).wav"
            try audio.writeWAV(to: (outDir as NSString).appendingPathComponent(rel))
            progress?(Double(done.increment()) / total)
            return ClipRecord(path: rel, kind: .stream, engine: voice.engine, voice: voice.name, text: "", phonemes: nil, rate: 1, pitch: 0,
                              split: splits[plan.voice], seconds: audio.seconds)
        }
        records += streamRecords
        // Noise: white, brown, a tone, silence, and babble of four negative sentences at once per
        // split, 4 s each; each split hears its own babble.
        var noise: [(String, Audio, ClipRecord.Split)] = []
        for (i, kind) in ["white", "brown", "tone", "silence"].enumerated() {
            noise.append((kind, Noise.make(kind, seconds: 4, rng: &rng), i == 2 ? .test : .train))
        }
        for split in [ClipRecord.Split.train, .test] {
            let speech = records.filter { $0.kind == .negative && $0.split == split }
            guard speech.count >= 4 else { continue }
            let picks = (0..<4).map { _ in speech[Int(rng.next() % UInt64(speech.count))] }
            let clips = try picks.map { try Audio.read((outDir as NSString).appendingPathComponent($0.path)).samples }
            let n = 4 * Audio.sampleRate
            let babble = (0..<n).map { i in Int16(clamping: clips.reduce(0) { $0 + Int($1.isEmpty ? 0 : $1[i % $1.count]) } / 2) }
            noise.append(("babble-\(split.rawValue)", Audio(samples: babble), split))
        }
        for (kind, audio, split) in noise {
            let rel = "clips/noise/\(kind).wav"
            try audio.writeWAV(to: (outDir as NSString).appendingPathComponent(rel))
            records.append(ClipRecord(path: rel, kind: .noise, engine: "harken", voice: kind, text: "", phonemes: nil, rate: 1, pitch: 0,
                                      split: split, seconds: audio.seconds))
        }
        progress?(1)
        let lines = try records.map { try HarkenJSON.string($0, pretty: false) }.joined(separator: "\n") + "\n"
        let manifest = (outDir as NSString).appendingPathComponent("manifest.jsonl")
        let tmp = manifest + ".tmp-\(getpid())"
        try lines.write(toFile: tmp, atomically: false, encoding: .utf8)
        guard rename(tmp, manifest) == 0 else { throw CocoaError(.fileWriteUnknown) }
        return records
    }

    /// Splits `minutes` between `voices` in files of at most ten minutes.
    private func streamPlan(_ voices: [Int], minutes: Double) -> [(voice: Int, minutes: Double)] {
        guard minutes > 0, !voices.isEmpty else { return [] }
        let perVoice = minutes / Double(voices.count)
        return voices.flatMap { v -> [(voice: Int, minutes: Double)] in
            let files = Int((perVoice / 10).rounded(.up))
            return (0..<files).map { _ in (v, perVoice / Double(files)) }
        }
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
