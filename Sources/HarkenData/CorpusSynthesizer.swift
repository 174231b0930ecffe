import Foundation
import HarkenAudio
import HarkenSupport

/// Positives, near misses, negative speech and noise for a wake phrase, from every installed TTS
/// voice the stress benchmark does not hold out (`StressBenchmark.isHeldOut`). Splits are by voice
/// (a voice's multiplied speakers stay with it): a test or validation voice is never heard in
/// training. The validation split is heard as the stress benchmark hears its clips (rooms, noise
/// down to 0 dB, quiet and loud speech), so the cutoff and the early stop chosen on it hold on
/// hard audio; the test split stays clean (the figure earlier releases reported).
public struct CorpusSynthesizer: Sendable {
    public var phrase: String
    public var seed: UInt64
    /// Positives per speaker (rate, pitch and punctuation drawn for each).
    public var variations: Int
    /// Near misses per speaker: espeak-ng phoneme neighbours, and neighbour or partial texts.
    public var nearMissesPerVoice: Int
    /// Natural negative sentences per speaker, as single clips.
    public var negativesPerVoice: Int
    /// Continuous negative speech from the test, validation and training voices.
    public var testStreamMinutes: Double
    public var validationStreamMinutes: Double
    public var trainStreamMinutes: Double
    /// Training speakers (voices at a vocal-tract factor); validation and test get a fifth each.
    public var speakers: Int

    /// The defaults make a corpus ready for `harken train` (shared by `harken synth` and `train`).
    public enum Default {
        public static let variations = 4, nearMisses = 3, negatives = 4, speakers = 300
        /// Six hours of validation speech resolve the shipped cutoff's false accepts to 1/6 per hour.
        public static let testMinutes = 120.0, validationMinutes = 360.0, trainMinutes = 600.0
    }

    /// Vocal-tract factors of training speakers (the stress benchmark's go further).
    public static let formants = [0.92, 1.0, 1.08]

    public init(phrase: String, seed: UInt64 = 1, variations: Int = Default.variations, nearMissesPerVoice: Int = Default.nearMisses,
                negativesPerVoice: Int = Default.negatives, testStreamMinutes: Double = Default.testMinutes,
                validationStreamMinutes: Double = Default.validationMinutes, trainStreamMinutes: Double = Default.trainMinutes,
                speakers: Int = Default.speakers) {
        self.phrase = phrase
        self.seed = seed
        self.variations = variations
        self.nearMissesPerVoice = nearMissesPerVoice
        self.negativesPerVoice = negativesPerVoice
        self.testStreamMinutes = testStreamMinutes
        self.validationStreamMinutes = validationStreamMinutes
        self.trainStreamMinutes = trainStreamMinutes
        self.speakers = speakers
    }

    /// Every fifth voice of an engine (in name order) is held out for test, the next for validation.
    /// espeak-ng's voices split by variant: a variant is one synthetic speaker in every accent.
    public static func split(of voice: Voice, among voices: [Voice]) -> ClipRecord.Split {
        func key(_ v: Voice) -> String { v.engine == "espeak-ng" ? String(v.name.split(separator: "+", maxSplits: 1).dropFirst().first ?? "") : v.name }
        let same = Set(voices.filter { $0.engine == voice.engine }.map(key)).sorted()
        let i = same.firstIndex(of: key(voice)) ?? 0
        switch i % 5 {
        case 2: return .test
        case 4: return .validation
        default: return .train
        }
    }

    /// The speakers of each split: every voice of the small engines, a sample of espeak-ng's
    /// (language × variant) voices, each at one vocal-tract factor drawn for it.
    func speakers(_ voices: [Voice], rng: inout SplitMix64) -> [ClipRecord.Split: [Speaker]] {
        var out: [ClipRecord.Split: [Speaker]] = [:]
        for split in [ClipRecord.Split.train, .validation, .test] {
            var pool = voices.filter { CorpusSynthesizer.split(of: $0, among: voices) == split }
            let wanted = split == .train ? speakers : max(speakers / 5, 1)
            let fixed = pool.filter { $0.engine != "espeak-ng" }
            pool = pool.filter { $0.engine == "espeak-ng" }
            pool.shuffle(using: &rng)
            let chosen = fixed + pool.prefix(max(wanted - fixed.count, 0))
            out[split] = chosen.map { Speaker(voice: $0, formant: CorpusSynthesizer.formants[Int(rng.next() % 3)]) }
        }
        return out
    }

    struct Job: Sendable {
        var kind: ClipRecord.Kind
        var speaker: Speaker
        var split: ClipRecord.Split
        var utterance: Utterance
        var nearMissKind: String?
    }

    public func run(outDir: String, progress: (@Sendable (Double) -> Void)? = nil, log: (String) -> Void = { _ in }) throws -> [ClipRecord] {
        let voices = Voice.available(report: log).filter { !StressBenchmark.isHeldOut($0) }
        guard !voices.isEmpty else { throw Executable.Failure.missing("espeak-ng") }
        var rng = SplitMix64(seed: seed)
        let bySplit = speakers(voices, rng: &rng)
        let phraseWords = Set(TextSources.words(phrase))
        // Running speech reads the whole pool (it is cached across phrases, and the sentences with
        // the phrase's words are silenced in each copy); the single negative clips never say them.
        let allSentences = try TextSources.sentences(.training)
        let sentences = allSentences.filter { Set(TextSources.words($0)).isDisjoint(with: phraseWords) }
        guard !sentences.isEmpty else { throw CorpusError.unreadable("training text sources: no sentences") }
        var phonemeMisses = Phonemes.nearMisses(try Phonemes.of(phrase))
        phonemeMisses.shuffle(using: &rng)
        // Training hears every other phonetic neighbour and every partial phrase; the stress
        // benchmark reports each neighbour text, so half of them stay unheard until it.
        let texts = try Phonemes.nearMissTexts(of: phrase)
        let textMisses = texts.neighbours.enumerated().filter { $0.offset % 2 == 0 }.map(\.element) + texts.partials
        let spellings = [phrase, phrase + ".", phrase + "!", phrase + "?", phrase.replacingOccurrences(of: " ", with: ", ")]
        func pick<T>(_ a: [T]) -> T { a[Int(rng.next() % UInt64(a.count))] }

        var jobs: [Job] = []
        for split in [ClipRecord.Split.train, .validation, .test] {
            for (v, speaker) in (bySplit[split] ?? []).enumerated() {
                for k in 0..<variations {
                    let rate = 0.75 + 0.5 * Double(k) / Double(max(variations - 1, 1))
                    jobs.append(Job(kind: .positive, speaker: speaker, split: split,
                                    utterance: Utterance(spellings[(v + k) % spellings.count], rate: rate, pitch: Int(rng.next() % 41) - 20)))
                }
                for j in 0..<nearMissesPerVoice {
                    // Phoneme strings only espeak-ng reads; every engine reads the texts.
                    if speaker.voice.engine == "espeak-ng", j % 2 == 0, !phonemeMisses.isEmpty {
                        jobs.append(Job(kind: .nearMiss, speaker: speaker, split: split,
                                        utterance: Utterance("[[\(pick(phonemeMisses))]]"), nearMissKind: "phonemes"))
                    } else if !textMisses.isEmpty {
                        let m = pick(textMisses)
                        jobs.append(Job(kind: .nearMiss, speaker: speaker, split: split, utterance: Utterance(m.text, rate: 0.8 + 0.4 * Double(rng.nextUniform())),
                                        nearMissKind: m.kind.rawValue))
                    }
                }
                for _ in 0..<negativesPerVoice {
                    jobs.append(Job(kind: .negative, speaker: speaker, split: split,
                                    utterance: Utterance(pick(sentences), rate: 0.8 + 0.4 * Double(rng.nextUniform()), pitch: Int(rng.next() % 21) - 10)))
                }
            }
        }
        let clipsDir = (outDir as NSString).appendingPathComponent("clips")
        for kind in ["positive", "near_miss", "negative", "noise", "stream"] {
            try FileManager.default.createDirectory(atPath: (clipsDir as NSString).appendingPathComponent(kind), withIntermediateDirectories: true)
        }
        let streamsPlanned = Int((trainStreamMinutes + validationStreamMinutes + testStreamMinutes) / 10) + 1
        let total = Double(jobs.count + streamsPlanned * 40 + 20)

        // Speak on every core, one batch per voice (Piper starts once per voice); each job's text,
        // rate and pitch were drawn above, so the corpus does not depend on the order.
        let audio = try Speaker.speak(jobs.map { ($0.speaker, $0.utterance) }) { n in progress?(Double(n) / total) }
        // The streams' progress continues from the clips'.
        let done = Counter()
        _ = done.add(jobs.count)

        // Backgrounds: synthetic noise, babble, and the training pool's recorded music and effects.
        var beds: [(name: String, audio: [Float], split: ClipRecord.Split)] = []
        for kind in ["white", "pink", "brown", "tone", "silence"] {
            beds.append((kind, Noise.make(kind, seconds: 8, rng: &rng).samples.map(Float.init), kind == "tone" ? .test : .train))
        }
        for split in [ClipRecord.Split.train, .validation, .test] {
            let speech = jobs.indices.filter { jobs[$0].kind == .negative && jobs[$0].split == split }
            guard speech.count >= 2 else { continue }
            let voicesInBabble = (0..<8).map { _ in audio[pick(speech)].samples.map(Float.init) }
            let n = 8 * Audio.sampleRate
            beds.append(("babble-\(split.rawValue)", (0..<n).map { i in voicesInBabble.reduce(0) { $0 + $1[i % $1.count] } / 3 }, split))
        }
        for category in [Sound.Category.music, .effect] {
            for (k, sound) in SoundBank.load(.training, category: category, maxSeconds: 20, maxFiles: 24, report: log).enumerated() {
                // A third of the recorded sounds make the validation voices' scenes.
                beds.append(("\(category.rawValue)-\(k)", sound.audio.samples.map(Float.init), k % 3 == 2 ? .validation : .train))
            }
        }
        var records: [ClipRecord] = []
        for (name, samples, split) in beds {
            let rel = "clips/noise/\(name).wav"
            let clip = Audio(samples: samples.map { Int16(clamping: Int($0.rounded())) })
            try clip.writeWAV(to: (outDir as NSString).appendingPathComponent(rel))
            records.append(ClipRecord(path: rel, kind: .noise, engine: "harken", voice: name, text: "", phonemes: nil, rate: 1, pitch: 0,
                                      split: split, seconds: clip.seconds))
        }
        let validationBeds = beds.filter { $0.split != .test }.map { (name: $0.name.split(separator: "-").first.map(String.init) ?? $0.name, audio: $0.audio) }
        let rooms = (0..<16).map { _ in Room.random(rt60: 0.2...1.0, using: &rng) }
        let rirs = try concurrentMap(rooms) { _, r in r.impulseResponse() }

        for (n, job) in jobs.enumerated() {
            var clip = audio[n]
            var scene: Scene?, phrase: ClosedRange<Double>?
            if job.split == .validation && job.kind != .negative {
                // Validation voices are heard as the stress benchmark hears its clips.
                let s = Scene.draw(index: n, beds: validationBeds, rirs: rirs.count, rng: &rng)
                let rendered = s.render(AudioMath.voiced(clip.samples.map(Float.init)), beds: validationBeds, rirs: rirs,
                                        lead: 8000, tail: 8000, rng: &rng)
                clip = Audio(samples: rendered.samples)
                scene = s
                if job.kind == .positive { phrase = 0.5...rendered.speechEndS }
            }
            let rel = "clips/\(job.kind.rawValue)/\(String(format: "%05d", n)).wav"
            try clip.writeWAV(to: (outDir as NSString).appendingPathComponent(rel))
            let text = job.utterance.text
            let phonemes = text.hasPrefix("[[") ? String(text.dropFirst(2).dropLast(2)) : nil
            records.append(ClipRecord(path: rel, kind: job.kind, engine: job.speaker.voice.engine, voice: job.speaker.id,
                                      text: phonemes ?? text, phonemes: phonemes, rate: job.utterance.rate, pitch: job.utterance.pitch,
                                      split: job.split, seconds: clip.seconds, condition: scene?.condition, noise: scene?.noise,
                                      snrDb: scene?.snr, rt60S: scene?.rir.map { rooms[$0].rt60 }, levelDbfs: scene?.level,
                                      formant: job.speaker.formant, nearMissKind: job.nearMissKind,
                                      phraseStartS: phrase?.lowerBound, phraseEndS: phrase?.upperBound))
        }

        // Running speech: natural sentences in ten-minute files, four speakers each. Training's and
        // validation's streams are cached across phrases (they do not depend on the phrase; sentences
        // with its words are silenced in the copy); validation's are then heard in noise and rooms.
        var streamIndex = 0
        for (split, minutes) in [(ClipRecord.Split.train, trainStreamMinutes), (.validation, validationStreamMinutes), (.test, testStreamMinutes)] {
            guard minutes > 0, let cast = bySplit[split], !cast.isEmpty else { continue }
            let files = Int((minutes / 10).rounded(.up))
            let salt: UInt64 = split == .train ? 0x100 : split == .validation ? 0x200 : 0x300
            let seconds = minutes * 60 / Double(files)
            var plans: [RunningSpeech] = []
            for f in 0..<files {
                let four: [Speaker] = (0..<4).map { k in cast[(f * 4 + k) * 7 % cast.count] }
                let fileSeed: UInt64 = seed ^ (UInt64(f + 1) &* 0x9E37_79B9) ^ salt
                plans.append(RunningSpeech(speakers: four, seconds: seconds, seed: fileSeed, sentences: allSentences))
            }
            let made = try concurrentMap(plans) { _, plan -> [Int16] in
                let samples = try (split == .test ? plan.speak(excluding: phraseWords) : plan.cached(excluding: phraseWords))
                progress?(Double(done.add(40)) / total)
                return samples
            }
            for var samples in made {
                var scene: Scene?
                if split == .validation, streamIndex % 3 != 0 {
                    var s = Scene.draw(index: 2 + streamIndex % 2, beds: validationBeds, rirs: rirs.count, rng: &rng)
                    s.snr = 5 + 15 * Double(rng.nextUniform())
                    s.level = -35 + 15 * Double(rng.nextUniform())
                    samples = s.render(samples.map(Float.init), beds: validationBeds, rirs: rirs, lead: 0, tail: 0, rng: &rng).samples
                    scene = s
                }
                let rel = "clips/stream/\(String(format: "%03d", streamIndex)).wav"
                let clip = Audio(samples: samples)
                try clip.writeWAV(to: (outDir as NSString).appendingPathComponent(rel))
                records.append(ClipRecord(path: rel, kind: .stream, engine: "mixed", voice: "\(split.rawValue) speakers", text: "", phonemes: nil,
                                          rate: 1, pitch: 0, split: split, seconds: clip.seconds, condition: scene?.condition,
                                          noise: scene?.noise, snrDb: scene?.snr))
                streamIndex += 1
            }
        }
        progress?(1)
        try Corpus.writeManifest(records, to: outDir)
        return records
    }
}

/// Minutes of natural sentences from a few speakers with pauses between them, as a conversation
/// or a radio programme sounds; optionally cached on disk across phrases.
struct RunningSpeech: Sendable {
    var speakers: [Speaker]
    var seconds: Double
    var seed: UInt64
    var sentences: [String]

    /// The audio and, per sentence, its text and where it lies.
    func synthesize() throws -> (samples: [Int16], segments: [Segment]) {
        var rng = SplitMix64(seed: seed)
        let target = Int(seconds * Double(Audio.sampleRate))
        var plan: [(Int, Utterance)] = []
        var estimate = 0.0
        while estimate < seconds * 1.5 {
            let text = sentences[Int(rng.next() % UInt64(sentences.count))]
            plan.append((Int(rng.next() % UInt64(speakers.count)), Utterance(text, rate: 0.8 + 0.5 * Double(rng.nextUniform()), pitch: Int(rng.next() % 21) - 10)))
            estimate += Double(text.split(separator: " ").count) / 2.6 + 0.8
        }
        var audio = [[Int16]](repeating: [], count: plan.count)
        for s in speakers.indices {
            let mine = plan.indices.filter { plan[$0].0 == s }
            for (i, a) in zip(mine, try speakers[s].speakAll(mine.map { plan[$0].1 })) { audio[i] = a.samples }
        }
        var samples: [Int16] = [], segments: [Segment] = []
        for (i, a) in audio.enumerated() where samples.count < target {
            segments.append(Segment(text: plan[i].1.text, start: samples.count, end: samples.count + a.count))
            samples += a
            samples += [Int16](repeating: 0, count: 3200 + Int(rng.next() % 16000))
        }
        return (Array(samples.prefix(target)), segments)
    }

    struct Segment: Codable, Sendable { var text: String; var start: Int; var end: Int }

    /// The audio with every sentence holding one of `words` silenced.
    static func excluding(_ words: Set<String>, _ samples: [Int16], _ segments: [Segment]) -> [Int16] {
        var out = samples
        for s in segments where !words.isDisjoint(with: TextSources.words(s.text)) {
            for i in max(s.start, 0)..<min(s.end, out.count) { out[i] = 0 }
        }
        return out
    }

    func speak(excluding words: Set<String>) throws -> [Int16] {
        let (samples, segments) = try synthesize()
        return RunningSpeech.excluding(words, samples, segments)
    }

    /// `speak`, through the cache at `$HARKEN_CACHE` (default ~/.cache/harken): the same speakers,
    /// length, seed and sentence pool give the same file whatever the phrase.
    func cached(excluding words: Set<String>) throws -> [Int16] {
        let env = ProcessInfo.processInfo.environment
        let root = env["HARKEN_CACHE"] ?? ((env["XDG_CACHE_HOME"] ?? NSHomeDirectory() + "/.cache") + "/harken")
        let key = stableHash(speakers.map(\.id).joined(separator: ",") + "|\(seconds)|\(seed)|\(sentences.count)|\(sentences.first ?? "")|v1")
        let dir = root + "/speech"
        let wav = dir + "/\(String(key, radix: 16)).wav", index = dir + "/\(String(key, radix: 16)).json"
        if let data = FileManager.default.contents(atPath: index), let segments = try? JSONDecoder().decode([Segment].self, from: data),
           let audio = try? Audio.read(wav) {
            return RunningSpeech.excluding(words, audio.samples, segments)
        }
        let (samples, segments) = try synthesize()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // The index is written last: a cache entry without it is rebuilt.
        let tmp = wav + ".tmp-\(getpid())"
        try Audio(samples: samples).writeWAV(to: tmp)
        guard rename(tmp, wav) == 0 else { throw CorpusError.unreadable("\(wav): cannot write the speech cache") }
        try JSONEncoder().encode(segments).write(to: URL(fileURLWithPath: index), options: .atomic)
        return RunningSpeech.excluding(words, samples, segments)
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
        case "pink":
            // Paul Kellet's economical filter of white noise: -3 dB per octave within 0.05 dB above 10 Hz.
            var b = [Double](repeating: 0, count: 3)
            return Audio(samples: (0..<n).map { _ in
                let w = uniform()
                b[0] = 0.99765 * b[0] + w * 0.0990460
                b[1] = 0.96300 * b[1] + w * 0.2965164
                b[2] = 0.57000 * b[2] + w * 1.0526913
                return Int16(clamping: Int((b[0] + b[1] + b[2] + w * 0.1848) * 1500))
            })
        case "tone": return Audio(samples: (0..<n).map { Int16(4000 * sin(2 * Double.pi * 440 * Double($0) / 16000)) })
        default: return Audio(samples: [Int16](repeating: 0, count: n))
        }
    }
}
