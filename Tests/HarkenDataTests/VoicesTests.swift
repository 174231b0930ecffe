import Foundation
import HarkenAudio
import HarkenData
import HarkenSupport
import XCTest

/// The voice catalog is what the engines list, every engine installed here speaks, Piper's absence
/// is reported once, and a speaker's formant factor moves its spectrum by that factor.
final class VoicesTests: XCTestCase {
    /// The program's own table, read here with a regular expression rather than Voices.swift's parser.
    func column(_ option: String, filePrefix: String, language: Bool) throws -> [String] {
        let text = try Executable.run("espeak-ng", [option])
        let row = try NSRegularExpression(pattern: #"^\s*\d+\s+(\S+)\s+\S+\s+\S+\s+(\S+)"#, options: .anchorsMatchLines)
        var out: [String] = []
        for m in row.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            let lang = String(text[Range(m.range(at: 1), in: text)!]), file = String(text[Range(m.range(at: 2), in: text)!])
            guard file.hasPrefix(filePrefix) else { continue }
            let name = language ? lang : String(file.dropFirst(filePrefix.count))
            if !out.contains(name) { out.append(name) }
        }
        return out
    }

    func testEspeakCatalogIsEveryEnglishVoiceTimesEveryVariant() throws {
        let languages = try column("--voices=en", filePrefix: "gmw/", language: true)
        let variants = try column("--voices=variant", filePrefix: "!v/", language: false)
        XCTAssertTrue(languages.contains("en-us") && languages.contains("en-gb-scotland"), "\(languages)")
        XCTAssertGreaterThanOrEqual(variants.count, 90)
        XCTAssertTrue(variants.contains("klatt") && variants.contains("f2"), "\(variants)")
        let expected = languages.flatMap { l in ([""] + variants.map { "+" + $0 }).map { l + $0 } }.sorted()
        let voices = Voice.available()
        XCTAssertEqual(voices.filter { $0.engine == "espeak-ng" }.map(\.name), expected)
        // Sorted and deterministic; every id is unique.
        XCTAssertEqual(voices, voices.sorted { ($0.engine, $0.name) < ($1.engine, $1.name) })
        XCTAssertEqual(Set(voices.map(\.id)).count, voices.count)
        XCTAssertEqual(Voice.available(), voices)
    }

    func testCatalogOfFliteAndFestival() throws {
        let voices = Voice.available()
        var reports: [String] = []
        _ = Voice.available(report: { reports.append($0) })
        // flite -lv lists awb_time, a limited-domain voice silent on other text: reported and left out.
        XCTAssertEqual(voices.filter { $0.engine == "flite" }.map(\.name), ["awb", "kal", "kal16", "rms", "slt"])
        XCTAssertTrue(reports.contains { $0.hasPrefix("flite: awb_time ") }, "\(reports)")
        XCTAssertEqual(voices.filter { $0.engine == "festival" }.map(\.name), ["cmu_us_slt_arctic_hts", "kal_diphone", "ked_diphone"])
    }

    /// Every engine speaks a short phrase to non-silent 16 kHz audio of a plausible length; prints
    /// each engine's speed in audio seconds per wall second.
    func testEveryEngineSpeaks() throws {
        let voices = Voice.available()
        let engines = Set(voices.map(\.engine))
        XCTAssertEqual(engines, ["espeak-ng", "flite", "festival", "piper"])
        for engine in engines.sorted() {
            let mine = voices.filter { $0.engine == engine }
            // Each engine's voices at both ends of the list, and a klatt one for espeak-ng.
            var picks = [mine.first!, mine.last!]
            if engine == "espeak-ng" { picks.append(Voice(engine: engine, name: "en-us+klatt")) }
            if engine != "espeak-ng" { picks = mine.count <= 9 ? mine : picks }
            let sentence = Utterance("hey harken, please turn on the kitchen light")
            let start = Date()
            var seconds = 0.0
            for v in picks {
                let audio = try v.speakAll([sentence])[0]
                seconds += audio.seconds
                XCTAssertGreaterThan(audio.seconds, 1.0, v.id)
                XCTAssertLessThan(audio.seconds, 6.0, v.id)
                let peak = audio.samples.map { abs(Int($0)) }.max() ?? 0
                XCTAssertGreaterThan(peak, 2000, v.id)
                let loud = audio.samples.filter { abs(Int($0)) > 500 }.count
                XCTAssertGreaterThan(Double(loud) / Double(audio.samples.count), 0.1, v.id)
            }
            print("VoicesTests: \(engine): \(mine.count) voices; one at a time \(String(format: "%.1f", seconds / Date().timeIntervalSince(start))) audio s per wall s")
        }
    }

    func testSpeakAllEqualsSpeakForEspeak() throws {
        let voice = Voice(engine: "espeak-ng", name: "en-gb-scotland+f3")
        let items = [Utterance("hey harken"), Utterance("turn it off", rate: 0.8, pitch: -10), Utterance("[[h'eI h'A@k@n]]", rate: 1.2, pitch: 7)]
        let batch = try voice.speakAll(items)
        XCTAssertEqual(batch.count, items.count)
        for (item, audio) in zip(items, batch) {
            let one = try voice.speak(item.text, rate: item.rate, pitch: item.pitch)
            XCTAssertGreaterThan(one.samples.count, 4000, item.text)
            XCTAssertEqual(audio.samples, one.samples, item.text)
        }
    }

    func testMissingPiperIsReportedOnceAndLeftOut() throws {
        let previous = getenv("HARKEN_PIPER_PYTHON").map { String(cString: $0) }
        setenv("HARKEN_PIPER_PYTHON", "/nonexistent/harken/python", 1)
        defer { if let previous { setenv("HARKEN_PIPER_PYTHON", previous, 1) } else { unsetenv("HARKEN_PIPER_PYTHON") } }
        var reports: [String] = []
        let voices = Voice.available(report: { reports.append($0) })
        XCTAssertEqual(reports.filter { $0.hasPrefix("piper") },
                       ["piper: not installed (make setup installs it into .venv-piper); skipping its voices"])
        XCTAssertFalse(voices.contains { $0.engine == "piper" })
        XCTAssertFalse(voices.isEmpty)
        XCTAssertThrowsError(try Voice(engine: "piper", name: "joe-medium").speak("hello"))
    }

    /// Piper, installed here by make setup: its voice at its noise settings, one process per batch.
    func testPiperSpeaksABatch() throws {
        var reports: [String] = []
        let piper = Voice.available(report: { reports.append($0) }).filter { $0.engine == "piper" }
        XCTAssertFalse(reports.contains { $0.hasPrefix("piper") }, "\(reports)")
        XCTAssertEqual(piper.count, 9)
        XCTAssertTrue(piper.contains(Voice(engine: "piper", name: "joe-medium")))
        XCTAssertTrue(piper.contains(Voice(engine: "piper", name: "joe-medium@ns1.0-nw1.2")))
        let voice = Voice(engine: "piper", name: "joe-medium@ns0.333-nw0.4")
        let items = (0..<12).map { Utterance("hey harken, number \($0 / 2) is ready", rate: $0 % 2 == 0 ? 1 : 0.7) }
        let start = Date()
        let audio = try voice.speakAll(items)
        let wall = Date().timeIntervalSince(start)
        XCTAssertEqual(audio.count, items.count)
        for (n, a) in audio.enumerated() {
            XCTAssertGreaterThan(a.seconds, 0.8, "\(n)")
            XCTAssertLessThan(a.seconds, 5, "\(n)")
            XCTAssertGreaterThan(a.samples.map { abs(Int($0)) }.max() ?? 0, 4000, "\(n)")
        }
        // Rate 0.7 is length_scale 1/0.7: slower speech (over six pairs of the same text, as the
        // noise varies each utterance's length).
        let slow = audio.indices.filter { $0 % 2 == 1 }.map { audio[$0].seconds }.reduce(0, +)
        let normal = audio.indices.filter { $0 % 2 == 0 }.map { audio[$0].seconds }.reduce(0, +)
        XCTAssertGreaterThan(slow, normal * 1.2)
        print("VoicesTests: piper: batch of \(items.count) in one process: \(String(format: "%.1f", audio.map(\.seconds).reduce(0, +) / wall)) audio s per wall s")
        XCTAssertThrowsError(try voice.speak("[[h'eI]]"))
    }

    // MARK: speakers

    /// Magnitude-spectrum centroid (Hz, 250–5000 Hz) of the loud 32 ms frames, summed over the clip.
    func centroid(_ audio: Audio) -> Double {
        let n = 512, x = audio.samples.map { Double($0) / 32768 }
        let window = (0..<n).map { 0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(n)) }
        let peak = x.map(abs).max() ?? 0
        var spectrum = [Double](repeating: 0, count: n / 2)
        var start = 0
        while start + n <= x.count {
            let frame = (0..<n).map { x[start + $0] * window[$0] }
            if frame.map(abs).max()! > 0.3 * peak {
                for k in 1..<n / 2 {
                    var re = 0.0, im = 0.0
                    let w = 2 * Double.pi * Double(k) / Double(n)
                    for t in 0..<n { re += frame[t] * cos(w * Double(t)); im -= frame[t] * sin(w * Double(t)) }
                    spectrum[k] += (re * re + im * im).squareRoot()
                }
            }
            start += n
        }
        // Above the voice's pitch (which the speaker keeps) and below where the resampling folds.
        let band = (0..<n / 2).filter { (250.0...5000).contains(Double($0) * Double(Audio.sampleRate) / Double(n)) }
        let hz = band.map { Double($0) * Double(Audio.sampleRate) / Double(n) }
        return zip(hz, band.map { spectrum[$0] }).map { $0 * $1 }.reduce(0, +) / band.map { spectrum[$0] }.reduce(0, +)
    }

    func testFormantFactorScalesTheSpectralEnvelope() throws {
        let voice = Voice(engine: "espeak-ng", name: "en-us")
        let vowel = "[[A::::::]]"
        let plain = try Speaker(voice: voice).speak(vowel)
        XCTAssertGreaterThan(plain.seconds, 0.5)
        let c0 = centroid(plain)
        for factor in [1.15, 0.87] {
            let speaker = Speaker(voice: voice, formant: factor)
            XCTAssertEqual(speaker.id, "espeak-ng:en-us@f" + (factor == 1.15 ? "1.15" : "0.87"))
            let moved = try speaker.speak(vowel)
            XCTAssertEqual(moved.seconds, plain.seconds, accuracy: 0.02 * plain.seconds, "\(factor)")
            let ratio = centroid(moved) / c0
            print("VoicesTests: formant \(factor): centroid \(String(format: "%.0f", c0)) → \(String(format: "%.0f", c0 * ratio)) Hz, ratio \(String(format: "%.3f", ratio))")
            XCTAssertEqual(ratio, factor, accuracy: 0.05 * factor, "\(factor)")
        }
        XCTAssertEqual(Speaker(voice: voice).id, "espeak-ng:en-us")
    }

    func testMultipliedSpeakersAreNewSpeakers() {
        let voices = [Voice(engine: "flite", name: "slt"), Voice(engine: "espeak-ng", name: "en-us+f2")]
        let speakers = Speaker.multiplied(voices, factors: [1, 0.9, 1.1])
        XCTAssertEqual(speakers.map(\.id), ["flite:slt", "flite:slt@f0.9", "flite:slt@f1.1",
                                            "espeak-ng:en-us+f2", "espeak-ng:en-us+f2@f0.9", "espeak-ng:en-us+f2@f1.1"])
        XCTAssertEqual(Set(speakers.map(\.id)).count, 6)
    }
}
