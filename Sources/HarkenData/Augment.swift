// Augment.swift: the robustness engine, applied on the fly while training.
//
// Each training clip is, with the configured probabilities, sped up or slowed down (resampled,
// tempo and pitch together), shifted in pitch alone (resampled, then stretched back), reverberated by a simulated room or a user RIR, scaled in gain and
// mixed with background noise at an SNR drawn from a schedule that moves from easy to hard across
// the epochs. Every draw comes from the generator passed in, so a seed fixes the whole pass.

import Foundation
import HarkenSupport

public struct AugmentConfig: Codable, Sendable, Equatable {
    public var speedProbability = 0.5
    public var speed: [Double] = [0.9, 1.1]
    /// Pitch shift (duration kept), as a frequency factor.
    public var pitchProbability = 0.3
    public var pitch: [Double] = [0.9, 1.12]
    public var reverbProbability = 0.5
    public var rt60: [Double] = [0.15, 0.9]
    public var rooms = 32
    public var noiseProbability = 0.85
    /// SNR range (dB) of the first epoch and of the last; epochs in between interpolate. Users
    /// speak over televisions and kitchens: the last epochs reach below 0 dB.
    public var snrFirstEpoch: [Double] = [10, 30]
    public var snrLastEpoch: [Double] = [-3, 12]
    public var gainDecibels: [Double] = [-20, 8]
    /// Chance that a second background joins the first (music over a fan, babble over traffic),
    /// 0 to 10 dB below it. Optional so configurations saved before it existed still load.
    public var secondNoiseProbability: Double? = 0.3

    public init() {}

    /// The SNR range at `epoch` of `epochs` (a linear curriculum).
    public func snrRange(epoch: Int, of epochs: Int) -> ClosedRange<Double> {
        let t = epochs > 1 ? Double(epoch) / Double(epochs - 1) : 1
        let lo = snrFirstEpoch[0] + (snrLastEpoch[0] - snrFirstEpoch[0]) * t
        let hi = snrFirstEpoch[1] + (snrLastEpoch[1] - snrFirstEpoch[1]) * t
        return min(lo, hi)...max(lo, hi)
    }
}

public enum AudioMath {
    public static func power(_ x: ArraySlice<Float>) -> Double {
        guard !x.isEmpty else { return 0 }
        return x.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(x.count)
    }

    /// signal + noise scaled so that 10·log10(P_signal / P_noise) = snr over the signal's length
    /// (the noise is looped or cut to that length, starting at `offset`).
    public static func mix(_ signal: [Float], noise: [Float], snr: Double, offset: Int = 0,
                           signalPower: Double? = nil) -> [Float] {
        guard !noise.isEmpty, !signal.isEmpty else { return signal }
        let n = (0..<signal.count).map { noise[(offset + $0) % noise.count] }
        let ps = signalPower ?? power(signal[...]), pn = power(n[...])
        guard ps > 0, pn > 0 else { return signal }
        let k = Float((ps / pn / pow(10, snr / 10)).squareRoot())
        return zip(signal, n).map { $0 + k * $1 }
    }

    /// The clip between its first and last 10 ms frame within 35 dB of the loudest (TTS pads with silence).
    public static func voiced(_ x: [Float]) -> [Float] {
        let frame = 160
        let energies = stride(from: 0, to: x.count, by: frame).map { power(x[$0..<min($0 + frame, x.count)]) }
        guard let peak = energies.max(), peak > 0 else { return x }
        let floor = peak * pow(10, -3.5)
        guard let first = energies.firstIndex(where: { $0 > floor }), let last = energies.lastIndex(where: { $0 > floor }) else { return x }
        return Array(x[(first * frame)..<min((last + 1) * frame, x.count)])
    }

    /// Resamples by `factor` (> 1 is faster and higher) with linear interpolation.
    public static func speed(_ x: [Float], factor: Double) -> [Float] {
        let n = Int(Double(x.count) / factor)
        guard n > 1, x.count > 1 else { return x }
        return (0..<n).map { i in
            let t = Double(i) * factor
            let j = min(Int(t), x.count - 2), f = Float(t - Double(j))
            return x[j] * (1 - f) + x[j + 1] * f
        }
    }

    /// Stretches `x` in time by `ratio` (output length ≈ count × ratio) without changing its pitch:
    /// WSOLA, Hann windows of 32 ms at a 8 ms hop, each frame shifted by up to ±4 ms to continue
    /// the previous one's waveform.
    public static func stretch(_ x: [Float], ratio: Double) -> [Float] {
        let n = 512, hop = 128, tolerance = 64
        let outCount = Int(Double(x.count) * ratio)
        guard x.count > n + 2 * tolerance, outCount > n else { return x }
        let window = (0..<n).map { Float(0.5 - 0.5 * cos(2 * Double.pi * Double($0) / Double(n))) }
        var out = [Float](repeating: 0, count: outCount + n), norm = [Float](repeating: 0, count: outCount + n)
        var previous = 0
        var k = 0
        // The search dominates (129 offsets per hop): it reads through a pointer, without bounds checks.
        x.withUnsafeBufferPointer { xp in
            while k * hop < outCount {
                let ideal = Int(Double(k * hop) / ratio)
                var start = min(max(ideal, 0), x.count - n)
                if k > 0 {
                    // The natural continuation of the previous frame, and the best match near `ideal`.
                    let natural = min(previous + hop, x.count - n)
                    var best = -Float.infinity
                    for d in -tolerance...tolerance {
                        let c = ideal + d
                        guard c >= 0, c + n <= x.count else { continue }
                        var score: Float = 0
                        var i = 0
                        while i < n { score += xp[c + i] * xp[natural + i]; i += 4 }
                        if score > best { best = score; start = c }
                    }
                }
                for i in 0..<n where k * hop + i < out.count {
                    out[k * hop + i] += xp[start + i] * window[i]
                    norm[k * hop + i] += window[i]
                }
                previous = start
                k += 1
            }
        }
        return (0..<outCount).map { norm[$0] > 1e-3 ? out[$0] / norm[$0] : 0 }
    }

    /// Shifts pitch by `factor` (> 1 is higher) keeping the duration: resample, then stretch back.
    public static func pitch(_ x: [Float], factor: Double) -> [Float] {
        let y = speed(x, factor: factor)
        return stretch(y, ratio: Double(x.count) / Double(max(y.count, 1)))
    }

    /// Convolves with a room response, keeping the direct-path alignment and the input's RMS.
    public static func reverberate(_ x: [Float], _ rir: [Float]) -> [Float] {
        let peak = rir.indices.max { abs(rir[$0]) < abs(rir[$1]) } ?? 0
        let y = Convolution.apply(x, rir)
        let out = Array(y[peak..<(peak + x.count)])
        let (px, py) = (power(x[...]), power(out[...]))
        guard py > 0 else { return x }
        let k = Float((px / py).squareRoot())
        return out.map { $0 * k }
    }
}

public struct Augmenter: Sendable {
    public var config: AugmentConfig
    public var noises: [[Float]]
    public var rirs: [[Float]]

    /// Builds the room bank (seeded) and keeps the backgrounds; `userRIRs` join the simulated rooms.
    public init(config: AugmentConfig, noises: [[Float]], userRIRs: [[Float]] = [], seed: UInt64) throws {
        self.config = config
        self.noises = noises.filter { !$0.isEmpty }
        var rng = SplitMix64(seed: seed ^ 0x5EED_0F_200)
        let rooms = (0..<config.rooms).map { _ in
            Room.random(rt60: config.rt60[0]...config.rt60[1], using: &rng)
        }
        rirs = try concurrentMap(rooms) { _, room in room.impulseResponse() } + userRIRs
    }

    /// One augmented copy of `x` (samples in int16 units) at `epoch` of `epochs`.
    public func apply(_ x: [Float], epoch: Int, of epochs: Int, rng: inout SplitMix64) -> [Float] {
        addNoise(transform(x, rng: &rng), epoch: epoch, of: epochs, rng: &rng)
    }

    /// Speed, room and gain.
    public func transform(_ x: [Float], rng: inout SplitMix64) -> [Float] {
        var y = x
        if rng.nextUniform() < Float(config.speedProbability) {
            let f = Double(config.speed[0]) + Double(rng.nextUniform()) * (config.speed[1] - config.speed[0])
            y = AudioMath.speed(y, factor: f)
        }
        if rng.nextUniform() < Float(config.pitchProbability) {
            let f = config.pitch[0] + Double(rng.nextUniform()) * (config.pitch[1] - config.pitch[0])
            y = AudioMath.pitch(y, factor: f)
        }
        if !rirs.isEmpty, rng.nextUniform() < Float(config.reverbProbability) {
            y = AudioMath.reverberate(y, rirs[Int(rng.next() % UInt64(rirs.count))])
        }
        let gain = config.gainDecibels[0] + Double(rng.nextUniform()) * (config.gainDecibels[1] - config.gainDecibels[0])
        let g = Float(pow(10, gain / 20))
        for i in y.indices { y[i] *= g }
        return y
    }

    /// Background noise at the epoch's SNR; `signalPower` (default: the power of `x`) is the level
    /// the SNR is measured against, for a clip placed inside a longer window.
    public func addNoise(_ x: [Float], epoch: Int, of epochs: Int, signalPower: Double? = nil,
                         rng: inout SplitMix64) -> [Float] {
        guard !noises.isEmpty, rng.nextUniform() < Float(config.noiseProbability) else { return x }
        var noise = noises[Int(rng.next() % UInt64(noises.count))]
        if noises.count > 1, rng.nextUniform() < Float(config.secondNoiseProbability ?? 0) {
            let other = noises[Int(rng.next() % UInt64(noises.count))]
            noise = AudioMath.mix(noise, noise: other, snr: 10 * Double(rng.nextUniform()), offset: Int(rng.next() % UInt64(other.count)))
        }
        let r = config.snrRange(epoch: epoch, of: epochs)
        let snr = r.lowerBound + Double(rng.nextUniform()) * (r.upperBound - r.lowerBound)
        return AudioMath.mix(x, noise: noise, snr: snr, offset: Int(rng.next() % UInt64(noise.count)), signalPower: signalPower)
    }
}
