// PositiveBank.swift: positive and cut-off-positive training windows cut from frontend features
// made ahead.
//
// Each positive has `variants` copies. A copy is the clip augmented (Augmenter.transform: speed,
// pitch, room, gain), placed in silence so that it ends at a random phase of the 10 ms frame grid
// with room before it for the warm-up, a whole window and the earliest cut, mixed with noise at the
// curriculum's SNR (Augmenter.addNoise, measured against the clip) and streamed through the
// frontend. A positive window ends 0-0.2 s after the clip's end, a cut-off positive 0.25-0.6 s
// before it, as on the on-the-fly path (to the frame: 10 ms steps); both are frames of a copy.
//
// Copies are renewed in rotation as the negative bank's slots are (slot s remade at the epochs e
// with (e + s) % refreshEpochs == 0, seeded by the seed, s and that epoch), so the bank at an
// epoch is a function of the seed and the epoch alone.

import Foundation
import HarkenAudio
import HarkenData
import HarkenSupport

final class PositiveBank: @unchecked Sendable {
    static let refreshEpochs = 4
    /// Frames the copies may hold in all (80 bytes each): 256 MB.
    static let maxFrames = 3_200_000
    /// Window ends after the clip's end: positives [0, 3200) samples, cut-off positives [−9600, −4000).
    static let lateSamples = 3200, earlySamples = 9600, cutSamples = 4000

    let positives: [[Float]]
    let augmenter: Augmenter
    let seed: UInt64
    let epochs: Int
    let windowFrames: Int
    let warmSamples: Int
    let variants: Int
    /// Features of each copy (frame-major, 40 a frame) and the sample at which its clip ends.
    private(set) var slots: [(frames: [UInt16], clipEnd: Int)]
    private(set) var generations: [Int?]
    private let lock = NSLock()

    init(positives: [[Float]], augmenter: Augmenter, windowFrames: Int, warmSamples: Int, variants wanted: Int,
         seed: UInt64, epochs: Int) {
        self.positives = positives
        self.augmenter = augmenter
        self.seed = seed
        self.epochs = epochs
        self.windowFrames = windowFrames
        self.warmSamples = warmSamples
        let framesPerCopy = (warmSamples + PositiveBank.earlySamples + PositiveBank.lateSamples + 320) / 160 + windowFrames
        variants = max(1, min(wanted, PositiveBank.maxFrames / max(positives.count * framesPerCopy, 1)))
        slots = Array(repeating: ([], 0), count: positives.count * variants)
        generations = Array(repeating: nil, count: positives.count * variants)
    }

    func prepare(epoch: Int) throws {
        lock.lock(); defer { lock.unlock() }
        let r = PositiveBank.refreshEpochs
        let stale = slots.indices.filter { generations[$0] != NegativeBank.generation(slot: $0, epoch: epoch, every: r) }
        guard !stale.isEmpty else { return }
        let made = try concurrentMap(stale) { _, s in try self.make(slot: s, generation: NegativeBank.generation(slot: s, epoch: epoch, every: r)) }
        for (s, copy) in zip(stale, made) {
            slots[s] = copy
            generations[s] = NegativeBank.generation(slot: s, epoch: epoch, every: r)
        }
    }

    /// The audio of a copy (int16) and where its clip ends.
    func audio(slot: Int, generation: Int) -> (samples: [Int16], clipEnd: Int) {
        var rng = SplitMix64(seed: seed ^ 0x905_17B4 &+ UInt64(slot) &* 0x9E37_79B9_7F4A_7C15
                             &+ UInt64(bitPattern: Int64(generation)) &* 0xD6E8_FEB8_6659_FD93)
        let clip = augmenter.transform(positives[slot / variants], rng: &rng)
        let windowSamples = (windowFrames - 1) * 160 + 480
        let clipEnd = warmSamples + windowSamples + PositiveBank.earlySamples + Int(rng.next() % 160)
        var canvas = [Float](repeating: 0, count: clipEnd + PositiveBank.lateSamples + 160)
        let placed = TrainingData.overlay(clip, on: &canvas, endingAt: clipEnd)
        let power = AudioMath.power(canvas[placed])
        let curriculumEpoch = min(max(generation + PositiveBank.refreshEpochs / 2, 0), max(epochs - 1, 0))
        canvas = augmenter.addNoise(canvas, epoch: curriculumEpoch, of: epochs, signalPower: power > 0 ? power : nil, rng: &rng)
        return (TrainingData.quantize(canvas), clipEnd)
    }

    func make(slot: Int, generation: Int) throws -> (frames: [UInt16], clipEnd: Int) {
        let (samples, clipEnd) = audio(slot: slot, generation: generation)
        var frames: [UInt16] = []
        frames.reserveCapacity((samples.count / 160 + 1) * 40)
        try Frontend().process(samples[...]) { frames.append(contentsOf: $0) }
        return (frames, clipEnd)
    }

    /// The last frame of a window of copy `slot`: ending 0-0.2 s after its clip (positive) or
    /// 0.25-0.6 s before it (cut-off positive), on the frame grid (frame j ends at 160·j + 480).
    static func lastFrame(clipEnd: Int, cut: Bool, rng: inout SplitMix64) -> Int {
        if cut {
            return (clipEnd - cutSamples - 480) / 160 - Int(rng.next() % UInt64((earlySamples - cutSamples) / 160))
        }
        return (clipEnd - 480 + 159) / 160 + Int(rng.next() % UInt64(lateSamples / 160))
    }

    /// Where a window of positive `index` is cut: its copy and last frame.
    func span(_ index: Int, cut: Bool, rng: inout SplitMix64) -> (slot: Int, last: Int) {
        let slot = index * variants + Int(rng.next() % UInt64(variants))
        return (slot, PositiveBank.lastFrame(clipEnd: slots[slot].clipEnd, cut: cut, rng: &rng))
    }

    /// A window of features (model input scale) of positive `index`.
    func window(_ index: Int, cut: Bool, rng: inout SplitMix64) -> [Float] {
        let (slot, last) = span(index, cut: cut, rng: &rng)
        return slots[slot].frames[((last - windowFrames + 1) * 40)..<((last + 1) * 40)].map { Float($0) / 25.6 }
    }
}
