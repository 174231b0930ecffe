import Foundation
import HarkenGraph
import HarkenSupport
import HarkenTestSupport
import HarkenTrain
import XCTest

/// The model zoo as `harken zoo` writes it: each .tflite runs in TFLM and LiteRT with the bytes
/// Harken's runtime gives, the multiply-accumulate counts are those of the published shapes, and the
/// `--json` report is valid against its schema.
final class ModelZooTests: XCTestCase {
    /// MACs of the convolution, depthwise and fully connected layers, from the published layer
    /// shapes (output elements x taps per output).
    static let publishedMACs: [String: Int] = {
        func dsCNN(first: (h: Int, w: Int), filters f: Int, blocks: Int, map: (h: Int, w: Int)) -> Int {
            first.h * first.w * f * 10 * 4 + (blocks * map.h * map.w * f * (9 + f)) + f * 12
        }
        // MLPerf Tiny's reference: a 25 x 5 x 64 map after the strided 10 x 4 convolution.
        let s = dsCNN(first: (25, 5), filters: 64, blocks: 4, map: (25, 5))
        // M and L: the 10 x 4 convolution strides 2 x 1 (25 x 10), the first depthwise 2 x 2 (13 x 5).
        func strided(_ f: Int, blocks: Int) -> Int { dsCNN(first: (25, 10), filters: f, blocks: blocks, map: (13, 5)) }
        // Streaming wake word: frames 30 -> 28 -> 24 -> 15 -> 1 through k x 1 VALID depthwise layers.
        var sww = 0, frames = 30, channels = 40
        for (k, f) in zip([3, 5, 10, 15], [128, 128, 128, 32]) {
            frames -= k - 1
            sww += frames * channels * k + frames * channels * f
            channels = f
        }
        sww += 32 * 3
        // ResNet-8: 32 x 32 x 16, then 16 x 16 x 32 and 8 x 8 x 64 stacks with 1 x 1 shortcuts.
        let resnet = 32 * 32 * 16 * 27 + 2 * 32 * 32 * 16 * 144
            + 16 * 16 * 32 * (144 + 288 + 16) + 8 * 8 * 64 * (288 + 576 + 32) + 64 * 10
        // MobileNetV1 0.25 on 96 x 96: 48 x 48 x 8 after the strided 3 x 3 convolution, then
        // (filters, stride) blocks of depthwise 3 x 3 + pointwise over maps halved at each stride 2.
        var mobilenet = 48 * 48 * 8 * 27, side = 48, c = 8
        for (f, stride) in [(16, 1), (32, 2), (32, 1), (64, 2), (64, 1), (128, 2), (128, 1), (128, 1), (128, 1), (128, 1), (128, 1), (256, 2), (256, 1)] {
            side /= stride
            mobilenet += side * side * c * 9 + side * side * f * c
            c = f
        }
        mobilenet += 256 * 2
        return ["ds_cnn_s": s, "ds_cnn_m": strided(172, blocks: 4), "ds_cnn_l": strided(276, blocks: 5),
                "mlperf_sww": sww, "resnet8": resnet, "mobilenet_vww": mobilenet]
    }()

    func testZooMatchesTFLMAndLiteRTInThePublishedShapes() throws {
        let dir = try Support.tempDir("zoo")
        let r = try Support.run(Support.harkenBinary, ["zoo", "--out", dir.path, "--json"])
        let report = dir.appendingPathComponent("zoo.json")
        try Data(r.stdout.utf8).write(to: report)
        let v = try Support.run(Support.python, [Support.oracle("validate_json.py"), "--schema", "zoo_result", report.path], check: false)
        XCTAssertEqual(v.status, 0, v.stdout + v.stderr)
        let models = try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])?["models"] as? [[String: Any]])
        XCTAssertEqual(models.compactMap { $0["name"] as? String }, ModelZoo.names)
        XCTAssertEqual(ModelZooTests.publishedMACs["ds_cnn_s"], 2_656_768)

        for m in models {
            let name = try XCTUnwrap(m["name"] as? String), path = try XCTUnwrap(m["file"] as? String)
            let graph = try Graph.load(tflite: path)
            let plan = try graph.lower(file: path)
            let macs = plan.steps.filter { ["CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"].contains($0.opName) }.reduce(0) { $0 + $1.macs }
            XCTAssertEqual(macs, ModelZooTests.publishedMACs[name], name)
            XCTAssertEqual(m["macs"] as? Int, macs, name)

            // The inputs the ranges were calibrated on, and two seeded ones that overdrive them.
            let q = try XCTUnwrap(graph.tensors[graph.inputs[0]].quantization)
            var steps = try ModelZoo.sampleInputs(name, quantization: q, count: 4)
            var rng = SplitMix64(seed: 15)
            for _ in 0..<2 { steps.append((0..<plan.inputs[0].byteCount).map { _ in UInt8(truncatingIfNeeded: rng.next()) }) }
            let modelDir = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: modelDir, withIntermediateDirectories: true)
            try RuntimeOracles.assertIdenticalInTFLMAndLiteRT(path, plan: plan, steps: steps, in: modelDir)
            let mine = RuntimeOracles.outputs(plan, steps)
            // The Cortex-M DSP kernels as the firmware picks them per layer (2 x 2 tiles, im2col, packed
            // matrix-vector products; their instructions modelled in plain C on the host): the same bytes.
            XCTAssertEqual(RuntimeOracles.outputs(plan, steps, kernels: .cortexMDSP), mine, "\(name): DSP kernels")
            // The scalar-core kernels (Cortex-M0, RV32IMC, Xtensa) as their firmware picks them.
            XCTAssertEqual(RuntimeOracles.outputs(plan, steps, kernels: .scalar), mine, "\(name): scalar-core kernels")
            // Not a vacuous comparison: the class probabilities move from input to input.
            let perStep = plan.outputs[0].byteCount
            let distinct = Set((0..<steps.count).map { Array(mine[($0 * perStep)..<(($0 + 1) * perStep)]) }).count
            XCTAssertGreaterThanOrEqual(distinct, 3, "\(name): outputs barely vary")
            print("\(name): \(macs) MACs, \(distinct) distinct outputs over \(steps.count) inputs")
        }
    }

    /// The kernel benchmark's committed table (the next run's baseline) is what its schema says.
    func testCommittedKernelBenchmarkMatchesItsSchema() throws {
        let results = Support.repo.appendingPathComponent("Benchmarks/kernels/results.json").path
        let v = try Support.run(Support.python, [Support.oracle("validate_json.py"), results], check: false)
        XCTAssertEqual(v.status, 0, v.stdout + v.stderr)
        XCTAssertTrue(v.stdout.contains("valid kernel_benchmark"), v.stdout)
    }

    /// The bench protocol carries a step's input in one 1,024-byte frame: a model with a larger input
    /// (the streaming wake-word window, 1,200 bytes) is refused by name before any emulator starts,
    /// not left to time out.
    func testBenchRefusesAnInputLargerThanOneFrame() throws {
        let dir = try Support.tempDir("zoo-bench")
        let model = dir.appendingPathComponent("mlperf_sww.tflite")
        try ModelZoo.graph("mlperf_sww").tfliteData().write(to: model)
        let r = try Support.harken(["bench", "--emulate", dir.appendingPathComponent("absent.elf").path, "--board", "qemu-riscv32-virt",
                                    "--model", model.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("its input is 1200 bytes") && r.stderr.contains("at most 1024 bytes"), r.stderr)
        XCTAssertTrue(r.stderr.contains("[bench."), r.stderr)
    }
}
