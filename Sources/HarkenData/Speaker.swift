import Foundation
import HarkenAudio
import HarkenSupport

/// A voice with its vocal tract lengthened or shortened: the voice's audio resampled by `formant`
/// (> 1 moves every formant up by that factor, as a shorter tract would) and time-stretched back to
/// its length. Where the engine takes a pitch setting, the voice speaks `1 / formant` lower (higher)
/// first, so the factor moves mainly the formants and not the voice's pitch. A multiplied speaker is
/// a new speaker for splits (`id`) — though made from the same voice, so a split that keeps test
/// speakers unheard should keep a voice's multiples together.
public struct Speaker: Hashable, Codable, Sendable {
    public var voice: Voice
    public var formant: Double

    public init(voice: Voice, formant: Double = 1) {
        self.voice = voice
        self.formant = formant
    }

    /// "engine:name", plus "@f<factor>" when the formants are moved.
    public var id: String { formant == 1 ? voice.id : voice.id + "@f" + Speaker.format(formant) }

    static func format(_ x: Double) -> String {
        var s = String(format: "%.3f", x)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }

    /// Every voice at every factor, voice by voice (factor 1 is the voice as it is).
    public static func multiplied(_ voices: [Voice], factors: [Double]) -> [Speaker] {
        voices.flatMap { v in factors.map { Speaker(voice: v, formant: $0) } }
    }

    public func speak(_ text: String, rate: Double = 1, pitch: Int = 0) throws -> Audio {
        try speakAll([Utterance(text, rate: rate, pitch: pitch)])[0]
    }

    /// Speaks each utterance with the voice (Piper in one process), then moves its formants.
    public func speakAll(_ items: [Utterance]) throws -> [Audio] {
        guard formant != 1 else { return try voice.speakAll(items) }
        let compensated = items.map { Utterance($0.text, rate: $0.rate, pitch: Speaker.pitch($0.pitch, engine: voice.engine, compensating: formant)) }
        return try voice.speakAll(compensated).map { Speaker.perturb($0, formant: formant) }
    }

    /// The engine's pitch setting that, raised by `factor` afterwards, lands where `pitch` would.
    /// espeak-ng's base pitch goes as 2^((p − 50) / 50) (its pitch_adjust_tab, 64…255 over 0…101);
    /// flite's is int_f0_target_mean = 100 + pitch Hz; festival and Piper take no pitch.
    static func pitch(_ pitch: Int, engine: String, compensating factor: Double) -> Int {
        switch engine {
        case "espeak-ng": return min(max(pitch + Int((-50 * log2(factor)).rounded()), -50), 49)
        case "flite": return Int((Double(100 + pitch) / factor).rounded()) - 100
        default: return pitch
        }
    }

    /// Vocal-tract-length perturbation: resample by `formant`, then stretch back to the input's length.
    public static func perturb(_ audio: Audio, formant: Double) -> Audio {
        guard formant != 1, !audio.samples.isEmpty else { return audio }
        let x = audio.samples.map { Float($0) / 32768 }
        let y = AudioMath.speed(x, factor: formant)
        let z = AudioMath.stretch(y, ratio: Double(x.count) / Double(max(y.count, 1)))
        return Audio(samples: z.map { Int16(clamping: Int(($0 * 32768).rounded())) })
    }
}

extension Speaker {
    /// Many speakers' utterances on every core, one batch per voice: a voice's multiplied speakers
    /// share its batch (Piper starts once per voice), and each result gets its speaker's formants.
    /// `progress` hears how many utterances are done.
    public static func speak(_ items: [(speaker: Speaker, utterance: Utterance)], progress: @escaping @Sendable (Int) -> Void = { _ in }) throws -> [Audio] {
        let byVoice = Dictionary(grouping: items.indices, by: { items[$0].speaker.voice })
        let voices = byVoice.keys.sorted { $0.id < $1.id }
        let jobs = items.map { (speaker: $0.speaker, utterance: $0.utterance) }
        let done = Counter()
        let spoken = try concurrentMap(voices) { _, voice -> [(Int, Audio)] in
            let mine = byVoice[voice]!
            let compensated = mine.map { i -> Utterance in
                let (s, u) = (jobs[i].speaker, jobs[i].utterance)
                return Utterance(u.text, rate: u.rate, pitch: Speaker.pitch(u.pitch, engine: voice.engine, compensating: s.formant))
            }
            let audio = try voice.speakAll(compensated)
            progress(done.add(mine.count))
            return zip(mine, audio).map { ($0, Speaker.perturb($1, formant: jobs[$0].speaker.formant)) }
        }
        var out = [Audio](repeating: Audio(samples: []), count: items.count)
        for batch in spoken { for (i, a) in batch { out[i] = a } }
        return out
    }
}
