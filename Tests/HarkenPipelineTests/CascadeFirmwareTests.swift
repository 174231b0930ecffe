import Foundation
import HarkenGraph
import HarkenPipeline
import HarkenSupport
import HarkenTestSupport
import XCTest

/// `harken firmware --judge`: what the project holds for each deployment, where its settings come
/// from, and what it refuses (the projects are built and run in HarkenDeviceTests).
final class CascadeFirmwareTests: XCTestCase {
    static let judge = Lazy<String> {
        try Pipeline.writeJudgeProbe(out: try Support.tempDir("fw-judge").appendingPathComponent("judge.tflite").path, seed: 3).path
    }

    func files(_ dir: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for f in try FileManager.default.subpathsOfDirectory(atPath: dir.path) {
            var isDir: ObjCBool = false
            let url = dir.appendingPathComponent(f)
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), !isDir.boolValue { out[f] = try Data(contentsOf: url) }
        }
        return out
    }

    func text(_ files: [String: Data], _ path: String) -> String { String(decoding: files[path] ?? Data(), as: UTF8.self) }

    /// The three deployments in one folder, one after the other: the Judge's C and the cascade
    /// app, then the Judge's C gone for a server Judge, then the Sentry alone again, byte for byte
    /// the project that never had a Judge.
    func testThreeDeployments() throws {
        let model = try Support.modelPath("hey_jarvis")
        let judge = try Self.judge.get()
        let board = "qemu-mps2-an386"
        let dir = try Support.tempDir("fw-cascade")
        let alone = try Support.tempDir("fw-alone")
        _ = try Pipeline.firmware(model: model, board: board, home: Support.home, outDir: alone.path, build: false)
        let sentryAlone = try files(alone)

        let device = try Pipeline.firmware(model: model, board: board, home: Support.home, outDir: dir.path, build: false,
                                           judge: JudgeOptions(model: judge, placement: .device, sentryCutoff: 0.5, judgeCutoff: 0.25))
        var f = try files(dir)
        XCTAssertNotNil(f["model/hey_jarvis_judge_model.c"])
        XCTAssertNotNil(f["harken/src/cascade/hk_cascade.c"])
        let binding = text(f, "model/hk_cascade_binding.c")
        XCTAssertTrue(binding.contains("&hk_model, &hk_judge"), binding)
        XCTAssertTrue(binding.contains("{ 40, 150, 30, -128, HK_CASCADE_ON_DEVICE, 16384,"), binding)
        XCTAssertTrue(binding.contains("static int8_t ring[7200];"), binding)
        let cmake = text(f, "CMakeLists.txt")
        XCTAssertTrue(cmake.contains("port/common/hk_port_cascade.c") && !cmake.contains("port/common/hk_port_serve.c"))
        XCTAssertTrue(text(f, "README.md").contains("Cascade: the Sentry fires at 0.5"))
        // The Sentry's detector fires at the cascade's cutoff: 0.5 · 256 · 5.
        XCTAssertTrue(text(f, "model/hk_model_binding.c").contains("5, 640, 640, 34"), text(f, "model/hk_model_binding.c"))
        XCTAssertEqual(device.cascade?.ringBytes, 7200)
        XCTAssertGreaterThan(device.cascade?.judgeWeightBytes ?? 0, 100_000)

        let server = try Pipeline.firmware(model: model, board: board, home: Support.home, outDir: dir.path, build: false,
                                           judge: JudgeOptions(model: judge, placement: .server, fallback: .failClosed, timeoutMs: 300))
        f = try files(dir)
        XCTAssertNil(f["model/hey_jarvis_judge_model.c"], "a server Judge's C is not compiled into the device")
        XCTAssertTrue(text(f, "model/hk_cascade_binding.c").contains("&hk_model, NULL"))
        XCTAssertTrue(text(f, "model/hk_cascade_binding.c").contains("HK_CASCADE_FAIL_CLOSED, 30, 10 }"), text(f, "model/hk_cascade_binding.c"))
        XCTAssertEqual(server.cascade?.ringBytes, (180 + 30) * 40)
        XCTAssertEqual(server.cascade?.stage.sentryCutoff, 0.97, "the manifest's probability_cutoff")
        XCTAssertEqual(server.cascade?.stage.cutoff, JudgeOptions.defaultJudgeCutoff)
        XCTAssertEqual(server.cascade?.judgeWeightBytes, 0)

        let plain = try Pipeline.firmware(model: model, board: board, home: Support.home, outDir: dir.path, build: false)
        XCTAssertNil(plain.cascade)
        XCTAssertEqual(try files(dir), sentryAlone, "without --judge the project is the Sentry's alone")
    }

    /// Unset options come from the Sentry manifest's judge field, then the defaults; the window's
    /// split follows the manifest or leaves 30 frames after the trigger.
    func testSettingsFromTheManifest() throws {
        let judge = try Self.judge.get()
        let (_, plan) = try Pipeline.load(model: judge)
        var manifest = ModelManifest.micro(wakeWord: "hey jarvis", author: nil, model: nil, cutoff: 0.9, window: 5, graph: try Pipeline.load(model: judge).0)
        let none = try Pipeline.judgeStage(JudgeOptions(model: judge, placement: .device), judgePlan: plan, sentryManifest: manifest)
        XCTAssertEqual(none, JudgeStage(model: judge, placement: .device, framesBefore: 150, framesAfter: 30, cutoff: 0.5, sentryCutoff: 0.9,
                                        fallback: .failOpen, timeoutMs: 500))
        manifest.judge = JudgeStage(model: "j.tflite", placement: .server, framesBefore: 160, framesAfter: 20, cutoff: 0.8, sentryCutoff: 0.4,
                                    fallback: .failClosed, timeoutMs: 250)
        let fromManifest = try Pipeline.judgeStage(JudgeOptions(model: judge, judgeCutoff: 0.6), judgePlan: plan, sentryManifest: manifest)
        XCTAssertEqual(fromManifest, JudgeStage(model: judge, placement: .server, framesBefore: 160, framesAfter: 20, cutoff: 0.6,
                                                sentryCutoff: 0.4, fallback: .failClosed, timeoutMs: 250))
        manifest.judge = nil
        XCTAssertThrowsError(try Pipeline.judgeStage(JudgeOptions(model: judge), judgePlan: plan, sentryManifest: manifest)) { e in
            XCTAssertEqual((e as? CodedError)?.code, "cascade.judge")
            XCTAssertTrue("\(e)".contains("--judge-placement device or server"), "\(e)")
        }
    }

    /// ESPHome refuses keys it does not know: the manifest an ESP-IDF project carries for it has no
    /// `judge`, though the Sentry's own manifest has one. The cascade itself is bare-metal only.
    func testESPHomeManifestLeavesTheJudgeOut() throws {
        let dir = try Support.tempDir("fw-esphome")
        let model = dir.appendingPathComponent("hey_jarvis.tflite").path
        try FileManager.default.copyItem(atPath: try Support.modelPath("hey_jarvis"), toPath: model)
        var manifest = try ModelManifest.load(path: ModelManifest.besideModel(try Support.modelPath("hey_jarvis")))
        manifest.judge = JudgeStage(model: "judge.tflite", placement: .server, cutoff: 0.7, sentryCutoff: 0.5)
        try JSONEncoder().encode(manifest).write(to: URL(fileURLWithPath: ModelManifest.besideModel(model)))
        XCTAssertNotNil(try ModelManifest.load(path: ModelManifest.besideModel(model)).judge)
        let valid = try Support.run(Support.python, [Support.oracle("validate_json.py"), ModelManifest.besideModel(model)], check: false)
        XCTAssertEqual(valid.status, 0, "a manifest with a judge field is a valid micro_manifest: \(valid.stdout)")
        let out = dir.appendingPathComponent("project")
        _ = try Pipeline.firmware(model: model, board: "esp32s3-devkitc", home: Support.home, outDir: out.path, build: false)
        let written = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("esphome/hey_jarvis.json"))) as! [String: Any]
        XCTAssertNil(written["judge"])
        XCTAssertEqual(written["wake_word"] as? String, "Hey Jarvis")

        XCTAssertThrowsError(try Pipeline.firmware(model: model, board: "esp32s3-devkitc", home: Support.home, outDir: out.path, build: false,
                                                   judge: JudgeOptions(model: try Self.judge.get(), placement: .device))) { e in
            XCTAssertEqual((e as? CodedError)?.code, "cascade.template")
        }
    }

    /// A Judge that does not fit the Sentry is refused before anything is written, naming the file
    /// and the field: the Sentry itself (streaming state, its own window), a cutoff out of range.
    func testMisfitJudgesAreRefused() throws {
        let sentry = try Support.modelPath("hey_jarvis")
        let out = try Support.tempDir("fw-misfit")
        func refusal(_ options: JudgeOptions) -> String {
            do {
                _ = try Pipeline.firmware(model: sentry, board: "qemu-mps2-an386", home: Support.home, outDir: out.path, build: false, judge: options)
                return "accepted"
            } catch { return "\((error as? CodedError)?.code ?? "?"): \(error)" }
        }
        let itself = refusal(JudgeOptions(model: sentry, placement: .device))
        XCTAssertTrue(itself.hasPrefix("cascade.judge: \(sentry): variables"), itself)
        let cutoff = refusal(JudgeOptions(model: try Self.judge.get(), placement: .device, judgeCutoff: 1.5))
        XCTAssertTrue(cutoff.contains("probabilities between 0 and 1"), cutoff)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path), [])
        // A 16 KiB board holds the Sentry, not its ring and frontend as well.
        do {
            _ = try Pipeline.firmware(model: sentry, board: "qemu-microbit", home: Support.home, outDir: out.path, build: false,
                                      judge: JudgeOptions(model: try Self.judge.get(), placement: .server))
            XCTFail("a cascade that does not fit the board's RAM")
        } catch {
            XCTAssertEqual((error as? CodedError)?.code, "cascade.ram")
            XCTAssertTrue("\(error)".contains("and the board has 16384 B"), "\(error)")
        }

        let cli = try Support.harken(["firmware", "--model", sentry, "--board", "qemu-mps2-an386", "--out", out.path, "--judge-placement", "device"])
        XCTAssertNotEqual(cli.status, 0)
        XCTAssertTrue(cli.stderr.contains("need --judge"), cli.stderr)
    }
}
