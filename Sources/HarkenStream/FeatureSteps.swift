import HarkenAudio
import HarkenGraph

/// The model inputs a device would see for a clip: frontend features, quantized,
/// grouped into the model's frames per step. An input that is not whole 40-channel frames
/// (an MFCC or image model measured on speech) takes as many frames as fit and the rest at
/// its zero point, so every step is the input's full size.
public enum FeatureSteps {
    public static func make(_ audio: Audio, plan: Plan, rounding: FeatureRounding = .device) throws -> [[UInt8]] {
        let frontend = try Frontend()
        let quantizer = FeatureQuantizer(rounding: rounding, input: plan.inputs[0].quantization)
        let channels = frontend.channels
        let perStep = plan.inputs[0].elementCount / channels
        var steps: [[UInt8]] = []
        var current = [Int8](repeating: 0, count: perStep * channels)
        var filled = 0
        frontend.process(audio.samples[...]) { features in
            current.withUnsafeMutableBufferPointer { quantizer.quantize(features.baseAddress!, count: channels, into: $0.baseAddress! + filled * channels) }
            filled += 1
            if filled == perStep {
                steps.append(current.map { UInt8(bitPattern: $0) })
                filled = 0
            }
        }
        let rest = plan.inputs[0].byteCount - perStep * channels
        guard rest > 0 else { return steps }
        let zero = UInt8(bitPattern: Int8(truncatingIfNeeded: plan.inputs[0].quantization?.zeroPoint ?? 0))
        return steps.map { $0 + [UInt8](repeating: zero, count: rest) }
    }
}
