// TrainingData.swift: the corpus on disk, and training windows made from it.
//
// A window is the audio of one training example: `warm` samples the frontend settles on (its noise
// estimate adapts, as it has on a device that has been listening), then exactly the samples of the
// model's window. Positives end in the window's last 0.2 s; negatives are negative speech and near
// misses at any overlap with the window, noise, and positives cut off before their end (the model
// fires when the phrase is done).
//
// Two data paths make the same kinds of window. On the fly, every window is augmented and run
// through the frontend as it is drawn. Cached (the default, several times faster), negative speech
// comes from NegativeBank (features of long augmented stretches of the negatives laid end to end)
// and positives and cut-off positives from PositiveBank (features of augmented copies of each
// clip), both renewed in rotation across epochs; background windows are made on the fly.

import Foundation
import HarkenAudio
import HarkenData
import HarkenNN
import HarkenSupport

public final class TrainingData: @unchecked Sendable {
    public enum Kind: Sendable { case positive, cutPositive, negative, background, hardNegative }
    public struct Item: Sendable { public var kind: Kind; public var index: Int }
    public enum DataPath: String, Sendable, CaseIterable { case onTheFly = "on-the-fly", cached }

    /// How windows are made: every one augmented and through the frontend as it is drawn, or
    /// (default) cut from banks of features made ahead.
    public var dataPath: DataPath = .cached
    private var bank: NegativeBank?
    private var positiveBank: PositiveBank?
    private let bankLock = NSLock()

    public let windowFrames: Int
    public let config: TrainConfig
    let windowSamples: Int
    let warmSamples = 4800
    public let positives: [[Float]]
    public let negatives: [[Float]]
    public let backgrounds: [[Float]]
    /// Negatives `harken mine` cut around a false accept (at `minedLeadSamples` into each clip):
    /// drawn `hardNegativeRepeats` times an epoch, the false accept's moment near the window's end.
    public let hardNegatives: [[Float]]
    public static let minedLeadSamples = 24000
    public var hardNegativeRepeats = 3
    public let augmenter: Augmenter
    /// Cumulative negative lengths: negatives are drawn in proportion to their duration, so an
    /// hour of continuous speech weighs as an hour, not as one clip.
    let negativeCumulative: [Int]
    public let validation: (x: HarkenNN.Tensor, y: HarkenNN.Tensor)

    public init(corpus: Corpus, windowFrames: Int, config: TrainConfig, extraPositives: [[Float]] = [],
                extraNoise: [[Float]] = [], rirs: [[Float]] = []) throws {
        self.windowFrames = windowFrames
        self.config = config
        windowSamples = (windowFrames - 1) * 160 + 480
        func load(_ kinds: Set<ClipRecord.Kind>, _ split: ClipRecord.Split) throws -> [[Float]] {
            try concurrentMap(corpus.clips(kinds, split)) { _, r in try corpus.samples(r) }
        }
        positives = try load([.positive], .train).map(AudioMath.voiced) + extraPositives.map(AudioMath.voiced)
        let mined = corpus.clips([.negative], .train).filter { $0.minedRound != nil }
        hardNegatives = try concurrentMap(mined) { _, r in try corpus.samples(r) }
        negatives = try concurrentMap(corpus.clips([.negative, .nearMiss, .stream], .train).filter { $0.minedRound == nil }) { _, r in
            try corpus.samples(r)
        }
        backgrounds = try load([.noise], .train) + extraNoise
        guard !positives.isEmpty else { throw TrainError.data("\(corpus.root): no positive clips in the train split") }
        guard !negatives.isEmpty else { throw TrainError.data("\(corpus.root): no negative clips in the train split") }
        var acc = 0
        negativeCumulative = negatives.map { acc += max($0.count, 1); return acc }
        augmenter = try Augmenter(config: config.augment, noises: backgrounds, userRIRs: rirs, seed: config.seed)

        // A fixed validation set: the validation voices' positives ending 0.1 s before the window's
        // end, and windows of their negative speech, without augmentation.
        // Validation clips heard in a room and noise (the stress benchmark's conditions) say where
        // the phrase ends; the background around it stays, as a device would hear it.
        let valRecords = corpus.clips([.positive], .validation)
        let valPositives = try concurrentMap(valRecords) { _, r -> (clip: [Float], end: Int?) in
            let x = try corpus.samples(r)
            return r.phraseEndS.map { (x, Int($0 * 16000)) } ?? (AudioMath.voiced(x), nil)
        }
        let valNegatives = try load([.negative, .nearMiss], .validation)
        var windows: [[Int16]] = [], labels: [Float] = []
        let total = warmSamples + windowSamples
        for (p, end) in valPositives {
            windows.append(TrainingData.place(p, in: total, endingAt: total - 1600 + (end.map { p.count - $0 } ?? 0))); labels.append(1)
        }
        var rng = SeededGenerator(seed: config.seed ^ 0x7A1)
        for n in valNegatives {
            let start = n.count > total ? Int(rng.next() % UInt64(n.count - total)) : 0
            windows.append(TrainingData.place(Array(n[start..<min(start + total, n.count)]), in: total, endingAt: total)); labels.append(0)
        }
        let frames = windowFrames
        let feats = try concurrentMap(windows) { _, w in try TrainingData.features(w, frames: frames) }
        validation = (HarkenNN.Tensor(shape: [feats.count, windowFrames, 1, 40], data: feats.flatMap { $0 }),
                      HarkenNN.Tensor(shape: [labels.count, 1], data: labels))
    }

    /// Positives × repeats, negatives in proportion (a tenth of them cut-off positives, a tenth noise), shuffled.
    public func plan(epoch: Int) -> [Item] {
        var rng = SeededGenerator(seed: config.seed &+ UInt64(epoch + 1) &* 0x9E37_79B9_7F4A_7C15)
        var items: [Item] = []
        for _ in 0..<config.positiveRepeats { items += positives.indices.map { Item(kind: .positive, index: $0) } }
        let nNeg = Int(Double(items.count) * config.negativesPerPositive)
        for i in 0..<nNeg {
            switch i % 10 {
            case 0: items.append(Item(kind: .cutPositive, index: Int(rng.next() % UInt64(positives.count))))
            case 1 where !backgrounds.isEmpty: items.append(Item(kind: .background, index: Int(rng.next() % UInt64(backgrounds.count))))
            default:
                let t = Int(rng.next() % UInt64(negativeCumulative.last!))
                var lo = 0, hi = negativeCumulative.count - 1
                while lo < hi { let mid = (lo + hi) / 2; if negativeCumulative[mid] > t { hi = mid } else { lo = mid + 1 } }
                items.append(Item(kind: .negative, index: lo))
            }
        }
        for _ in 0..<hardNegativeRepeats { items += hardNegatives.indices.map { Item(kind: .hardNegative, index: $0) } }
        items.shuffle(using: &rng)
        return items
    }

    /// Windows for post-training quantization: the first epoch's mix, `count` of them.
    public func calibrationWindows(count: Int) throws -> HarkenNN.Tensor {
        try batch(plan(epoch: 0).prefix(count), epoch: 0, batchSeed: config.seed ^ 0xCA11).x
    }

    /// Makes what `batch` will need for `epoch` ahead (nothing on the on-the-fly path); `batch`
    /// does it itself when it was not done.
    public func prepare(epoch: Int) throws {
        guard dataPath == .cached else { return }
        try negativeBank().prepare(epoch: epoch)
        try positiveVariants().prepare(epoch: epoch)
    }

    func positiveVariants() -> PositiveBank {
        bankLock.lock(); defer { bankLock.unlock() }
        if let positiveBank { return positiveBank }
        let b = PositiveBank(positives: positives, augmenter: augmenter, windowFrames: windowFrames, warmSamples: warmSamples,
                             variants: max(config.positiveRepeats, 2), seed: config.seed, epochs: config.epochs)
        positiveBank = b
        return b
    }

    func negativeBank() -> NegativeBank {
        bankLock.lock(); defer { bankLock.unlock() }
        if let bank { return bank }
        let perEpoch = plan(epoch: 0).filter { $0.kind == .negative }.count
        let b = NegativeBank(negatives: negatives, augmenter: augmenter, windowFrames: windowFrames,
                             windowsPerEpoch: perEpoch, seed: config.seed, epochs: config.epochs)
        bank = b
        return b
    }

    /// Features [n, windowFrames, 1, 40], targets and loss weights [n, 1] for a batch of items.
    public func batch(_ items: ArraySlice<Item>, epoch: Int, batchSeed: UInt64) throws
        -> (x: HarkenNN.Tensor, y: HarkenNN.Tensor, w: HarkenNN.Tensor) {
        let list = Array(items)
        let epochs = config.epochs
        let bank: NegativeBank? = dataPath == .cached ? negativeBank() : nil
        let variants: PositiveBank? = dataPath == .cached ? positiveVariants() : nil
        try bank?.prepare(epoch: epoch)
        try variants?.prepare(epoch: epoch)
        let results = try concurrentMap(list) { i, item -> ([Float], Float) in
            var rng = SeededGenerator(seed: batchSeed &+ UInt64(i) &* 0xD1B5_4A32_D192_ED03)
            if let bank, item.kind == .negative {
                return (bank.window(rng: &rng), 0)
            }
            if let variants, item.kind == .positive || item.kind == .cutPositive {
                return (variants.window(item.index, cut: item.kind == .cutPositive, rng: &rng), item.kind == .positive ? 1 : 0)
            }
            let audio = self.window(item, epoch: epoch, of: epochs, rng: &rng)
            return (try TrainingData.features(audio, frames: self.windowFrames), item.kind == .positive ? 1 : 0)
        }
        let n = list.count
        let w = results.map { $0.1 == 1 ? Float(1) : config.negativeWeight }
        return (HarkenNN.Tensor(shape: [n, windowFrames, 1, 40], data: results.flatMap(\.0)),
                HarkenNN.Tensor(shape: [n, 1], data: results.map(\.1)), HarkenNN.Tensor(shape: [n, 1], data: w))
    }

    /// The audio of one training example (warm-up plus window), augmented.
    func window(_ item: Item, epoch: Int, of epochs: Int, rng: inout SeededGenerator) -> [Int16] {
        let total = warmSamples + windowSamples
        var canvas = [Float](repeating: 0, count: total)
        var placed: Range<Int> = 0..<0
        switch item.kind {
        case .positive, .cutPositive:
            let clip = augmenter.transform(positives[item.index], rng: &rng)
            let shift = item.kind == .positive ? Int(rng.next() % 3200) : -(4000 + Int(rng.next() % 5600))
            placed = TrainingData.overlay(clip, on: &canvas, endingAt: total - shift)
        case .negative:
            // Any overlap of clip and window, as a stream shows it: the clip's onset cut by the
            // window's end (silence, then speech that has not finished) as often as whole clips.
            // Long recordings are cut to a random stretch first (speed and room work on what is heard).
            var source = negatives[item.index]
            if source.count > 2 * total {
                let start = Int(rng.next() % UInt64(source.count - 2 * total))
                source = Array(source[start..<(start + 2 * total)])
            }
            let clip = augmenter.transform(source, rng: &rng)
            let lo = total / 4, hi = total + clip.count * 3 / 4
            placed = TrainingData.overlay(clip, on: &canvas, endingAt: lo + Int(rng.next() % UInt64(max(hi - lo, 1))))
        case .hardNegative:
            // The false accept's moment 0–0.2 s before the window's end, as the model saw it.
            let clip = augmenter.transform(hardNegatives[item.index], rng: &rng)
            let lead = Int(Double(TrainingData.minedLeadSamples) * Double(clip.count) / Double(max(hardNegatives[item.index].count, 1)))
            placed = TrainingData.overlay(clip, on: &canvas, endingAt: total - lead + clip.count - Int(rng.next() % 3200))
        case .background:
            let b = backgrounds[item.index]
            let g = Float(pow(10, Double(rng.nextUniform()) * 1.5 - 1))
            let offset = Int(rng.next() % UInt64(max(b.count, 1)))
            for i in 0..<total where !b.isEmpty { canvas[i] = g * b[(offset + i) % b.count] }
            return canvas.map { Int16(clamping: Int($0.rounded())) }
        }
        let power = AudioMath.power(canvas[placed.clamped(to: 0..<total)])
        canvas = augmenter.addNoise(canvas, epoch: epoch, of: epochs, signalPower: power > 0 ? power : nil, rng: &rng)
        return canvas.map { Int16(clamping: Int($0.rounded())) }
    }

    /// Samples to int16, clamped, rounded half to even (by the 1.5·2²³ trick, exact below 2²²).
    public static func quantize(_ x: [Float]) -> [Int16] {
        [Int16](unsafeUninitializedCapacity: x.count) { out, count in
            x.withUnsafeBufferPointer { p in
                for i in 0..<p.count {
                    let c = min(max(p[i], -32768), 32767)
                    out[i] = Int16((c + 12_582_912) - 12_582_912)
                }
            }
            count = x.count
        }
    }

    /// Adds `clip` so that it ends at `end` (cut at the canvas edges); returns where it landed.
    public static func overlay(_ clip: [Float], on canvas: inout [Float], endingAt end: Int) -> Range<Int> {
        let start = end - clip.count
        let lo = max(start, 0), hi = min(end, canvas.count)
        guard lo < hi else { return 0..<0 }
        for i in lo..<hi { canvas[i] += clip[i - start] }
        return lo..<hi
    }

    static func place(_ clip: [Float], in total: Int, endingAt end: Int) -> [Int16] {
        var canvas = [Float](repeating: 0, count: total)
        _ = overlay(clip, on: &canvas, endingAt: end)
        return canvas.map { Int16(clamping: Int($0.rounded())) }
    }

    /// The frontend's last `frames` frames of the audio, as the model's float input.
    static func features(_ audio: [Int16], frames: Int) throws -> [Float] {
        let all = try Frontend().features(of: Audio(samples: audio))
        precondition(all.count >= frames, "window of \(audio.count) samples gives \(all.count) frames, need \(frames)")
        return all.suffix(frames).flatMap { $0.map { Float($0) / 25.6 } }
    }
}
