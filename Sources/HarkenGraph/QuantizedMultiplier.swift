import Foundation

/// A real multiplier as TFLite stores it: Q31 significand and power-of-two exponent.
public struct QuantizedMultiplier: Equatable, Sendable {
    public var multiplier: Int32
    public var shift: Int32

    /// TFLite's QuantizeMultiplier: frexp, round half away from zero, renormalise.
    public init(_ real: Double) {
        if real == 0 {
            multiplier = 0
            shift = 0
            return
        }
        let parts = frexp(real)
        var exponent = parts.1
        var q = Int64((parts.0 * Double(Int64(1) << 31)).rounded(.toNearestOrAwayFromZero))
        if q == Int64(1) << 31 {
            q /= 2
            exponent += 1
        }
        if exponent < -31 {
            exponent = 0
            q = 0
        }
        // Only hostile files get here (a scale ratio above 2^30); clamping keeps the
        // kernels' left shift defined instead of shifting an int32 by 31 or more.
        if exponent > 30 {
            exponent = 30
            q = (Int64(1) << 31) - 1
        }
        multiplier = Int32(q)
        shift = Int32(exponent)
    }
}

/// TFLite's fused-activation clamp in quantized units.
func activationRange(_ activation: Int32, scale: Float, zeroPoint: Int32, type: ElementType) -> (Int32, Int32)? {
    let (qmin, qmax): (Int32, Int32) = type == .uint8 ? (0, 255) : (type == .int16 ? (-32768, 32767) : (-128, 127))
    func quantize(_ f: Float) -> Int32 { zeroPoint + Int32((f / scale).rounded(.toNearestOrAwayFromZero)) }
    switch activation {
    case 0: return (qmin, qmax)
    case 1: return (max(qmin, quantize(0)), qmax)
    case 2: return (max(qmin, quantize(-1)), min(qmax, quantize(1)))
    case 3: return (max(qmin, quantize(0)), min(qmax, quantize(6)))
    default: return nil
    }
}
