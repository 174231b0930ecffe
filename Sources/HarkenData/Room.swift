// Room.swift: room impulse responses by the image-source method (Allen & Berkley 1979) for
// shoebox rooms, and RT60 measurement by Schroeder backward integration.
//
// Every image of the source in the six walls contributes β^reflections / (4π d) at delay d / c
// (rounded to the nearest sample). In a shoebox the image-source decay is slower than Sabine's or
// Eyring's diffuse-field formulas predict (the axial images dominate the tail), so the wall
// absorption is solved for: bisection on α until the simulated response's T20 gives the asked RT60.

import Foundation

public struct Room: Sendable, Equatable {
    public var size: (x: Double, y: Double, z: Double)
    public var source: (x: Double, y: Double, z: Double)
    public var microphone: (x: Double, y: Double, z: Double)
    public var rt60: Double

    public static let speedOfSound = 343.0

    public init(size: (Double, Double, Double), source: (Double, Double, Double),
                microphone: (Double, Double, Double), rt60: Double) {
        self.size = size; self.source = source; self.microphone = microphone; self.rt60 = rt60
    }

    public static func == (a: Room, b: Room) -> Bool {
        a.size == b.size && a.source == b.source && a.microphone == b.microphone && a.rt60 == b.rt60
    }

    /// A random room 3-10 m × 3-8 m × 2.5-4 m with source and microphone at least 0.5 m from
    /// the walls and each other, RT60 uniform in `rt60`.
    public static func random(rt60: ClosedRange<Double>, using rng: inout some RandomNumberGenerator) -> Room {
        func u(_ r: ClosedRange<Double>) -> Double { Double.random(in: r, using: &rng) }
        let size = (u(3...10), u(3...8), u(2.5...4))
        func point() -> (Double, Double, Double) { (u(0.5...(size.0 - 0.5)), u(0.5...(size.1 - 0.5)), u(0.5...(size.2 - 0.5))) }
        let s = point()
        var m = point()
        while pow(s.0 - m.0, 2) + pow(s.1 - m.1, 2) + pow(s.2 - m.2, 2) < 0.25 { m = point() }
        return Room(size: size, source: s, microphone: m, rt60: u(rt60))
    }

    /// The impulse response at `sampleRate`, 1.5 × `rt60` long, with the absorption solved for the
    /// asked RT60. The search starts at Sabine's absorption (the image-source decay is never faster
    /// than Sabine's), where the response is long enough for its measured decay to be monotonic.
    public func impulseResponse(sampleRate: Int = 16000) -> [Float] {
        let volume = size.x * size.y * size.z
        let surface = 2 * (size.x * size.y + size.x * size.z + size.y * size.z)
        let sabine = min(24 * log(10) / Room.speedOfSound * volume / (surface * rt60), 0.99)
        var lo = 0.8 * sabine, hi = 0.999
        var best = response(alpha: 0.5, sampleRate: sampleRate)
        for _ in 0..<14 {
            let alpha = (lo * hi).squareRoot()
            best = response(alpha: alpha, sampleRate: sampleRate)
            let t = Room.measureRT60(best, sampleRate: sampleRate) ?? rt60
            if t > rt60 { lo = alpha } else { hi = alpha }
        }
        return best
    }

    /// The image-source response for wall energy absorption `alpha`, normalised to a peak of 1.
    func response(alpha: Double, sampleRate: Int) -> [Float] {
        let n = Int(1.5 * rt60 * Double(sampleRate))
        var h = [Double](repeating: 0, count: n)
        let beta = (1 - alpha).squareRoot()
        let reach = Room.speedOfSound * Double(n) / Double(sampleRate)
        let dims = [size.x, size.y, size.z], src = [source.x, source.y, source.z], mic = [microphone.x, microphone.y, microphone.z]
        // Per axis: image offsets from the microphone and their reflection counts.
        var axes: [[(offset: Double, reflections: Int)]] = []
        for a in 0..<3 {
            let m = Int(reach / (2 * dims[a])) + 1
            var list: [(Double, Int)] = []
            for k in -m...m {
                for p in 0...1 {
                    list.append(((1 - 2 * Double(p)) * src[a] + 2 * Double(k) * dims[a] - mic[a], abs(k - p) + abs(k)))
                }
            }
            axes.append(list)
        }
        let maxReflections = axes.map { $0.map(\.1).max()! }.reduce(0, +)
        var power = [Double](repeating: 1, count: maxReflections + 1)
        for i in 1...maxReflections { power[i] = power[i - 1] * beta }
        let samplesPerMetre = Double(sampleRate) / Room.speedOfSound
        for (x, rx) in axes[0] {
            for (y, ry) in axes[1] {
                let xy = x * x + y * y
                if xy > reach * reach { continue }
                for (z, rz) in axes[2] {
                    let d = (xy + z * z).squareRoot()
                    let k = Int((d * samplesPerMetre).rounded())
                    if k >= n { continue }
                    h[k] += power[rx + ry + rz] / (4 * Double.pi * max(d, 0.01))
                }
            }
        }
        let peak = h.map(abs).max() ?? 1
        return h.map { Float($0 / peak) }
    }

    /// RT60 from the Schroeder decay curve's -5 to -25 dB slope (T20), or nil if it never falls 25 dB.
    public static func measureRT60(_ h: [Float], sampleRate: Int = 16000) -> Double? {
        var energy = [Double](repeating: 0, count: h.count + 1)
        for i in stride(from: h.count - 1, through: 0, by: -1) { energy[i] = energy[i + 1] + Double(h[i]) * Double(h[i]) }
        guard energy[0] > 0 else { return nil }
        let db = energy.dropLast().map { 10 * log10(max($0 / energy[0], 1e-30)) }
        guard let i0 = db.firstIndex(where: { $0 <= -5 }), let i1 = db.firstIndex(where: { $0 <= -25 }), i1 > i0 + 2 else { return nil }
        // Least-squares line through the decay between the two crossings.
        let xs = (i0..<i1).map { Double($0) / Double(sampleRate) }, ys = Array(db[i0..<i1])
        let mx = xs.reduce(0, +) / Double(xs.count), my = ys.reduce(0, +) / Double(ys.count)
        var sxy = 0.0, sxx = 0.0
        for (x, y) in zip(xs, ys) { sxy += (x - mx) * (y - my); sxx += (x - mx) * (x - mx) }
        let slope = sxy / sxx
        return slope < 0 ? -60 / slope : nil
    }
}

/// Linear convolution by FFT: overlap-add of blocks in single precision, two real blocks per complex
/// FFT (the input block in the real part, the next in the imaginary part: the response is real, so
/// the two products come back apart), the FFT length chosen for the least work, twiddles cached
/// per length. `direct` is the O(n·m) definition it is tested against.
public enum Convolution {
    public static func apply(_ x: [Float], _ h: [Float]) -> [Float] {
        guard !x.isEmpty, !h.isEmpty else { return [] }
        let m = h.count, outCount = x.count + m - 1
        if x.count * m <= 4096 || min(x.count, m) <= 8 { return direct(x, h) }
        // FFT length: at least twice the response, then the power of two with the least cost.
        var n = 64
        while n < 2 * m { n <<= 1 }
        var best = (cost: Double.infinity, n: n)
        var candidate = n
        while true {
            let block = candidate - m + 1
            let pairs = (x.count + 2 * block - 1) / (2 * block)
            let cost = Double(2 * pairs + 1) * Double(candidate) * log2(Double(candidate))
            if cost < best.cost { best = (cost, candidate) }
            if block >= x.count { break }
            candidate <<= 1
        }
        n = best.n
        let block = n - m + 1
        let plan = FFTPlan.shared(n)
        var out = [Float](repeating: 0, count: outCount)
        var hr = [Float](repeating: 0, count: n), hi = [Float](repeating: 0, count: n)
        var re = [Float](repeating: 0, count: n), im = [Float](repeating: 0, count: n)
        hr.withUnsafeMutableBufferPointer { hr in
            hi.withUnsafeMutableBufferPointer { hi in
                h.withUnsafeBufferPointer { hp in for i in 0..<m { hr[i] = hp[i] } }
                plan.transform(hr, hi, inverse: false)
                re.withUnsafeMutableBufferPointer { re in
                    im.withUnsafeMutableBufferPointer { im in
                        x.withUnsafeBufferPointer { xp in
                            out.withUnsafeMutableBufferPointer { op in
                                let scale = 1 / Float(n)
                                var start = 0
                                while start < x.count {
                                    let a = min(block, x.count - start)
                                    let b = max(0, min(block, x.count - start - block))
                                    for i in 0..<n { re[i] = 0; im[i] = 0 }
                                    for i in 0..<a { re[i] = xp[start + i] }
                                    for i in 0..<b { im[i] = xp[start + block + i] }
                                    plan.transform(re, im, inverse: false)
                                    for i in 0..<n {
                                        let (r, j) = (re[i] * hr[i] - im[i] * hi[i], re[i] * hi[i] + im[i] * hr[i])
                                        re[i] = r; im[i] = j
                                    }
                                    plan.transform(re, im, inverse: true)
                                    for i in 0..<min(a + m - 1, outCount - start) { op[start + i] += re[i] * scale }
                                    if b > 0 {
                                        let s2 = start + block
                                        for i in 0..<min(b + m - 1, outCount - s2) { op[s2 + i] += im[i] * scale }
                                    }
                                    start += 2 * block
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// y[k] = Σ x[i]·h[k−i], accumulated in double precision.
    public static func direct(_ x: [Float], _ h: [Float]) -> [Float] {
        guard !x.isEmpty, !h.isEmpty else { return [] }
        var y = [Double](repeating: 0, count: x.count + h.count - 1)
        for i in x.indices where x[i] != 0 {
            let xi = Double(x[i])
            for j in h.indices { y[i + j] += xi * Double(h[j]) }
        }
        return y.map { Float($0) }
    }
}

/// A radix-2 complex FFT of one power-of-two length on split real/imaginary buffers, unscaled
/// both ways; the bit-reversal permutation and the twiddles are computed once per length.
final class FFTPlan: @unchecked Sendable {
    let n: Int
    /// Twiddles e^(−2πik/len), k < len/2, of every stage from len = 8 up, one after another.
    let cosTable: [Float], sinTable: [Float]
    let swaps: [(Int32, Int32)]

    private static let lock = NSLock()
    nonisolated(unsafe) private static var plans: [Int: FFTPlan] = [:]

    static func shared(_ n: Int) -> FFTPlan {
        lock.lock(); defer { lock.unlock() }
        if let p = plans[n] { return p }
        let p = FFTPlan(n)
        plans[n] = p
        return p
    }

    init(_ n: Int) {
        precondition(n >= 4 && n & (n - 1) == 0, "FFT length \(n) is not a power of two of at least 4")
        self.n = n
        // Computed in double, stored in single precision.
        var c: [Float] = [], s: [Float] = []
        var len = 8
        while len <= n {
            for k in 0..<(len / 2) {
                c.append(Float(cos(2 * Double.pi * Double(k) / Double(len))))
                s.append(Float(sin(2 * Double.pi * Double(k) / Double(len))))
            }
            len <<= 1
        }
        cosTable = c; sinTable = s
        var swaps: [(Int32, Int32)] = []
        var j = 0
        for i in 1..<n {
            var bit = n >> 1
            while j & bit != 0 { j ^= bit; bit >>= 1 }
            j |= bit
            if i < j { swaps.append((Int32(i), Int32(j))) }
        }
        self.swaps = swaps
    }

    func transform(_ re: UnsafeMutableBufferPointer<Float>, _ im: UnsafeMutableBufferPointer<Float>, inverse: Bool) {
        let re = re.baseAddress!, im = im.baseAddress!
        for (a, b) in swaps {
            let (i, j) = (Int(a), Int(b))
            (re[i], re[j]) = (re[j], re[i]); (im[i], im[j]) = (im[j], im[i])
        }
        // The first two stages together (twiddles 1 and ∓i), then the rest from the tables.
        let sign: Float = inverse ? 1 : -1
        var start = 0
        while start < n {
            let (r0, i0) = (re[start] + re[start + 1], im[start] + im[start + 1])
            let (r1, i1) = (re[start] - re[start + 1], im[start] - im[start + 1])
            let (r2, i2) = (re[start + 2] + re[start + 3], im[start + 2] + im[start + 3])
            let (d3r, d3i) = (re[start + 2] - re[start + 3], im[start + 2] - im[start + 3])
            // (d3r + i·d3i)·(sign·i) = −sign·d3i + i·sign·d3r
            let (r3, i3) = (-sign * d3i, sign * d3r)
            re[start] = r0 + r2; im[start] = i0 + i2
            re[start + 2] = r0 - r2; im[start + 2] = i0 - i2
            re[start + 1] = r1 + r3; im[start + 1] = i1 + i3
            re[start + 3] = r1 - r3; im[start + 3] = i1 - i3
            start += 4
        }
        cosTable.withUnsafeBufferPointer { ct in
            sinTable.withUnsafeBufferPointer { st in
                var len = 8, offset = 0
                while len <= n {
                    let half = len / 2
                    let wc = ct.baseAddress! + offset, ws = st.baseAddress! + offset
                    var start = 0
                    while start < n {
                        let ar = re + start, ai = im + start, br = re + start + half, bi = im + start + half
                        for k in 0..<half {
                            let wr = wc[k], wi = sign * ws[k]
                            let tr = br[k] * wr - bi[k] * wi, ti = br[k] * wi + bi[k] * wr
                            br[k] = ar[k] - tr; bi[k] = ai[k] - ti
                            ar[k] += tr; ai[k] += ti
                        }
                        start += len
                    }
                    offset += half
                    len <<= 1
                }
            }
        }
    }
}
