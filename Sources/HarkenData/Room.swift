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

/// Linear convolution by FFT (radix 2, complex, in place).
public enum Convolution {
    public static func apply(_ x: [Float], _ h: [Float]) -> [Float] {
        guard !x.isEmpty, !h.isEmpty else { return [] }
        let out = x.count + h.count - 1
        var n = 1
        while n < out { n <<= 1 }
        var ar = [Double](repeating: 0, count: n), ai = [Double](repeating: 0, count: n)
        var br = [Double](repeating: 0, count: n), bi = [Double](repeating: 0, count: n)
        for i in 0..<x.count { ar[i] = Double(x[i]) }
        for i in 0..<h.count { br[i] = Double(h[i]) }
        fft(&ar, &ai, inverse: false)
        fft(&br, &bi, inverse: false)
        for i in 0..<n {
            let (r, im) = (ar[i] * br[i] - ai[i] * bi[i], ar[i] * bi[i] + ai[i] * br[i])
            ar[i] = r; ai[i] = im
        }
        fft(&ar, &ai, inverse: true)
        return (0..<out).map { Float(ar[$0] / Double(n)) }
    }

    static func fft(_ re: inout [Double], _ im: inout [Double], inverse: Bool) {
        let n = re.count
        var j = 0
        for i in 1..<n {
            var bit = n >> 1
            while j & bit != 0 { j ^= bit; bit >>= 1 }
            j |= bit
            if i < j { re.swapAt(i, j); im.swapAt(i, j) }
        }
        var len = 2
        while len <= n {
            let angle = 2 * Double.pi / Double(len) * (inverse ? 1 : -1)
            let (wr, wi) = (cos(angle), sin(angle))
            var start = 0
            while start < n {
                var (cr, ci) = (1.0, 0.0)
                for k in 0..<(len / 2) {
                    let a = start + k, b = a + len / 2
                    let tr = re[b] * cr - im[b] * ci, ti = re[b] * ci + im[b] * cr
                    re[b] = re[a] - tr; im[b] = im[a] - ti
                    re[a] += tr; im[a] += ti
                    (cr, ci) = (cr * wr - ci * wi, cr * wi + ci * wr)
                }
                start += len
            }
            len <<= 1
        }
    }
}
