import Foundation
import HarkenAudio
import HarkenData
import HarkenSupport
import XCTest
import HarkenTestSupport

/// `harken synth`: every installed engine speaks, splits are by voice, near misses are
/// one confusable phoneme from the phrase, negatives never say a word of it.
final class SynthTests: XCTestCase {
    func records(_ dir: String) throws -> [ClipRecord] {
        let text = try String(contentsOfFile: dir + "/manifest.jsonl", encoding: .utf8)
        return try text.split(separator: "\n").map { try HarkenJSON.decoder().decode(ClipRecord.self, from: Data($0.utf8)) }
    }

    func testCorpusForHeyJarvis() throws {
        let dir = try Support.tempDir("synth").path
        let args = ["synth", "--phrase", "hey jarvis", "--speakers", "12", "--variations", "1", "--near-misses", "2", "--negatives", "1",
                    "--test-minutes", "1", "--validation-minutes", "0", "--train-minutes", "0", "--seed", "5"]
        let r = try Support.run(Support.harkenBinary, args + ["--out", dir])
        XCTAssertTrue(r.stdout.contains("clips from"), r.stdout)
        let clips = try records(dir)
        // Every engine training may use speaks; Piper and every held-out voice belong to the stress benchmark.
        let engines = Set(clips.filter { $0.kind == .positive }.map(\.engine))
        XCTAssertEqual(engines, ["espeak-ng", "flite", "festival"])
        func voice(_ c: ClipRecord) -> Voice {
            let name = c.voice.split(separator: ":", maxSplits: 1)[1].split(separator: "@")[0]
            return Voice(engine: c.engine, name: String(name))
        }
        for c in clips where c.kind != .noise && c.kind != .stream { XCTAssertFalse(StressBenchmark.isHeldOut(voice(c)), c.voice) }

        // Splits are by voice (espeak-ng's by variant, the same synthetic speaker in every accent):
        // no voice is in two splits.
        var splitOf: [String: ClipRecord.Split] = [:]
        for c in clips where c.kind != .noise && c.kind != .stream {
            let v = voice(c)
            let id = v.engine == "espeak-ng" ? "espeak-ng+" + (v.name.split(separator: "+").dropFirst().first.map(String.init) ?? "") : v.id
            if let s = splitOf[id] { XCTAssertEqual(s, c.split, id) }
            splitOf[id] = c.split
        }
        XCTAssertEqual(Set(splitOf.values), [.train, .validation, .test])

        let phrase = Phonemes.tokens(try Phonemes.of("hey jarvis"))
        let texts = Set((try Phonemes.neighbours(of: "hey jarvis") + Phonemes.partials(of: "hey jarvis")).map(\.text))
        for c in clips {
            let audio = try Audio.read(dir + "/" + c.path)
            XCTAssertEqual(audio.seconds, c.seconds, accuracy: 0.001, c.path)
            switch c.kind {
            case .positive:
                // The phrase, spelt with or without punctuation (a pause, a question).
                XCTAssertEqual(c.text.filter { $0.isLetter || $0 == " " }, "hey jarvis")
                XCTAssertGreaterThan(audio.seconds, 0.4, c.path)
                // Validation voices are heard in the stress benchmark's conditions.
                XCTAssertEqual(c.condition != nil, c.split == .validation, c.path)
            case .nearMiss where c.nearMissKind == "phonemes":
                let t = Phonemes.tokens(c.phonemes!)
                XCTAssertEqual(t.count, phrase.count, c.phonemes!)
                XCTAssertEqual(zip(t, phrase).filter { $0 != $1 }.count, 1, c.phonemes!)
            case .nearMiss:
                XCTAssertTrue(texts.contains(c.text), c.text)
            case .negative:
                XCTAssertTrue(Set(TextSources.words(c.text)).isDisjoint(with: ["hey", "jarvis"]), c.text)
                XCTAssertTrue(c.text.split(separator: " ").count >= TextSources.minWords, c.text)
            case .noise:
                XCTAssertGreaterThan(audio.seconds, 0.01, c.path)
            case .stream:
                XCTAssertEqual(c.split, .test)
            }
        }
        XCTAssertGreaterThan(clips.filter { $0.kind == .nearMiss }.count, 10)
        // One minute of continuous negative speech from the test voices.
        XCTAssertEqual(clips.filter { $0.kind == .stream }.map(\.seconds).reduce(0, +), 60, accuracy: 0.5)
        let noises = Set(clips.filter { $0.kind == .noise }.map(\.voice))
        XCTAssertTrue(noises.isSuperset(of: ["white", "pink", "brown", "tone", "silence", "babble-train", "babble-test"]), "\(noises)")
        XCTAssertTrue(noises.contains { $0.hasPrefix("music-") } && noises.contains { $0.hasPrefix("effect-") }, "\(noises)")

        // The same seed gives the same corpus.
        let again = try Support.tempDir("synth2").path
        try Support.run(Support.harkenBinary, args + ["--out", again])
        XCTAssertEqual(try records(again), clips)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: again + "/" + clips[0].path)),
                       try Data(contentsOf: URL(fileURLWithPath: dir + "/" + clips[0].path)))
    }

    func testNearMissSpelling() {
        XCTAssertEqual(Phonemes.tokens("h'eI dZ'A@vIs"), ["h", "'", "eI", " ", "dZ", "'", "A@", "v", "I", "s"])
        let misses = Phonemes.nearMisses("h'eI dZ'A@vIs")
        XCTAssertTrue(misses.contains("h'eI tS'A@vIs"))
        XCTAssertTrue(misses.contains("h'aI dZ'A@vIs"))
        XCTAssertFalse(misses.contains("h'eI dZ'A@vIs"))
    }
}
