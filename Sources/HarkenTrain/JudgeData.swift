// JudgeData.swift: what a Judge learns from: the int8 feature windows a Sentry hands over.
//
// Every example is a window cut where the deployed Sentry fired (positives, hard negatives mined
// from its false accepts, near misses) or, for plain speech, at random steps. Each is kept with
// `jitter` extra frames on both sides; a batch reads the window at a random offset in 0...2·jitter,
// so the Judge accepts the phrase wherever within a Sentry step of the usual place the trigger lands.

import Foundation
import HarkenNN
import HarkenSupport

/// One window with its label and where it came from.
public struct JudgeExample: Sendable {
    public enum Source: String, Codable, Sendable, CaseIterable {
        /// A positive, cut where the Sentry fired on it (or at its peak when it did not).
        case positive
        /// A Sentry false accept on negative speech, noise or babble.
        case sentryFalseAccept = "sentry_false_accept"
        /// A near miss, cut where the Sentry fired or peaked.
        case nearMiss = "near_miss"
        /// Negative speech at a random step.
        case speech
    }

    /// (windowFrames + 2·jitter) frames of int8 features, frame-major.
    public var features: [Int8]
    public var label: Float
    public var source: Source

    public init(features: [Int8], label: Float, source: Source) {
        self.features = features; self.label = label; self.source = source
    }
}

public final class JudgeData: WindowSource, @unchecked Sendable {
    public let windowFrames: Int
    public let jitter: Int
    public let channels = 40
    public let train: [JudgeExample]
    public let validation: (x: HarkenNN.Tensor, y: HarkenNN.Tensor)
    let seed: UInt64
    /// Positives are repeated to about a third of an epoch's examples.
    let positiveRepeats: Int
    let negativeWeight: Float

    public init(train: [JudgeExample], validation: [JudgeExample], windowFrames: Int, jitter: Int, seed: UInt64,
                negativeWeight: Float = 1) throws {
        let positives = train.filter { $0.label > 0.5 }.count
        guard positives > 0, positives < train.count else {
            throw TrainError.data("a Judge needs positive and negative windows (\(positives) positives of \(train.count))")
        }
        self.train = train
        self.windowFrames = windowFrames
        self.jitter = jitter
        self.seed = seed
        self.negativeWeight = negativeWeight
        positiveRepeats = max(1, Int((Double(train.count - positives) / Double(2 * positives)).rounded()))
        let centred = validation.map { JudgeData.cut($0.features, offset: jitter, frames: windowFrames, channels: 40) }
        self.validation = (JudgeModel.tensor(centred, frames: windowFrames),
                           HarkenNN.Tensor(shape: [validation.count, 1], data: validation.map(\.label)))
    }

    static func cut(_ f: [Int8], offset: Int, frames: Int, channels: Int) -> [Int8] {
        Array(f[(offset * channels)..<((offset + frames) * channels)])
    }

    public func plan(epoch: Int) -> [TrainingData.Item] {
        var rng = SeededGenerator(seed: seed &+ UInt64(epoch + 1) &* 0x9E37_79B9_7F4A_7C15)
        var items: [TrainingData.Item] = []
        for (i, e) in train.enumerated() {
            let kind: TrainingData.Kind = e.label > 0.5 ? .positive : .negative
            for _ in 0..<(kind == .positive ? positiveRepeats : 1) { items.append(.init(kind: kind, index: i)) }
        }
        items.shuffle(using: &rng)
        return items
    }

    public func batch(_ items: ArraySlice<TrainingData.Item>, epoch: Int, batchSeed: UInt64) throws
        -> (x: HarkenNN.Tensor, y: HarkenNN.Tensor, w: HarkenNN.Tensor) {
        var rng = SplitMix64(seed: batchSeed)
        let windows = items.map { item -> [Int8] in
            let offset = Int(rng.next() % UInt64(2 * jitter + 1))
            return JudgeData.cut(train[item.index].features, offset: offset, frames: windowFrames, channels: channels)
        }
        let labels = items.map { train[$0.index].label }
        return (JudgeModel.tensor(windows, frames: windowFrames, channels: channels),
                HarkenNN.Tensor(shape: [items.count, 1], data: labels),
                HarkenNN.Tensor(shape: [items.count, 1], data: labels.map { $0 > 0.5 ? 1 : negativeWeight }))
    }

    /// Windows for the int8 Judge's activation ranges: centred, spread over the examples.
    public func calibrationWindows(count: Int) -> HarkenNN.Tensor {
        let step = max(1, train.count / max(count, 1))
        let picked = stride(from: 0, to: train.count, by: step).prefix(count).map {
            JudgeData.cut(train[$0].features, offset: jitter, frames: windowFrames, channels: channels)
        }
        return JudgeModel.tensor(Array(picked), frames: windowFrames, channels: channels)
    }
}
