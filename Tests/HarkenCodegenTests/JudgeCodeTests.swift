import Foundation
import XCTest
import HarkenAudio
import HarkenCodegen
import HarkenData
import HarkenPipeline
import HarkenStream
import HarkenSupport
import HarkenTestSupport

/// The Judge's generated C (harken compile's CEmitter, as `harken firmware --judge` writes it),
/// built by the host compiler, against Harken's simulator of the same int8 Judge.
final class JudgeCodeTests: XCTestCase {
    /// 20 windows of real speech features (hey_jarvis's pass over the demo scene, a trigger's
    /// window at every 20th step): the compiled Judge's output bytes are ModelRunner's.
    func testGeneratedJudgeMatchesTheSimulatorOnSpeech() throws {
        let dir = try Support.tempDir("judge-c")
        let judgePath = try Pipeline.writeJudgeProbe(out: dir.appendingPathComponent("judge.tflite").path, seed: 3).path
        let (_, judgePlan) = try Pipeline.load(model: judgePath)
        let (_, sentryPlan) = try Pipeline.load(model: try Support.modelPath("hey_jarvis"))
        let pass = try Simulator(plan: sentryPlan, detector: DetectorSettings(cutoff: 0.5, window: 5))
            .pass(try DemoScene.make(phrase: "hey jarvis").audio)
        let windows = (1...20).map { pass.window(triggerStep: $0 * 20, before: 150, after: 30) }
        let runner = ModelRunner(plan: judgePlan)
        let expected: [UInt8] = windows.map { w in
            w.withUnsafeBytes { runner.input().copyMemory(from: $0) }
            runner.invoke()
            return runner.output().load(as: UInt8.self)
        }
        XCTAssertGreaterThan(Set(expected).count, 1, "the windows should not all score alike")

        let name = "hey_jarvis_judge"
        var sources: [String] = []
        for f in CEmitter(plan: judgePlan, name: name).files {
            let url = dir.appendingPathComponent(f.name)
            try f.contents.write(to: url, atomically: true, encoding: .utf8)
            if f.name.hasSuffix(".c") { sources.append(url.path) }
        }
        let driver = """
        #include <stdio.h>
        #include "\(name)_model.h"
        int main(void) {
            \(name)_init();
            while (fread(\(name)_input(), 1, \(name.uppercased())_INPUT_BYTES, stdin) == \(name.uppercased())_INPUT_BYTES) {
                \(name)_invoke();
                printf("%u\\n", (unsigned)*(const unsigned char *)\(name)_output());
            }
            return 0;
        }
        """
        try driver.write(to: dir.appendingPathComponent("main.c"), atomically: true, encoding: .utf8)
        let fw = Support.repo.appendingPathComponent("Firmware")
        let kernels = try FileManager.default.contentsOfDirectory(atPath: fw.appendingPathComponent("kernels").path)
            .filter { $0.hasSuffix(".c") }.map { fw.appendingPathComponent("kernels/\($0)").path }
        let exe = dir.appendingPathComponent("judge").path
        try Support.run("/usr/bin/cc", ["-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-I" + fw.appendingPathComponent("include").path,
                                        "-I", dir.path, "-o", exe, dir.appendingPathComponent("main.c").path] + sources + kernels)
        let input = dir.appendingPathComponent("windows.bin")
        try Data(windows.flatMap { $0 }.map { UInt8(bitPattern: $0) }).write(to: input)
        let out = try Support.run("/bin/sh", ["-c", "\(exe) < \(input.path)"]).stdout
        XCTAssertEqual(out.split(separator: "\n").compactMap { UInt8($0) }, expected)
        XCTAssertEqual(try PlanJudge(plan: judgePlan, file: judgePath).scores(windows), expected.map { Double($0) / 256 })
    }
}
