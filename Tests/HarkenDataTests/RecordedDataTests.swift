import Foundation
import HarkenAudio
@testable import HarkenData
import XCTest

/// Recorded sounds (SoundBank), natural sentences (TextSources) and user folders (Corpus.folder)
/// on the packages `make setup` installs and on broken files made here.
final class RecordedDataTests: XCTestCase {
    private func tempDir() throws -> String {
        let dir = NSTemporaryDirectory() + "harken-recorded-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        return dir
    }

    private func tone(seconds: Double, amplitude: Double, hz: Double = 440) -> [Int16] {
        (0..<Int(seconds * 16000)).map { Int16(amplitude * sin(2 * Double.pi * hz * Double($0) / 16000)) }
    }

    private func peak(_ a: Audio) -> Int { a.samples.reduce(0) { max($0, abs(Int($1))) } }

    // MARK: sounds

    func testInstalledSoundPoolsAreDisjointNonEmptyDeterministicAndDecoded() {
        var reports: [String] = []
        var paths: [DataPool: [String]] = [:]
        for pool in DataPool.allCases {
            let first = SoundBank.load(pool, maxSeconds: 2) { reports.append($0) }
            let again = SoundBank.load(pool, maxSeconds: 2) { _ in }
            XCTAssertEqual(first.map(\.path), again.map(\.path), "\(pool): order differs between two calls")
            XCTAssertEqual(first.map(\.path), first.map(\.path).sorted(), "\(pool): not in sorted order")
            for category in Sound.Category.allCases {
                XCTAssertGreaterThan(first.filter { $0.category == category }.count, category == .music ? 3 : 50,
                                     "\(pool) has too few \(category) sounds")
            }
            XCTAssertGreaterThan(Set(first.map(\.package)).count, 8, "\(pool) draws on few packages")
            for s in first {
                XCTAssertLessThanOrEqual(s.audio.seconds, 2.01, s.path)
                XCTAssertGreaterThan(s.audio.seconds, 0, s.path)
                XCTAssertGreaterThanOrEqual(peak(s.audio), SoundFile.silencePeak, "\(s.path) is silent")
                XCTAssertEqual(DataPool.of(path: s.path), pool)
            }
            paths[pool] = first.map(\.path)
        }
        XCTAssertEqual(reports, [], "installed sound files that do not decode")
        XCTAssertTrue(Set(paths[.training]!).isDisjoint(with: paths[.stress]!), "a file is in both pools")
    }

    func testInstalledMusicIsLongEnough() throws {
        var seconds = 0.0
        for pool in DataPool.allCases {
            for (path, root) in SoundBank.files(pool, roots: SoundBank.installed, report: { XCTFail($0) }) {
                let h = try SoundFile.header(path)
                if (root.category ?? (h.seconds >= SoundBank.musicSeconds ? .music : .effect)) == .music { seconds += h.seconds }
            }
        }
        XCTAssertGreaterThan(seconds, 30 * 60, "less than 30 minutes of music installed")
    }

    func testMaxFilesAndCategoryDecodeOnlyWhatIsAsked() {
        let all = SoundBank.load(.training, category: .music, maxSeconds: 1) { _ in }
        let two = SoundBank.load(.training, category: .music, maxSeconds: 1, maxFiles: 2) { _ in }
        XCTAssertEqual(two.map(\.path), Array(all.prefix(2)).map(\.path))
        XCTAssertTrue(two.allSatisfy { $0.category == .music })
        let effects = SoundBank.load(.stress, category: .effect, maxSeconds: 1, maxFiles: 3) { _ in }
        XCTAssertEqual(effects.count, 3)
        XCTAssertTrue(effects.allSatisfy { $0.category == .effect })
    }

    func testBrokenAndSilentFilesAreReportedOnceAndSkipped() throws {
        let dir = try tempDir()
        try Audio(samples: tone(seconds: 1, amplitude: 8000)).writeWAV(to: dir + "/good.wav")
        try Audio(samples: [Int16](repeating: 0, count: 16000)).writeWAV(to: dir + "/silent.wav")
        _ = FileManager.default.createFile(atPath: dir + "/empty.wav", contents: Data())
        _ = FileManager.default.createFile(atPath: dir + "/corrupt.ogg", contents: Data("OggS".utf8 + (0..<4000).map { UInt8(truncatingIfNeeded: $0 &* 7919) }))
        _ = FileManager.default.createFile(atPath: dir + "/readme.txt", contents: Data("not audio".utf8))
        // An OGG Vorbis file from an installed package, beside the broken ones.
        let ogg = "/usr/share/sounds/freedesktop/stereo/bell.oga"
        try FileManager.default.copyItem(atPath: ogg, toPath: dir + "/bell.oga")

        let root = SoundBank.Root(package: "test", directory: dir)
        var reports: [String] = []
        var sounds: [Sound] = []
        for pool in DataPool.allCases {
            sounds += SoundBank.load(pool, roots: [root]) { reports.append($0) }
        }
        XCTAssertEqual(Set(sounds.map { ($0.path as NSString).lastPathComponent }), ["good.wav", "bell.oga"])
        for bad in ["empty.wav", "corrupt.ogg", "silent.wav"] {
            XCTAssertEqual(reports.filter { $0.contains(dir + "/" + bad) }.count, 1, "\(bad) reported \(reports)")
        }
        XCTAssertEqual(reports.count, 3, "\(reports)")
        XCTAssertTrue(reports.contains { $0.contains("silent.wav") && $0.contains("silent") })
        for s in sounds {
            XCTAssertGreaterThan(peak(s.audio), 1000, s.path)
            XCTAssertEqual(s.category, .effect)
            XCTAssertEqual(s.package, "test")
        }
        // The 48 kHz stereo OGG is resampled to 16 kHz: its length in seconds is kept.
        let bell = try XCTUnwrap(sounds.first { $0.path.hasSuffix("bell.oga") })
        let header = try SoundFile.header(ogg)
        XCTAssertNotEqual(header.rate, Audio.sampleRate)
        XCTAssertEqual(bell.audio.seconds, header.seconds, accuracy: 0.01)
    }

    func testLongSoundIsCutToItsMiddle() throws {
        let dir = try tempDir()
        // 25 s quiet, 10 s loud, 25 s quiet: the middle 8 s are all loud.
        let samples = tone(seconds: 25, amplitude: 300) + tone(seconds: 10, amplitude: 20000) + tone(seconds: 25, amplitude: 300)
        try Audio(samples: samples).writeWAV(to: dir + "/long.wav")
        let sounds = DataPool.allCases.flatMap { SoundBank.load($0, maxSeconds: 8, roots: [SoundBank.Root(package: "t", directory: dir)]) { XCTFail($0) } }
        let long = try XCTUnwrap(sounds.first)
        XCTAssertEqual(long.category, .music)
        XCTAssertEqual(long.audio.seconds, 8, accuracy: 0.01)
        XCTAssertGreaterThan(peak(Audio(samples: Array(long.audio.samples.prefix(400)))), 15000, "the cut starts in the intro")
        XCTAssertGreaterThan(peak(Audio(samples: Array(long.audio.samples.suffix(400)))), 15000, "the cut ends in the outro")
    }

    // MARK: user folders

    func testCorpusFolderNamesAndSkipsABrokenFile() throws {
        let dir = try tempDir()
        try Audio(samples: tone(seconds: 0.5, amplitude: 5000)).writeWAV(to: dir + "/a.wav")
        _ = FileManager.default.createFile(atPath: dir + "/b.flac", contents: Data("fLaC garbage".utf8))
        try FileManager.default.copyItem(atPath: "/usr/share/sounds/freedesktop/stereo/bell.oga", toPath: dir + "/c.ogg")
        var reports: [String] = []
        let clips = try Corpus.folder(dir) { reports.append($0) }
        XCTAssertEqual(clips.count, 2)
        XCTAssertEqual(clips[0].count, 8000)
        XCTAssertEqual(reports.count, 1)
        XCTAssertTrue(reports[0].contains(dir + "/b.flac"), reports[0])
        // The old signature stops at the broken file and names it.
        XCTAssertThrowsError(try Corpus.folder(dir)) { XCTAssertTrue("\($0)".contains("b.flac"), "\($0)") }
        try FileManager.default.removeItem(atPath: dir + "/a.wav")
        try FileManager.default.removeItem(atPath: dir + "/c.ogg")
        XCTAssertThrowsError(try Corpus.folder(dir) { _ in }) { XCTAssertTrue("\($0)".contains("no usable audio"), "\($0)") }
        XCTAssertThrowsError(try Corpus.folder(dir + "/missing") { _ in })
    }

    // MARK: sentences

    func testSentencePoolsAreDisjointLargeSpeakableAndDeterministic() throws {
        let training = try TextSources.sentences(.training)
        let stress = try TextSources.sentences(.stress)
        XCTAssertEqual(training, try TextSources.sentences(.training))
        XCTAssertEqual(stress, try TextSources.sentences(.stress))
        let trainingWords = training.reduce(0) { $0 + $1.split(separator: " ").count }
        let stressWords = stress.reduce(0) { $0 + $1.split(separator: " ").count }
        XCTAssertGreaterThan(training.count, 5000)
        XCTAssertGreaterThan(stress.count, 5000)
        XCTAssertGreaterThan(trainingWords, 90_000, "training: under 10 h of speech at 150 words/min")
        XCTAssertGreaterThan(stressWords, 27_000, "stress: under 3 h of speech at 150 words/min")
        XCTAssertTrue(Set(training.map(TextSources.key)).isDisjoint(with: stress.map(TextSources.key)), "a sentence in both pools")
        XCTAssertEqual(Set(stress).count, stress.count)
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ .,!?';:-")
        for s in training + stress {
            let n = s.split(separator: " ").count
            XCTAssertTrue((4...30).contains(n) && s.allSatisfy(allowed.contains) && !s.contains("http"), s)
        }
    }

    func testExcludedWordsDropWholeWordsOnly() throws {
        let all = try TextSources.sentences(.training)
        let kept = try TextSources.sentences(.training, excluding: ["Love"])
        XCTAssertLessThan(kept.count, all.count)
        XCTAssertFalse(kept.contains { TextSources.words($0).contains("love") })
        XCTAssertTrue(kept.contains { TextSources.words($0).contains("lovely") }, "a longer word was dropped too")
        XCTAssertTrue(all.contains { $0.contains("Love") || $0.contains("love ") })
        XCTAssertFalse(TextSources.isSpeakable("THE END OF THE STORY."))
        XCTAssertFalse(TextSources.isSpeakable("See http://example.org for it."))
        XCTAssertFalse(TextSources.isSpeakable("Too short."))
        XCTAssertTrue(TextSources.isSpeakable("This is a sentence, isn't it?"))
    }

    func testMissingSourceNamesFileAndSetup() {
        XCTAssertThrowsError(try TextSources.sentences(.stress, excluding: [], fortuneFolder: TextSources.fortuneFolder,
                                                       wordnetFolder: "/nonexistent/wordnet")) { error in
            XCTAssertEqual((error as? TextSourceError)?.code, "text.missing")
            XCTAssertTrue("\(error)".contains("/nonexistent/wordnet/data.adj") && "\(error)".contains("wordnet-base")
                          && "\(error)".contains("make setup"), "\(error)")
        }
    }
}
