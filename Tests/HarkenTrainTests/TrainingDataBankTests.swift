import Foundation
import HarkenAudio
import HarkenData
import HarkenNN
import HarkenSupport
import XCTest
@testable import HarkenTrain

/// The cached data path: windows cut from the banks are the frontend's features of the banks'
/// audio, at the places each window kind asks for; batches are a function of the seed; the fast
/// convolution is the direct one.
final class TrainingDataBankTests: XCTestCase {
    /// A small corpus written as `harken synth` lays it out: chirps as positives, noise-modulated
    /// tones as negative speech, one longer stream, one noise clip (seeded, no TTS).
    static let corpus: Result<String, Error> = Result {
        let dir = NSTemporaryDirectory() + "harken-bank-corpus-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir + "/clips", withIntermediateDirectories: true)
        var rng = SplitMix64(seed: 42)
        var lines: [String] = []
        func clip(_ kind: String, _ split: String, seconds: Double, base: Double) throws {
            let n = Int(seconds * 16000)
            let f0 = base * (1 + Double(rng.nextUniform()) * 0.5)
            var phase = 0.0
            let samples = (0..<n).map { i -> Int16 in
                let t = Double(i) / Double(n)
                phase += 2 * Double.pi * f0 * (1 + 0.5 * t) / 16000
                let envelope = sin(Double.pi * t) * (0.6 + 0.4 * sin(2 * Double.pi * 3 * t))
                let noise = Double(rng.nextUniform()) - 0.5
                return Int16(clamping: Int((8000 * envelope * sin(phase) + 600 * noise).rounded()))
            }
            let path = "clips/\(lines.count).wav"
            try Audio(samples: samples).writeWAV(to: dir + "/" + path)
            lines.append(#"{"engine":"test","kind":"\#(kind)","path":"\#(path)","pitch":0,"rate":1,"schema_version":1,"seconds":\#(seconds),"split":"\#(split)","text":"x","voice":"v"}"#)
        }
        for _ in 0..<6 { try clip("positive", "train", seconds: 0.9, base: 300) }
        for _ in 0..<4 { try clip("negative", "train", seconds: 2.5, base: 180) }
        try clip("near_miss", "train", seconds: 0.8, base: 250)
        try clip("stream", "train", seconds: 20, base: 150)
        try clip("noise", "train", seconds: 2, base: 2000)
        try clip("positive", "validation", seconds: 0.9, base: 300)
        try clip("negative", "validation", seconds: 2.5, base: 180)
        try (lines.joined(separator: "\n") + "\n").write(toFile: dir + "/manifest.jsonl", atomically: true, encoding: .utf8)
        return dir
    }

    static func config(seed: UInt64 = 5) throws -> TrainConfig {
        var c = try TrainConfig.preset("tiny")
        c.epochs = 4
        c.seed = seed
        c.augment.rooms = 2
        c.augment.rt60 = [0.15, 0.25]
        // Every augmentation on, so the banks' audio goes through all of them.
        c.augment.speedProbability = 1
        c.augment.pitchProbability = 1
        c.augment.reverbProbability = 1
        c.augment.noiseProbability = 1
        return c
    }

    static func data(seed: UInt64 = 5) throws -> TrainingData {
        try TrainingData(corpus: try Corpus.load(try corpus.get()), windowFrames: SentrySpec.standard(.tinyConvV2).windowFrames,
                         config: try config(seed: seed))
    }

    func testNegativeWindowsAreTheFrontendFeaturesOfTheirStretch() throws {
        let data = try Self.data()
        try data.prepare(epoch: 2)
        let bank = data.negativeBank()
        var rng = SplitMix64(seed: 9)
        for _ in 0..<3 {
            var probe = rng
            let (slot, start) = bank.span(rng: &probe)
            let window = bank.window(rng: &rng)
            let audio = bank.audio(slot: slot, generation: NegativeBank.generation(slot: slot, epoch: 2))
            // The stretch up to the window's last frame, through a fresh frontend.
            let last = NegativeBank.leadFrames + start + data.windowFrames - 1
            let reference = try Frontend().features(of: Audio(samples: Array(audio[0..<(160 * last + 480)])))
            XCTAssertEqual(reference.count, last + 1)
            XCTAssertEqual(window, reference.suffix(data.windowFrames).flatMap { $0.map { Float($0) / 25.6 } }, "slot \(slot) start \(start)")
            XCTAssertGreaterThan(window.max() ?? 0, 0)
        }
    }

    func testPositiveWindowsEndWhereTheirKindSays() throws {
        let data = try Self.data()
        try data.prepare(epoch: 1)
        let bank = data.positiveVariants()
        var rng = SplitMix64(seed: 11)
        for index in 0..<data.positives.count {
            for cut in [false, true] {
                var probe = rng
                let (slot, last) = bank.span(index, cut: cut, rng: &probe)
                XCTAssertEqual(slot / bank.variants, index)
                let window = bank.window(index, cut: cut, rng: &rng)
                let (audio, clipEnd) = bank.audio(slot: slot, generation: NegativeBank.generation(slot: slot, epoch: 1, every: PositiveBank.refreshEpochs))
                XCTAssertEqual(clipEnd, bank.slots[slot].clipEnd)
                let end = 160 * last + 480
                // Positives end 0-0.2 s after the clip, cut-off positives 0.25-0.6 s before its end.
                if cut { XCTAssert((clipEnd - 9600)...(clipEnd - 4000) ~= end, "cut: end \(end), clip end \(clipEnd)") }
                else { XCTAssert(clipEnd..<(clipEnd + 3200 + 160) ~= end, "positive: end \(end), clip end \(clipEnd)") }
                // The warm-up the on-the-fly path gives is there before the window.
                XCTAssertGreaterThanOrEqual(end - ((data.windowFrames - 1) * 160 + 480), data.warmSamples)
                let reference = try Frontend().features(of: Audio(samples: Array(audio[0..<end])))
                XCTAssertEqual(window, reference.suffix(data.windowFrames).flatMap { $0.map { Float($0) / 25.6 } }, "positive \(index) cut \(cut)")
            }
        }
    }

    func testCachedBatchesDependOnTheSeedAloneAndKeepLabels() throws {
        let a = try Self.data(), b = try Self.data()
        let items = a.plan(epoch: 2)
        XCTAssertEqual(Set(items.map { "\($0.kind)" }), ["positive", "cutPositive", "negative", "background"])
        let slice = items.prefix(48)
        // b comes to epoch 2 through the rotation of epochs 0 and 1, as a run does; a starts there, as a resumed run does.
        try b.prepare(epoch: 0)
        try b.prepare(epoch: 1)
        let x = try a.batch(slice, epoch: 2, batchSeed: 77), y = try b.batch(slice, epoch: 2, batchSeed: 77)
        XCTAssertEqual(x.x.data, y.x.data)
        XCTAssertEqual(x.x.shape, [slice.count, a.windowFrames, 1, 40])
        XCTAssertEqual(x.y.data, slice.map { $0.kind == .positive ? 1 : 0 })
        XCTAssertEqual(x.w.data, slice.map { $0.kind == .positive ? 1 : a.config.negativeWeight })
        XCTAssertNotEqual(try a.batch(slice, epoch: 2, batchSeed: 78).x.data, x.x.data)
        let other = try Self.data(seed: 6)
        XCTAssertNotEqual(try other.batch(slice, epoch: 2, batchSeed: 77).x.data, x.x.data)
        // The banks move on: a later epoch renews some slots, not all.
        let before = a.negativeBank().slots
        try a.prepare(epoch: 3)
        let after = a.negativeBank().slots
        let renewed = zip(before, after).filter { $0 != $1 }.count
        XCTAssertGreaterThan(renewed, 0)
        XCTAssertLessThan(renewed, after.count)
        // The on-the-fly path still makes every kind, with the same labels.
        a.dataPath = .onTheFly
        let old = try a.batch(slice, epoch: 2, batchSeed: 77)
        XCTAssertEqual(old.y.data, x.y.data)
        XCTAssertEqual(old.x.shape, x.x.shape)
    }

    func testFastConvolutionMatchesDirect() {
        var rng = SplitMix64(seed: 3)
        for (n, m) in [(1, 1), (50, 7), (5000, 300), (40_000, 3_000), (20_000, 9_000), (3_000, 9_000), (129, 64)] {
            let x = (0..<n).map { _ in rng.nextUniform() * 2 - 1 }
            let h = (0..<m).map { i in (rng.nextUniform() * 2 - 1) * Float(exp(-Double(i) / Double(m))) }
            let fast = Convolution.apply(x, h), direct = Convolution.direct(x, h)
            XCTAssertEqual(fast.count, n + m - 1)
            let scale = direct.map(abs).max()!
            let err = zip(fast, direct).map { abs($0 - $1) }.max()!
            XCTAssertLessThanOrEqual(err, 1e-4 * scale, "n \(n) m \(m): error \(err) of \(scale)")
        }
    }
}
