import Foundation
import HarkenData
import HarkenNN
import HarkenTrain
import XCTest
import HarkenTestSupport

/// `harken export` refuses what it cannot export faithfully, says why, and writes nothing then.
final class ExportTests: XCTestCase {
    /// A model folder as `harken train` leaves it (weights, spec, activation ranges), without its
    /// model.json unless asked.
    func modelFolder(_ arch: SentryArchitecture, manifest: Bool) throws -> String {
        let dir = try Support.tempDir("export-\(arch.rawValue)").path
        let model = SentryModel(spec: .standard(arch), seed: 3)
        model.randomizeStatistics(seed: 4)
        var ranges = ActivationRanges()
        model.calibrate(try SentryModel.features(try DemoScene.make(phrase: "hey jarvis").audio), into: &ranges)
        let spec = String(decoding: try JSONEncoder().encode(model.spec), as: UTF8.self)
        try Safetensors.write(model.namedTensors, metadata: ["format": "harken-sentry", "phrase": "hey jarvis", "spec": spec,
                                                            "activation_ranges": ranges.json],
                              to: dir + "/model.safetensors")
        if manifest {
            try #"{"type": "micro", "wake_word": "hey jarvis", "author": "harken train", "version": 2, "micro": {"probability_cutoff": 0.71, "sliding_window_size": 4, "feature_step_size": 10, "tensor_arena_size": 4000}}"#
                .write(toFile: dir + "/model.json", atomically: true, encoding: .utf8)
        }
        return dir
    }

    func export(_ args: [String]) throws -> Support.Result {
        try Support.run(Support.harkenBinary, ["export"] + args, check: false)
    }

    func assertEmpty(_ dir: String, file: StaticString = #filePath, line: UInt = #line) {
        let left = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        XCTAssertEqual(left, [], "files left behind", file: file, line: line)
    }

    func testOperatorsESPHomeDoesNotRegisterAreRefused() throws {
        let model = try modelFolder(.mobileNetV3Small, manifest: true)
        let out = try Support.tempDir("export-out").path
        let r = try export(["--model", model, "--format", "esphome", "--out", out])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("uses HARD_SWISH, which ESPHome's micro_wake_word does not register"), r.stderr)
        assertEmpty(out)
        // The same model is a valid .tflite for TFLM, which has the kernel.
        let ok = try export(["--model", model, "--format", "tflite", "--out", out])
        XCTAssertEqual(ok.status, 0, ok.stderr)
    }

    func testTheCutoffComesFromTheModelsManifest() throws {
        let out = try Support.tempDir("export-out").path
        let bare = try modelFolder(.tinyConvV2, manifest: false)
        let r = try export(["--model", bare, "--out", out])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.stderr.contains("\(bare)/model.json: no manifest beside the model"), r.stderr)
        assertEmpty(out)
        let bad = try export(["--model", bare, "--out", out, "--cutoff", "1.5"])
        XCTAssertTrue(bad.stderr.contains("--cutoff 1.5: expected a probability between 0 and 1"), bad.stderr)
        assertEmpty(out)

        let given = try export(["--model", bare, "--out", out, "--cutoff", "0.8"])
        XCTAssertEqual(given.status, 0, given.stderr)
        let m1 = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/hey_jarvis.json"))) as! [String: Any]
        XCTAssertEqual((m1["micro"] as! [String: Any])["probability_cutoff"] as? Double, 0.8)

        let trained = try modelFolder(.tinyConvV2, manifest: true)
        XCTAssertEqual(try export(["--model", trained, "--out", out]).status, 0)
        let m2 = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/hey_jarvis.json"))) as! [String: Any]
        let micro = m2["micro"] as! [String: Any]
        XCTAssertEqual(micro["probability_cutoff"] as? Double, 0.71)
        XCTAssertEqual(micro["sliding_window_size"] as? Int, 4)

        try "{\"type\": \"micro\",".write(toFile: trained + "/model.json", atomically: true, encoding: .utf8)
        let broken = try export(["--model", trained, "--out", out])
        XCTAssertNotEqual(broken.status, 0)
        XCTAssertTrue(broken.stderr.contains("\(trained)/model.json"), broken.stderr)
    }
}
