import Foundation
import HarkenAudio
import HarkenCodegen
import HarkenData
import HarkenGraph
import HarkenRuntime
import HarkenStream
import XCTest
import HarkenTestSupport

/// microWakeWord's four published models through Harken's importer, the
/// in-process simulator and the generated C, against the TFLM interpreter.
final class ModelTests: XCTestCase {
    /// Real features (speech, noise, silence, a clipped tone, then each wake phrase
    /// spoken by several voices, so outputs sweep the whole probability range)
    /// quantized as the device does, grouped into the models' 3-frame input steps.
    static let inputSteps: Lazy<Data> = Lazy {
        var audio = try Audio.read(try Support.mixedAudio.get())
        for phrase in ["hey jarvis", "alexa", "hey mycroft", "okay nabu"] {
            audio.samples += try DemoScene.make(phrase: phrase).audio.samples
        }
        let frames = try Frontend().features(of: audio)
        var q = hk_feature_quant_esphome()
        var bytes = [Int8](repeating: 0, count: frames.count * 40)
        for (i, f) in frames.enumerated() {
            f.withUnsafeBufferPointer { src in
                bytes.withUnsafeMutableBufferPointer { hk_features_quantize(&q, src.baseAddress, 40, $0.baseAddress! + i * 40) }
            }
        }
        let steps = frames.count / 3
        return Data(bytes.prefix(steps * 120).map { UInt8(bitPattern: $0) })
    }

    func tflmOutputs(model: String, inputs: URL, dir: URL) throws -> Data {
        let out = dir.appendingPathComponent("tflm.bin")
        try Support.py("tflm_stream.py", [model, inputs.path, out.path])
        return try Data(contentsOf: out)
    }

    func runInProcess(_ plan: Plan, inputs: Data, variant: KernelVariant = .reference) -> Data {
        let runner = ModelRunner(plan: plan, kernels: variant)
        let size = plan.inputs[0].byteCount
        var out = Data()
        for s in 0..<(inputs.count / size) {
            let buf = runner.input()
            inputs.withUnsafeBytes { buf.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[s * size..<(s + 1) * size])) }
            runner.invoke()
            out.append(contentsOf: runner.output())
        }
        return out
    }

    static func driver(name: String) -> String {
        """
        #include <stdio.h>
        #include <string.h>
        #include "\(name)_model.h"

        int main(int argc, char **argv) {
            FILE *in, *out;
            if (argc != 3) return 2;
            in = fopen(argv[1], "rb");
            out = fopen(argv[2], "wb");
            if (!in || !out) return 3;
            \(name)_init();
            while (fread(\(name)_input(), 1, \(name.uppercased())_INPUT_BYTES, in) == \(name.uppercased())_INPUT_BYTES) {
                \(name)_invoke();
                fwrite(\(name)_output(), 1, \(name.uppercased())_OUTPUT_BYTES, out);
            }
            fclose(in);
            fclose(out);
            return 0;
        }
        """
    }

    func runGeneratedC(_ plan: Plan, name: String, inputs: URL, dir: URL) throws -> Data {
        let emitter = CEmitter(plan: plan, name: name)
        var sources: [String] = []
        for f in emitter.files {
            let url = dir.appendingPathComponent(f.name)
            try f.contents.write(to: url, atomically: true, encoding: .utf8)
            if f.name.hasSuffix(".c") { sources.append(url.path) }
        }
        let driver = dir.appendingPathComponent("driver.c")
        try ModelTests.driver(name: emitter.name).write(to: driver, atomically: true, encoding: .utf8)
        let kernels = try FileManager.default.contentsOfDirectory(atPath: Support.repo.appendingPathComponent("Firmware/kernels").path)
            .filter { $0.hasSuffix(".c") }.map { Support.repo.appendingPathComponent("Firmware/kernels/\($0)").path }
        let include = "-I" + Support.repo.appendingPathComponent("Firmware/include").path
        let exe = dir.appendingPathComponent("runner").path
        try Support.run("/usr/bin/cc", ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2", include, "-I", dir.path, "-o", exe,
                                        driver.path] + sources + kernels)
        // The same files build for a Cortex-M4, warning-free.
        for src in sources {
            try Support.run("/usr/bin/arm-none-eabi-gcc", ["-mcpu=cortex-m4", "-mthumb", "-O2", "-std=c99", "-Wall", "-Wextra", "-Werror",
                                                           include, "-I", dir.path, "-c", src, "-o", src + ".arm.o"])
        }
        let out = dir.appendingPathComponent("generated.bin")
        try Support.run(exe, [inputs.path, out.path])
        return try Data(contentsOf: out)
    }

    func checkModel(_ name: String) throws {
        let path = try Support.modelPath(name)
        let graph = try Graph.load(tflite: path)
        let plan = try graph.lower(file: path)
        let inputs = try ModelTests.inputSteps.get()
        let steps = inputs.count / plan.inputs[0].byteCount
        XCTAssertGreaterThanOrEqual(steps, 1000)
        let dir = try Support.tempDir(name)
        let inputsURL = dir.appendingPathComponent("inputs.bin")
        try inputs.write(to: inputsURL)

        let expected = try tflmOutputs(model: path, inputs: inputsURL, dir: dir)
        XCTAssertEqual(expected.count, steps)
        let ours = runInProcess(plan, inputs: inputs)
        XCTAssertEqual(ours.count, expected.count)
        let firstDiff = zip(ours, expected).enumerated().first { $0.element.0 != $0.element.1 }
        XCTAssertNil(firstDiff, "\(name): in-process output differs from TFLM at step \(firstDiff?.offset ?? -1)")
        // The Cortex-M DSP kernels (pointwise, matrix-vector, depthwise; their instructions modelled in
        // plain C on the host), chosen per layer as the firmware chooses them.
        let dsp = runInProcess(plan, inputs: inputs, variant: .cortexMDSP)
        let dspDiff = zip(dsp, expected).enumerated().first { $0.element.0 != $0.element.1 }
        XCTAssertNil(dspDiff, "\(name): the DSP kernels' output differs from TFLM at step \(dspDiff?.offset ?? -1)")
        // The scalar-core kernels (Cortex-M0, RV32IMC, Xtensa), chosen per layer as their firmware does.
        let scalar = runInProcess(plan, inputs: inputs, variant: .scalar)
        let scalarDiff = zip(scalar, expected).enumerated().first { $0.element.0 != $0.element.1 }
        XCTAssertNil(scalarDiff, "\(name): the scalar-core kernels' output differs from TFLM at step \(scalarDiff?.offset ?? -1)")
        let generated = try runGeneratedC(plan, name: name, inputs: inputsURL, dir: dir)
        XCTAssertEqual(generated, expected, "\(name): generated C output differs from TFLM")
        // The trace must move: a constant output would make the comparison vacuous.
        XCTAssertGreaterThan(Set(expected).count, 30, "\(name): outputs barely vary")
        XCTAssertGreaterThan(expected.max() ?? 0, 200, "\(name): the phrase never drove the output high")
    }

    func testHeyJarvis() throws { try checkModel("hey_jarvis") }
    func testAlexa() throws { try checkModel("alexa") }
    func testHeyMycroft() throws { try checkModel("hey_mycroft") }
    func testOkayNabu() throws { try checkModel("okay_nabu") }
}
