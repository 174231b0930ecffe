import Foundation
import HarkenAudio
import HarkenSupport

/// Text to speech through espeak-ng, delivered as 16 kHz mono int16.
public struct Synthesizer: Sendable {
    public var voice: String
    public var wordsPerMinute: Int
    public var pitch: Int

    public init(voice: String = "en-us", wordsPerMinute: Int = 150, pitch: Int = 50) {
        self.voice = voice
        self.wordsPerMinute = wordsPerMinute
        self.pitch = pitch
    }

    public func speak(_ text: String) throws -> Audio {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("harken-tts-\(UUID().uuidString).wav").path
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        try Executable.run("espeak-ng", ["-v", voice, "-s", String(wordsPerMinute), "-p", String(pitch), "-w", tmp, text])
        return try Audio.read(tmp)
    }
}

/// A deterministic scene for demos and tests: silence, speech of the phrase in
/// several voices, quiet noise in between.
public enum DemoScene {
    public static func make(phrase: String, seed: UInt64 = 1) throws -> (audio: Audio, phraseStartsS: [Double]) {
        var rng = SplitMix64(seed: seed)
        var samples = [Int16](repeating: 0, count: 16000)
        var starts: [Double] = []
        // espeak-ng voices vary a lot in how much they sound like the recordings wake-word
        // models learn from: the female variants and klatt are heard, m3 mostly is not.
        let voices = [Synthesizer(voice: "en-us+f3", wordsPerMinute: 160), Synthesizer(voice: "en-us+f4", wordsPerMinute: 175),
                      Synthesizer(voice: "en-us+klatt", wordsPerMinute: 150), Synthesizer(voice: "en-us+f2", wordsPerMinute: 160),
                      Synthesizer(voice: "en-us+m3", wordsPerMinute: 160)]
        for v in voices {
            starts.append(Double(samples.count) / 16000)
            samples += try v.speak(phrase).samples
            // 1.5 s of quiet white noise (about -50 dBFS) before the next voice.
            samples += (0..<24000).map { _ in Int16(Int(rng.next() % 201) - 100) }
        }
        return (Audio(samples: samples), starts)
    }
}
