import Foundation
import HarkenCodegen
import HarkenGraph
import HarkenStream
import XCTest
import HarkenTestSupport

/// Every kernel against TFLM on seeded single-operator models (Tests/Oracles/op_models.py):
/// random shapes, scales, zero points, strides, dilations, paddings and activations.
final class OpFixtureTests: XCTestCase {
    struct Manifest: Decodable {
        struct Case: Decodable { var name: String; var op: String; var model: String; var input: String; var output: String }
        var cases: [Case]
    }

    static let fixtures: Lazy<(URL, Manifest)> = Lazy {
        let dir = try Support.tempDir("ops")
        // HARKEN_OP_SCALE=10 runs a sweep ten times larger (2,340 cases) for kernel work.
        let scale = ProcessInfo.processInfo.environment["HARKEN_OP_SCALE"] ?? "1"
        try Support.py("op_models.py", [dir.path, "--scale", scale])
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: dir.appendingPathComponent("manifest.json")))
        return (dir, manifest)
    }

    func testEveryCaseInProcess() throws { try runEveryCase(.reference) }

    /// The Cortex-M DSP variants, their intrinsics computed in plain C on the host.
    func testEveryCaseWithDSPKernelsOnTheHost() throws { try runEveryCase(.cortexMDSP) }

    /// The scalar-core variants (Cortex-M0, RV32IMC, Xtensa).
    func testEveryCaseWithScalarKernels() throws { try runEveryCase(.scalar) }

    func runEveryCase(_ kernels: KernelVariant) throws {
        let (dir, manifest) = try OpFixtureTests.fixtures.get()
        var perOp: [String: Int] = [:]
        for c in manifest.cases {
            let path = dir.appendingPathComponent(c.model).path
            let plan = try Graph.load(tflite: path).lower(file: path)
            let input = try Data(contentsOf: dir.appendingPathComponent(c.input))
            let expected = try Data(contentsOf: dir.appendingPathComponent(c.output))
            let runner = ModelRunner(plan: plan, kernels: kernels)
            var at = 0
            for i in plan.inputs.indices {
                let n = plan.inputs[i].byteCount
                input.withUnsafeBytes { runner.input(i).copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[at..<at + n])) }
                at += n
            }
            XCTAssertEqual(at, input.count, "\(c.name): input bytes")
            runner.invoke()
            var got = Data()
            for i in plan.outputs.indices { got.append(contentsOf: runner.output(i)) }
            XCTAssertEqual(got, expected, "\(c.name) (\(c.op)) differs from TFLM")
            perOp[c.op, default: 0] += 1
        }
        print("op fixtures (\(kernels.rawValue) kernels): \(manifest.cases.count) cases bit-exact with TFLM: \(perOp.sorted { $0.key < $1.key })")
        let expectedOps: Set<String> = ["CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "CONCATENATION", "STRIDED_SLICE",
                                        "LOGISTIC", "QUANTIZE", "SPLIT", "SPLIT_V", "AVERAGE_POOL_2D", "MAX_POOL_2D", "ADD", "MUL",
                                        "MEAN", "PAD", "SOFTMAX", "DEQUANTIZE", "HARD_SWISH", "RELU"]
        XCTAssertTrue(expectedOps.isSubset(of: Set(perOp.keys)), "ops covered: \(perOp.keys.sorted())")
    }

    /// The generated C for one case of every op, built with the host compiler and run.
    func testGeneratedCForEveryOp() throws {
        let (dir, manifest) = try OpFixtureTests.fixtures.get()
        let out = try Support.tempDir("ops-c")
        var firstOfOp: [String: Manifest.Case] = [:]
        for c in manifest.cases where firstOfOp[c.op] == nil { firstOfOp[c.op] = c }
        let chosen = firstOfOp.values.sorted { $0.name < $1.name }
        var sources: [String] = []
        var driver = "#include <stdio.h>\n#include <string.h>\n"
        var runs = ""
        var plans: [String: Plan] = [:]
        for c in chosen {
            let path = dir.appendingPathComponent(c.model).path
            let plan = try Graph.load(tflite: path).lower(file: path)
            plans[c.name] = plan
            let emitter = CEmitter(plan: plan, name: c.name)
            for f in emitter.files {
                try f.contents.write(to: out.appendingPathComponent(f.name), atomically: true, encoding: .utf8)
                if f.name.hasSuffix(".c") { sources.append(out.appendingPathComponent(f.name).path) }
            }
            driver += "#include \"\(emitter.name)_model.h\"\n"
            // Single-input, single-output cases go through the generated API.
            if plan.inputs.count == 1 && plan.outputs.count == 1 {
                runs += """
                    if (strcmp(argv[1], "\(c.name)") == 0) {
                        FILE *in = fopen(argv[2], "rb"), *out = fopen(argv[3], "wb");
                        \(emitter.name)_init();
                        if (fread((void *)\(emitter.name)_input(), 1, \(emitter.name.uppercased())_INPUT_BYTES, in) != \(emitter.name.uppercased())_INPUT_BYTES) return 4;
                        \(emitter.name)_invoke();
                        fwrite(\(emitter.name)_output(), 1, \(emitter.name.uppercased())_OUTPUT_BYTES, out);
                        fclose(in); fclose(out);
                        return 0;
                    }

                """
            }
        }
        driver += "int main(int argc, char **argv) {\n    if (argc != 4) return 2;\n\(runs)    return 3;\n}\n"
        let driverPath = out.appendingPathComponent("driver.c").path
        try driver.write(toFile: driverPath, atomically: true, encoding: .utf8)
        let kernels = try FileManager.default.contentsOfDirectory(atPath: Support.repo.appendingPathComponent("Firmware/kernels").path)
            .filter { $0.hasSuffix(".c") }.map { Support.repo.appendingPathComponent("Firmware/kernels/\($0)").path }
        let exe = out.appendingPathComponent("ops").path
        try Support.run("/usr/bin/cc", ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O1",
                                        "-I" + Support.repo.appendingPathComponent("Firmware/include").path, "-I", out.path,
                                        "-o", exe, driverPath] + sources + kernels)
        var checked = 0
        for c in chosen where plans[c.name]!.inputs.count == 1 && plans[c.name]!.outputs.count == 1 {
            let result = out.appendingPathComponent("\(c.name).out").path
            try Support.run(exe, [c.name, dir.appendingPathComponent(c.input).path, result])
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: result)), try Data(contentsOf: dir.appendingPathComponent(c.output)),
                           "\(c.name) (\(c.op)): generated C differs from TFLM")
            checked += 1
        }
        XCTAssertGreaterThanOrEqual(checked, 14)
    }
}
