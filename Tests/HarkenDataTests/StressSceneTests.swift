@testable import HarkenData
import HarkenSupport
import XCTest

/// How the stress benchmark hears a clip: the speech level it records and the SNR it records are
/// the ones measured on the parts the mix was made of.
final class StressSceneTests: XCTestCase {
    func testRenderedSceneHasItsRecordedLevelAndSNR() {
        var rng = SplitMix64(seed: 3)
        let speech: [Float] = (0..<16000).map { i in
            let t = Double(i)
            return Float(3000 * sin(t * 0.07) * (0.5 + 0.5 * sin(t * 0.001)))
        }
        let bed = Noise.make("pink", seconds: 5, rng: &rng).samples.map(Float.init)
        for (snr, level) in [(0.0, -30.0), (12.5, -20.0), (25.0, -40.0)] {
            let scene = Scene(condition: "noise", noise: "pink", bed: 0, snr: snr, rir: nil, level: level)
            var r1 = SplitMix64(seed: 9), r2 = SplitMix64(seed: 9)
            let mixed = scene.render(speech, beds: [("pink", bed)], rirs: [], lead: 8000, tail: 4000, rng: &r1)
            var quiet = scene
            quiet.bed = nil
            let clean = quiet.render(speech, beds: [("pink", bed)], rirs: [], lead: 8000, tail: 4000, rng: &r2)
            XCTAssertEqual(mixed.samples.count, 8000 + 16000 + 4000)
            XCTAssertEqual(mixed.speechEndS, 1.5)
            // The speech alone, where it is spoken, is at the recorded level (dB of full scale).
            let voice = clean.samples[8000..<24000].map(Float.init)
            let pv = AudioMath.power(voice[...])
            XCTAssertEqual(10 * log10(pv / (32768 * 32768)), level, accuracy: 0.1)
            // The noise is what mixing added; its power against the speech's is the recorded SNR.
            let noise = zip(mixed.samples, clean.samples).map { Float(Int($0) - Int($1)) }
            XCTAssertEqual(10 * log10(pv / AudioMath.power(noise[...])), snr, accuracy: 0.2, "SNR \(snr)")
        }
    }

    func testHeldOutVoicesAreStableAndCoverEveryEngine() {
        XCTAssertTrue(StressBenchmark.isHeldOut(Voice(engine: "piper", name: "joe-medium")))
        XCTAssertTrue(StressBenchmark.isHeldOut(Voice(engine: "festival", name: "ked_diphone")))
        XCTAssertFalse(StressBenchmark.isHeldOut(Voice(engine: "festival", name: "kal_diphone")))
        let voices = Voice.available()
        let held = voices.filter(StressBenchmark.isHeldOut)
        // Every engine installed here is heard by the benchmark, and training keeps most voices.
        XCTAssertEqual(Set(held.map(\.engine)), Set(voices.map(\.engine)))
        XCTAssertGreaterThan(voices.count - held.count, held.count)
        // A held-out espeak-ng variant is held out in every accent.
        let variants = Dictionary(grouping: voices.filter { $0.engine == "espeak-ng" && $0.name.contains("+") },
                                  by: { String($0.name.split(separator: "+")[1]) })
        let heldVariants = variants.filter { $0.value.allSatisfy(StressBenchmark.isHeldOut) }
        XCTAssertFalse(heldVariants.isEmpty)
        XCTAssertLessThan(heldVariants.count, variants.count / 2)
    }

    func testNeighboursAndPartials() throws {
        let target = Phonemes.plain(try Phonemes.of("jarvis"))
        let neighbours = try Phonemes.neighbours(of: "hey jarvis")
        XCTAssertGreaterThanOrEqual(neighbours.count, 6)
        for n in neighbours {
            XCTAssertEqual(n.kind, .neighbour)
            let words = n.text.split(separator: " ").map(String.init)
            XCTAssertEqual(words.count, 2, n.text)
            // One word changed, one or two phonemes away, never the same sound.
            XCTAssertTrue((words[0] == "hey") != (words[1] == "jarvis"), n.text)
            if words[0] == "hey" {
                let d = Phonemes.distance(Phonemes.plain(try Phonemes.of(words[1])), target)
                XCTAssertTrue((1...2).contains(d), "\(n.text): \(d)")
            }
        }
        XCTAssertEqual(try Phonemes.partials(of: "hey jarvis").map(\.text), ["hey", "jarvis"])
        // One word: its start or end as a word of its own.
        XCTAssertTrue(try Phonemes.partials(of: "alexa").map(\.text).contains("alex"))
    }
}
