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
        let r = try Support.run(Support.harkenBinary, ["synth", "--phrase", "hey jarvis", "--out", dir, "--variations", "1",
                                                       "--near-misses", "1", "--negatives", "1", "--test-minutes", "1",
                                                       "--validation-minutes", "0", "--train-minutes", "0", "--seed", "5"])
        XCTAssertTrue(r.stdout.contains("clips from"), r.stdout)
        let clips = try records(dir)
        let engines = Set(clips.filter { $0.kind == .positive }.map(\.engine))
        XCTAssertEqual(engines, ["espeak-ng", "flite", "festival"])

        // Splits are by voice: no voice is in two splits, and the test voices are heard in no other split.
        var splitOf: [String: ClipRecord.Split] = [:]
        for c in clips where c.kind != .noise {
            let id = "\(c.engine):\(c.voice)"
            if let s = splitOf[id] { XCTAssertEqual(s, c.split, id) }
            splitOf[id] = c.split
        }
        for engine in ["espeak-ng", "flite"] {
            let splits = Set(splitOf.filter { $0.key.hasPrefix(engine + ":") }.values)
            XCTAssertTrue(splits.contains(.test) && splits.contains(.train), "\(engine): \(splits)")
        }

        let phrase = Phonemes.tokens(try Phonemes.of("hey jarvis"))
        for c in clips {
            let audio = try Audio.read(dir + "/" + c.path)
            XCTAssertEqual(audio.seconds, c.seconds, accuracy: 0.001, c.path)
            switch c.kind {
            case .positive:
                // The phrase, spelt with or without punctuation (a pause, a question).
                XCTAssertEqual(c.text.filter { $0.isLetter || $0 == " " }, "hey jarvis")
                XCTAssertGreaterThan(audio.seconds, 0.4, c.path)
            case .nearMiss:
                let t = Phonemes.tokens(c.phonemes!)
                XCTAssertEqual(t.count, phrase.count, c.phonemes!)
                XCTAssertEqual(zip(t, phrase).filter { $0 != $1 }.count, 1, c.phonemes!)
            case .negative:
                let words = Set(c.text.split(separator: " ").map { String($0.filter(\.isLetter)) })
                XCTAssertTrue(words.isDisjoint(with: ["hey", "jarvis"]), c.text)
            case .noise:
                XCTAssertEqual(audio.seconds, 4, accuracy: 0.001)
            case .stream:
                XCTAssertEqual(c.split, .test)
            }
        }
        XCTAssertGreaterThan(clips.filter { $0.kind == .nearMiss }.count, 10)
        // One minute of continuous negative speech, split between the test voices.
        XCTAssertEqual(clips.filter { $0.kind == .stream }.map(\.seconds).reduce(0, +), 60, accuracy: 0.5)
        XCTAssertEqual(Set(clips.filter { $0.kind == .noise }.map(\.voice)), ["white", "brown", "tone", "silence", "babble-train", "babble-test"])

        // The same seed gives the same corpus.
        let again = try Support.tempDir("synth2").path
        try Support.run(Support.harkenBinary, ["synth", "--phrase", "hey jarvis", "--out", again, "--variations", "1", "--near-misses", "1",
                                                 "--negatives", "1", "--test-minutes", "1", "--validation-minutes", "0", "--train-minutes", "0", "--seed", "5"])
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
