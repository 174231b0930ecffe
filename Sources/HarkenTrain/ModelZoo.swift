// ModelZoo.swift: int8 models in the published shapes of keyword spotting's and MLPerf Tiny's
// standard networks, built with Harken's own exporter, so that kernels and the cost model are
// measured on the shapes users bring and not only on Harken's own.
//
// The models are untrained. Weights are seeded (He-normal); where the published network has a
// BatchNorm after a convolution, its statistics are those of the calibration inputs and its scale
// and shift are seeded, folded into the convolution as TFLite's converter folds a trained one. Activations are
// therefore spread as in a trained network (each channel about N(beta, gamma^2) before its ReLU)
// rather than growing or dying with depth, and every tensor's int8 range is the range the float
// network reached on the calibration inputs: real speech features for the audio models (the demo
// scene through Harken's frontend), seeded smooth images for ResNet-8 and the MobileNet.
// Weights are symmetric per output channel; fully connected weights per tensor, as TFLite's
// converter writes them.

import Foundation
import HarkenAudio
import HarkenData
import HarkenGraph
import HarkenNN

public enum ModelZoo {
    public static let names = ["ds_cnn_s", "ds_cnn_m", "ds_cnn_l", "mlperf_sww", "resnet8", "mobilenet_vww"]

    /// Where each model's shapes come from.
    public static func source(_ name: String) -> String {
        switch name {
        case "ds_cnn_s", "ds_cnn_m", "ds_cnn_l":
            return "DS-CNN-\(name.suffix(1).uppercased()) of Hello Edge (Zhang et al. 2017, ARM ML-KWS-for-MCU train_commands.txt); S is MLPerf Tiny's keyword-spotting reference"
        case "mlperf_sww": return "MLPerf Tiny streaming wake word reference (mlcommons/tiny benchmark/training/streaming_wakeword), 1 s window"
        case "resnet8": return "MLPerf Tiny image classification ResNet-8 (mlcommons/tiny benchmark/training/image_classification)"
        case "mobilenet_vww": return "MLPerf Tiny visual wake words MobileNetV1 0.25 at 96 x 96 (mlcommons/tiny benchmark/training/visual_wake_words)"
        default: return ""
        }
    }

    /// The int8 graph of a zoo model.
    public static func graph(_ name: String) throws -> Graph {
        try network(name).graph(description: "harken zoo \(name)")
    }

    /// `count` int8 inputs for `name`, its calibration inputs quantized with `quantization` (the
    /// graph's input quantization): real features or images the ranges were taken on.
    public static func sampleInputs(_ name: String, quantization: Quantization, count: Int) throws -> [[UInt8]] {
        let x = try calibrationInputs(name)
        let per = x.count / x.shape[0]
        let stride = max(x.shape[0] / max(count, 1), 1)
        return (0..<min(count, x.shape[0])).map { i in
            x.data[(i * stride * per)..<((i * stride + 1) * per)].map { UInt8(bitPattern: quantization.quantize($0)) }
        }
    }

    static func network(_ name: String) throws -> ZooNetwork {
        let input = try calibrationInputs(name)
        var n = ZooNetwork(input: input, seed: UInt64(name.utf8.reduce(7) { $0 &* 31 &+ UInt64($1) }))
        switch name {
        case "ds_cnn_s": n.dsCNN(filters: 64, firstStride: (2, 2), blocks: 4, firstBlockStride: 1)
        case "ds_cnn_m": n.dsCNN(filters: 172, firstStride: (2, 1), blocks: 4, firstBlockStride: 2)
        case "ds_cnn_l": n.dsCNN(filters: 276, firstStride: (2, 1), blocks: 5, firstBlockStride: 2)
        case "mlperf_sww": n.streamingWakeWord()
        case "resnet8": n.resnet8()
        case "mobilenet_vww": n.mobileNetV1VWW()
        default: throw TrainError.config("no zoo model named '\(name)' (the zoo has \(names.joined(separator: ", ")))")
        }
        return n
    }

    /// Calibration inputs [N, H, W, C] in the model's float input units.
    static func calibrationInputs(_ name: String) throws -> HarkenNN.Tensor {
        switch name {
        case "ds_cnn_s", "ds_cnn_m", "ds_cnn_l":
            // 49 frames x 10 MFCCs at a 20 ms step (Hello Edge's 40 ms / 20 ms framing): every other
            // 10 ms frontend frame, cepstrum by an orthonormal DCT-II of the 40 log filterbank values.
            let frames = try speechFrames.get()
            let dct: [[Float]] = (0..<10).map { k in
                let norm: Double = ((k == 0 ? 1.0 : 2.0) / 40.0).squareRoot()
                return (0..<40).map { (n: Int) -> Float in
                    let angle: Double = Double.pi * Double(k) * (Double(n) + 0.5) / 40.0
                    return Float(cos(angle) * norm)
                }
            }
            return windows(frames, length: 49, step: 2, hop: 50, shape: [49, 10, 1]) { (f: [Float]) -> [Float] in
                dct.map { (row: [Float]) -> Float in
                    var c: Float = 0
                    for n in 0..<40 { c += row[n] * f[n] }
                    return c
                }
            }
        case "mlperf_sww":
            // 30 frames x 40 log filterbank values, one frame per 32 ms in the reference; the frontend's
            // 10 ms frames taken every third (30 ms) are the nearest Harken computes.
            return windows(try speechFrames.get(), length: 30, step: 3, hop: 50, shape: [30, 1, 40]) { $0 }
        case "resnet8":
            return smoothImages(count: 12, size: 32, seed: 88)
        case "mobilenet_vww":
            return smoothImages(count: 8, size: 96, seed: 96)
        default:
            throw TrainError.config("no zoo model named '\(name)' (the zoo has \(names.joined(separator: ", ")))")
        }
    }

    /// The demo scene's frontend features (values / 25.6, the units microWakeWord trains with).
    private static let speechFrames: Result<[[Float]], any Error> = Result {
        try Frontend().features(of: try DemoScene.make(phrase: "hey jarvis").audio).map { $0.map { Float($0) / 25.6 } }
    }

    /// Windows of `length` frames, every `step`-th frame, one window every `hop` frames, each frame
    /// mapped by `f`, as a batch of `shape`.
    private static func windows(_ frames: [[Float]], length: Int, step: Int, hop: Int, shape: [Int],
                                _ f: ([Float]) -> [Float]) -> HarkenNN.Tensor {
        var data: [Float] = [], count = 0
        var start = 0
        while start + length * step <= frames.count {
            for t in 0..<length { data += f(frames[start + t * step]) }
            count += 1
            start += hop
        }
        return HarkenNN.Tensor(shape: [count] + shape, data: data)
    }

    /// Seeded images in [0, 1]: a few random plane waves per channel and a little noise, so
    /// neighbouring pixels correlate as in photographs.
    private static func smoothImages(count: Int, size: Int, seed: UInt64) -> HarkenNN.Tensor {
        var rng = SeededGenerator(seed: seed)
        var data = [Float](repeating: 0, count: count * size * size * 3)
        for n in 0..<count {
            for c in 0..<3 {
                let waves = (0..<3).map { _ in (fx: rng.nextUniform() * 0.4, fy: rng.nextUniform() * 0.4,
                                                phase: rng.nextUniform() * 6.28, amp: 0.1 + rng.nextUniform() * 0.2) }
                let base = 0.3 + rng.nextUniform() * 0.4
                for y in 0..<size {
                    for x in 0..<size {
                        var v = base + 0.03 * rng.nextNormal()
                        for w in waves { v += w.amp * sin(w.fx * Float(x) + w.fy * Float(y) + w.phase) }
                        data[((n * size + y) * size + x) * 3 + c] = min(max(v, 0), 1)
                    }
                }
            }
        }
        return HarkenNN.Tensor(shape: [count, size, size, 3], data: data)
    }
}
