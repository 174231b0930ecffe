import Foundation
import HarkenGraph
import HarkenRuntime

/// How frontend features (uint16) become the model's int8 input.
public enum FeatureRounding: String, Codable, Sendable, CaseIterable {
    /// What the device does: ESPHome's integer formula for microWakeWord models
    /// ((f * 256 + 333) / 666 - 128), else the rational form of the input scale.
    case device
    /// What microWakeWord's Python pipeline does: round-half-even of
    /// (f / 25.6) / scale + zero point in doubles, as a step table of integer compares.
    case float
}

public enum FeatureQuantizer: Sendable {
    case rational(hk_feature_quant_t)
    case table(hk_feature_table_t)

    public init(rounding: FeatureRounding, input: Quantization?) {
        let scale = input?.scale ?? Float(26.0 / 255.0), zp = input?.zeroPoint ?? -128
        switch rounding {
        case .device:
            self = .rational(FeatureQuantizer.deviceRational(input: input))
        case .float:
            func code(_ f: Int) -> Int {
                let real = Double(Float(f) * Float(0.0390625))
                let q = (real / Double(scale) + Double(zp)).rounded(.toNearestOrEven)
                return Int(min(max(q, -128), 127))
            }
            var t = hk_feature_table_t()
            t.first_code = Int32(code(0))
            var thresholds: [UInt16] = []
            var current = code(0), f = 0
            while current < 127 && f < 65535 {
                // The code is monotonic in f: find where it next steps up.
                var lo = f + 1, hi = 65535
                if code(hi) <= current { break }
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if code(mid) > current { hi = mid } else { lo = mid + 1 }
                }
                let next = code(lo)
                thresholds += [UInt16](repeating: UInt16(lo), count: next - current)
                current = next
                f = lo
            }
            t.count = Int32(thresholds.count)
            withUnsafeMutableBytes(of: &t.threshold) { raw in
                let p = raw.bindMemory(to: UInt16.self)
                for (i, v) in thresholds.enumerated() { p[i] = v }
            }
            self = .table(t)
        }
    }

    /// The device's integer form: ESPHome's constants for microWakeWord's input
    /// (scale 26/255, zero point -128), else the rational form of the input scale.
    public static func deviceRational(input: Quantization?) -> hk_feature_quant_t {
        let scale = input?.scale ?? Float(26.0 / 255.0), zp = input?.zeroPoint ?? -128
        if abs(Double(scale) - 26.0 / 255.0) < 1e-6 && zp == -128 { return hk_feature_quant_esphome() }
        // feature = f / 25.6, so q = f / (25.6 * scale) + zp = (f * 256 + den / 2) / den + zp.
        let den = max(Int32((25.6 * Double(scale) * 256).rounded()), 1)
        return hk_feature_quant_t(num: 256, bias: den / 2, den: den, zero_point: zp)
    }

    public func quantize(_ features: UnsafePointer<UInt16>, count: Int, into out: UnsafeMutablePointer<Int8>) {
        switch self {
        case .rational(var q): hk_features_quantize(&q, features, Int32(count), out)
        case .table(var t): hk_features_quantize_table(&t, features, Int32(count), out)
        }
    }
}
