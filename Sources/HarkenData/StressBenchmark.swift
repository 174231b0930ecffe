// StressBenchmark.swift: a test corpus that is hard on purpose, built from what training never
// uses: held-out engines, voices, variants and vocal-tract factors, rates and pitches beyond the
// training ranges, rooms up to RT60 1 s, noise down to 0 dB SNR (white, pink, brown, babble of
// many voices, recorded music and sound effects from the stress pool), levels from quiet to loud,
// near misses (phonetic neighbours and partial phrases), and hours of natural running speech from
// text sources training does not read. Every clip is in the test split and says how it was made.

import Foundation
import HarkenAudio
import HarkenSupport

public struct StressBenchmark: Sendable {
    public var phrase: String
    public var seed: UInt64
    public var positives: Int
    /// How many held-out speakers say each near-miss text.
    public var speakersPerNearMiss: Int
    public var speechHours: Double

    public enum Default {
        public static let positives = 600, speakersPerNearMiss = 12, speechHours = 3.0
    }

    public init(phrase: String, seed: UInt64 = 7, positives: Int = Default.positives,
                speakersPerNearMiss: Int = Default.speakersPerNearMiss, speechHours: Double = Default.speechHours) {
        self.phrase = phrase; self.seed = seed; self.positives = positives
        self.speakersPerNearMiss = speakersPerNearMiss; self.speechHours = speechHours
    }

    // MARK: Who training never hears

    /// Vocal-tract factors of the benchmark's multiplied speakers: beyond training's range.
    public static let formants = [0.84, 0.9, 1.0, 1.12, 1.2]
    /// Rates and pitch offsets beyond training's (0.75–1.25, ±20).
    public static let rates = 0.6...1.6, pitches = -35...35

    /// Whether a voice belongs to the benchmark: the whole neural engine, one festival and one flite
    /// voice, and about a quarter of espeak-ng's languages and a fifth of its variants (every voice
    /// built on either), chosen by a stable hash of the name so a new voice never moves the others.
    public static func isHeldOut(_ voice: Voice) -> Bool {
        switch voice.engine {
        case "piper": return true
        case "festival": return voice.name == "ked_diphone"
        case "flite": return voice.name == "rms"
        case "espeak-ng":
            let parts = voice.name.split(separator: "+", maxSplits: 1).map(String.init)
            if stableHash(parts[0]) % 4 == 1 { return true }
            return parts.count > 1 && stableHash(parts[1]) % 5 == 2
        default: return false
        }
    }

    /// The benchmark's speakers: every held-out voice at every benchmark vocal-tract factor.
    public static func speakers(report: (String) -> Void = { _ in }) -> [Speaker] {
        Speaker.multiplied(Voice.available(report: report).filter(isHeldOut), factors: formants)
    }

    // MARK: Building it

    struct Planned: Sendable {
        var speaker: Int
        var utterance: Utterance
    }

    /// Synthesizes the benchmark into `outDir` (manifest.jsonl and clips/), reporting progress
    /// under the stage "stress".
    public func run(outDir: String, job: Job = .silent) throws -> [ClipRecord] {
        let progress = job.stage("stress")
        let speakers = StressBenchmark.speakers(report: job.log)
        guard !speakers.isEmpty else { throw Executable.Failure.missing("espeak-ng") }
        var rng = SplitMix64(seed: seed)
        let words = Set(phrase.lowercased().split(separator: " ").map { String($0.filter(\.isLetter)) })
        let sentences = try TextSources.sentences(.stress, excluding: words)
        guard !sentences.isEmpty else { throw CorpusError.unreadable("stress text sources: no sentences") }
        let texts = try Phonemes.nearMissTexts(of: phrase)
        let nearMisses = texts.neighbours + texts.partials
        let readers = speakers.indices.filter { speakers[$0].voice.engine == "espeak-ng" }
        func draw(_ r: ClosedRange<Double>) -> Double { r.lowerBound + Double(rng.nextUniform()) * (r.upperBound - r.lowerBound) }
        func pick<T>(_ a: [T]) -> T { a[Int(rng.next() % UInt64(a.count))] }

        // What each speaker says: the phrase and near misses.
        var planned: [Planned] = []
        // Positives by engine in turn (espeak-ng four of eight, Piper two, festival and flite one
        // each), so each engine's figure has its own confidence interval, not a handful of clips.
        let engines = ["espeak-ng", "espeak-ng", "piper", "espeak-ng", "festival", "espeak-ng", "piper", "flite"]
        let byEngine = Dictionary(grouping: speakers.indices, by: { speakers[$0].voice.engine })
        for i in 0..<positives {
            let pool = byEngine[engines[i % engines.count]] ?? Array(speakers.indices)
            planned.append(Planned(speaker: pool[(i / engines.count * 7919 + Int(seed % 7919)) % pool.count], utterance: Utterance(
                phrase, rate: draw(StressBenchmark.rates), pitch: StressBenchmark.pitches.lowerBound + Int(rng.next() % 71))))
        }
        let firstNearMiss = planned.count
        var nearMissTexts: [NearMissText] = []
        for miss in nearMisses {
            let pool = miss.isPhonemes ? readers : Array(speakers.indices)
            guard !pool.isEmpty else { continue }
            for _ in 0..<speakersPerNearMiss {
                planned.append(Planned(speaker: pick(pool), utterance: Utterance(miss.text, rate: draw(0.8...1.25), pitch: Int(rng.next() % 41) - 20)))
                nearMissTexts.append(miss)
            }
        }
        // Running speech: ten-minute files, a conversation of four held-out speakers each (the
        // training corpus's RunningSpeech, from the stress sentences).
        let files = Int((speechHours * 6).rounded(.up))
        let conversations = (0..<files).map { f in
            RunningSpeech(speakers: (0..<4).map { _ in speakers[Int(rng.next() % UInt64(speakers.count))] },
                          seconds: speechHours * 3600 / Double(files), seed: seed ^ (UInt64(f + 1) &* 0x9E37_79B9), sentences: sentences)
        }

        // Synthesis on every core, one batch per voice (Piper starts once per voice).
        let total = Double(planned.count)
        let spoken = try Speaker.speak(planned.map { (speakers[$0.speaker], $0.utterance) }) { n in
            progress(0.5 * Double(n) / total, "speaking")
        }
        if job.cancellation.isCancelled { throw JobCancelled() }
        let speech = spoken.map { $0.samples.map(Float.init) }
        // Backgrounds the benchmark mixes in, none of them heard in training.
        let beds = try backgrounds(speakers: speakers, sentences: sentences, rng: &rng, log: job.log)
        let rooms = (0..<12).map { i in Room.random(rt60: (0.3 + 0.7 * Double(i) / 11)...(0.3 + 0.7 * Double(i) / 11), using: &rng) }
        let rirs = try concurrentMap(rooms) { _, r in r.impulseResponse() }

        for kind in ["positive", "near_miss", "stream"] {
            try FileManager.default.createDirectory(atPath: (outDir as NSString).appendingPathComponent("clips/\(kind)"), withIntermediateDirectories: true)
        }
        var records: [ClipRecord] = []
        // Positives and near misses: 1.5 s of background, the utterance, 1 s of background.
        for i in planned.indices {
            let p = planned[i], speaker = speakers[p.speaker]
            let isPositive = i < firstNearMiss
            let scene = Scene.draw(index: i, beds: beds, rirs: rirs.count, rng: &rng)
            let rendered = scene.render(AudioMath.voiced(speech[i]), beds: beds, rirs: rirs, lead: 24000, tail: 16000, rng: &rng)
            let kind: ClipRecord.Kind = isPositive ? .positive : .nearMiss
            let rel = "clips/\(kind.rawValue)/\(String(format: "%05d", i)).wav"
            try Audio(samples: rendered.samples).writeWAV(to: (outDir as NSString).appendingPathComponent(rel))
            let miss = isPositive ? nil : nearMissTexts[i - firstNearMiss]
            records.append(ClipRecord(path: rel, kind: kind, engine: speaker.voice.engine, voice: speaker.id, text: p.utterance.text,
                                      phonemes: nil, rate: p.utterance.rate, pitch: p.utterance.pitch, split: .test,
                                      seconds: Double(rendered.samples.count) / 16000, condition: scene.condition, noise: scene.noise,
                                      snrDb: scene.snr, rt60S: scene.rir.map { rooms[$0].rt60 }, levelDbfs: scene.level,
                                      formant: speaker.formant, nearMissKind: miss?.kind.rawValue,
                                      phraseStartS: isPositive ? 1.5 : nil, phraseEndS: isPositive ? rendered.speechEndS : nil))
            if i % 50 == 0 { progress(0.5 + 0.1 * Double(i) / Double(planned.count), "mixing") }
        }
        // Running speech: a third clean, a third in noise, a third in a room and noise, the noise
        // from 5 to 20 dB below the speech.
        let spokenFiles = Counter()
        let talk = try concurrentMap(conversations) { _, c -> [Int16] in
            let samples = try c.speak(excluding: [])
            progress(0.6 + 0.35 * Double(spokenFiles.increment()) / Double(files), "running speech")
            return samples
        }
        for (f, samples) in talk.enumerated() {
            var scene = Scene.draw(index: f, beds: beds, rirs: rirs.count, rng: &rng)
            if scene.condition != "clean" { scene.snr = draw(5...20) }
            scene.level = draw(-35 ... -20)
            let rendered = scene.render(samples.map(Float.init), beds: beds, rirs: rirs, lead: 0, tail: 0, rng: &rng)
            let rel = "clips/stream/\(String(format: "%03d", f)).wav"
            try Audio(samples: rendered.samples).writeWAV(to: (outDir as NSString).appendingPathComponent(rel))
            records.append(ClipRecord(path: rel, kind: .stream, engine: "mixed", voice: "4 held-out speakers", text: "", phonemes: nil,
                                      rate: 1, pitch: 0, split: .test, seconds: Double(rendered.samples.count) / 16000,
                                      condition: scene.condition, noise: scene.noise, snrDb: scene.snr,
                                      rt60S: scene.rir.map { rooms[$0].rt60 }, levelDbfs: scene.level))
        }
        progress(1, "")
        try Corpus.writeManifest(records, to: outDir)
        return records
    }

    /// Noise beds: white, pink and brown noise, babble of eight held-out speakers, and the stress
    /// pool's recorded music and sound effects (a file that cannot be read is named and skipped).
    func backgrounds(speakers: [Speaker], sentences: [String], rng: inout SplitMix64, log: (String) -> Void) throws -> [(name: String, audio: [Float])] {
        var beds: [(name: String, audio: [Float])] = []
        for kind in ["white", "pink", "brown"] {
            beds.append((kind, Noise.make(kind, seconds: 30, rng: &rng).samples.map(Float.init)))
        }
        var voices: [[Float]] = []
        for k in 0..<8 {
            let s = speakers[(k * 131 + 17) % speakers.count]
            let lines = (0..<6).map { j in (s, Utterance(sentences[(k * 6 + j) * 37 % sentences.count], rate: 1, pitch: 0)) }
            voices.append(try Speaker.speak(lines).flatMap { $0.samples.map(Float.init) })
        }
        let n = 30 * 16000
        let babble = (0..<n).map { i in voices.reduce(Float(0)) { $0 + ($1.isEmpty ? 0 : $1[i % $1.count]) } }
        beds.append(("babble", babble))
        for category in [Sound.Category.music, .effect] {
            let sounds = SoundBank.load(.stress, category: category, maxSeconds: 30, maxFiles: 12, report: log)
            let name = category == .music ? "music" : "effect"
            if sounds.isEmpty { log("stress benchmark: no \(name) in the stress pool (make setup installs it); leaving it out") }
            beds += sounds.map { (name, $0.audio.samples.map(Float.init)) }
        }
        return beds
    }
}

/// How one benchmark clip is heard: room, background and level.
struct Scene {
    var condition: String
    var noise: String?
    var bed: Int?
    var snr: Double?
    var rir: Int?
    var level: Double

    /// Conditions in turn: clean, reverb, noise (three of ten), reverb and noise (three of ten),
    /// clean, reverb; the background's kind, SNR (0–25 dB) and level (-45 to -12 dBFS) drawn.
    static func draw(index: Int, beds: [(name: String, audio: [Float])], rirs: Int, rng: inout SplitMix64) -> Scene {
        let conditions = ["clean", "reverb", "noise", "reverb+noise", "noise", "reverb+noise", "clean", "noise", "reverb+noise", "reverb"]
        let condition = conditions[index % conditions.count]
        var scene = Scene(condition: condition, level: -45 + 33 * Double(rng.nextUniform()))
        if condition.contains("noise"), !beds.isEmpty {
            // Pick the kind first so music and effects count as much as one synthetic noise each.
            let kinds = Array(Set(beds.map(\.name))).sorted()
            let kind = kinds[Int(rng.next() % UInt64(kinds.count))]
            let choices = beds.indices.filter { beds[$0].name == kind }
            scene.bed = choices[Int(rng.next() % UInt64(choices.count))]
            scene.noise = kind
            scene.snr = (25 * Double(rng.nextUniform()) * 10).rounded() / 10
        }
        if condition.contains("reverb"), rirs > 0 { scene.rir = Int(rng.next() % UInt64(rirs)) }
        return scene
    }

    /// The utterance in its room at its level, with `lead` and `tail` samples of background
    /// around it; the background is mixed at the SNR against the voiced speech's power.
    func render(_ speech: [Float], beds: [(name: String, audio: [Float])], rirs: [[Float]], lead: Int, tail: Int,
                rng: inout SplitMix64) -> (samples: [Int16], speechEndS: Double) {
        var voice = speech
        if let rir { voice = AudioMath.reverberate(voice, rirs[rir]) }
        let voicedPower = AudioMath.power(speech[...])
        if voicedPower > 0 {
            let g = Float((pow(10, level / 10) * 32768 * 32768 / voicedPower).squareRoot())
            for i in voice.indices { voice[i] *= g }
        }
        var canvas = [Float](repeating: 0, count: lead) + voice + [Float](repeating: 0, count: tail)
        if let bed, let snr {
            let power = voicedPower > 0 ? pow(10, level / 10) * 32768 * 32768 : nil
            canvas = AudioMath.mix(canvas, noise: beds[bed].audio, snr: snr, offset: Int(rng.next() % UInt64(max(beds[bed].audio.count, 1))),
                                   signalPower: power)
        }
        // Loud scenes are turned down rather than clipped.
        let peak = canvas.map(abs).max() ?? 0
        if peak > 32000 { let k = 32000 / peak; for i in canvas.indices { canvas[i] *= k } }
        return (canvas.map { Int16(clamping: Int($0.rounded())) }, Double(lead + speech.count) / 16000)
    }
}
