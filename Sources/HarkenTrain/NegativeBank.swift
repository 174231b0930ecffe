// NegativeBank.swift: negative-speech training windows cut from frontend features made ahead.
//
// The negative clips are laid end to end, half a second of silence after each, as one long virtual
// stream (a stream heard by a device). A slot of the bank is a stretch of that stream at a random
// place, 1 s of lead-in and 8 s of body, augmented as one piece (speed, room, gain, then noise at the
// curriculum's SNR; no pitch shift, whose WSOLA would cost more than the rest together) and streamed through the frontend; the body's frames are kept (uint16,
// 40 a frame), and any `windowFrames` consecutive ones are a training window. The frontend's noise
// estimate has then adapted for at least a second, as on a device that has been listening.
//
// Slots are renewed in rotation: slot s is remade at the epochs e with (e + s) % `refreshEpochs` == 0,
// from a generator seeded by the seed, s and that epoch, so the bank at an epoch is a function of
// the seed and the epoch alone (a resumed run sees the same windows as an uninterrupted one).

import Foundation
import HarkenAudio
import HarkenData
import HarkenSupport

final class NegativeBank: @unchecked Sendable {
    static let leadSamples = 16000
    static let bodySamples = 8 * 16000
    static let gapSamples = 8000
    /// Epochs a slot lives for before it is remade.
    static let refreshEpochs = 6
    /// Bank frames per frame of an epoch's negative windows: 0.5, each frame in about two windows an epoch.
    static let coverage = 0.5
    /// Frames of features the bank may hold in all (80 bytes each): 256 MB.
    static let maxFrames = 3_200_000

    let windowFrames: Int
    let seed: UInt64
    let epochs: Int
    let augmenter: Augmenter
    let negatives: [[Float]]
    /// End of each clip's silence gap in the virtual stream.
    let streamEnds: [Int]
    let slotCount: Int
    private(set) var slots: [[UInt16]]
    private(set) var generations: [Int?]
    private let lock = NSLock()

    /// `windowsPerEpoch`: the negative windows an epoch draws; the bank holds `coverage` times as
    /// many windows' worth of frames.
    init(negatives: [[Float]], augmenter: Augmenter, windowFrames: Int, windowsPerEpoch: Int, seed: UInt64, epochs: Int) {
        self.negatives = negatives
        // No pitch shift (WSOLA, most of the augmentation's cost) on negative speech: speed, room, gain and noise.
        var a = augmenter
        a.config.pitchProbability = 0
        self.augmenter = a
        self.windowFrames = windowFrames
        self.seed = seed
        self.epochs = epochs
        var acc = 0
        streamEnds = negatives.map { acc += $0.count + NegativeBank.gapSamples; return acc }
        let bodyFrames = NegativeBank.bodySamples / 160
        let wanted = Int((Double(windowsPerEpoch * windowFrames) * NegativeBank.coverage / Double(bodyFrames)).rounded(.up))
        slotCount = min(max(wanted, NegativeBank.refreshEpochs), max(NegativeBank.maxFrames / bodyFrames, 1))
        slots = Array(repeating: [], count: slotCount)
        generations = Array(repeating: nil, count: slotCount)
    }

    /// The epoch slot `slot` was last made at, as seen from `epoch` (negative before the run's start).
    static func generation(slot: Int, epoch: Int, every r: Int = refreshEpochs) -> Int {
        return epoch - (((epoch + slot) % r) + r) % r
    }

    /// Makes the slots whose generation at `epoch` differs from what they hold.
    func prepare(epoch: Int) throws {
        lock.lock(); defer { lock.unlock() }
        let stale = (0..<slotCount).filter { generations[$0] != NegativeBank.generation(slot: $0, epoch: epoch) }
        guard !stale.isEmpty else { return }
        let made = try concurrentMap(stale) { _, s in try self.make(slot: s, generation: NegativeBank.generation(slot: s, epoch: epoch)) }
        for (s, frames) in zip(stale, made) {
            slots[s] = frames
            generations[s] = NegativeBank.generation(slot: s, epoch: epoch)
        }
    }

    /// The audio of a slot: the virtual stream from a random place, lead-in and body, and how many
    /// of its samples are speech (not gap).
    func stretch(rng: inout SplitMix64) -> (samples: [Float], speech: Int) {
        let total = streamEnds.last!
        var at = Int(rng.next() % UInt64(total))
        let count = NegativeBank.leadSamples + NegativeBank.bodySamples
        var out = [Float](repeating: 0, count: count)
        var speech = 0, filled = 0
        var clip = streamEnds.partitioningIndex { $0 > at }
        while filled < count {
            let clipStart = clip == 0 ? 0 : streamEnds[clip - 1]
            let offset = at - clipStart
            let source = negatives[clip]
            if offset < source.count {
                let n = min(source.count - offset, count - filled)
                for i in 0..<n { out[filled + i] = source[offset + i] }
                filled += n; at += n; speech += n
            } else {
                let n = min(streamEnds[clip] - at, count - filled)
                filled += n; at += n
            }
            if at >= streamEnds[clip] { clip = (clip + 1) % negatives.count; at = clip == 0 ? 0 : streamEnds[clip - 1] }
        }
        return (out, speech)
    }

    /// The audio of a slot (int16): lead-in and body, augmented.
    func audio(slot: Int, generation: Int) -> [Int16] {
        var rng = SplitMix64(seed: seed ^ 0xBA4C_0FFE &+ UInt64(slot) &* 0x9E37_79B9_7F4A_7C15
                             &+ UInt64(bitPattern: Int64(generation)) &* 0xD6E8_FEB8_6659_FD93)
        let (x, speech) = stretch(rng: &rng)
        var y = augmenter.transform(x, rng: &rng)
        // The SNR is measured against the speech, not the gaps (speed changes both alike).
        let energy = y.reduce(0.0) { $0 + Double($1) * Double($1) }
        let speechSamples = Double(speech) * Double(y.count) / Double(max(x.count, 1))
        let power = speechSamples > 0 ? energy / speechSamples : 0
        // Noise at the SNR of the middle of the epochs the slot serves.
        let curriculumEpoch = min(max(generation + NegativeBank.refreshEpochs / 2, 0), max(epochs - 1, 0))
        y = augmenter.addNoise(y, epoch: curriculumEpoch, of: epochs, signalPower: power > 0 ? power : nil, rng: &rng)
        // Slowed down, a stretch is longer; sped up, at least 0.9 × 9 s: always more than a window.
        return TrainingData.quantize(y)
    }

    /// One slot's features: the frames after the lead-in, frame-major.
    func make(slot: Int, generation: Int) throws -> [UInt16] {
        let samples = audio(slot: slot, generation: generation)
        var frames: [UInt16] = []
        frames.reserveCapacity(max(samples.count / 160 - NegativeBank.leadFrames, 0) * 40)
        var index = 0
        try Frontend().process(samples[...]) { f in
            if index >= NegativeBank.leadFrames { frames.append(contentsOf: f) }
            index += 1
        }
        precondition(frames.count >= windowFrames * 40, "a negative stretch of \(samples.count) samples is shorter than a window")
        return frames
    }

    static var leadFrames: Int { leadSamples / 160 }

    /// Where a window is cut: its slot and first frame (counted after the lead-in).
    func span(rng: inout SplitMix64) -> (slot: Int, start: Int) {
        let s = Int(rng.next() % UInt64(slotCount))
        let available = slots[s].count / 40 - windowFrames + 1
        return (s, Int(rng.next() % UInt64(available)))
    }

    /// A window of features (model input scale) from a random slot and place.
    func window(rng: inout SplitMix64) -> [Float] {
        let (s, start) = span(rng: &rng)
        return slots[s][(start * 40)..<((start + windowFrames) * 40)].map { Float($0) / 25.6 }
    }
}

extension Array {
    /// The first index whose element satisfies `belongs` (a predicate false then true along the array).
    func partitioningIndex(where belongs: (Element) -> Bool) -> Int {
        var lo = 0, hi = count
        while lo < hi { let mid = (lo + hi) / 2; if belongs(self[mid]) { hi = mid } else { lo = mid + 1 } }
        return lo
    }
}
