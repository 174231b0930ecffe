import Foundation
import HarkenAudio
import HarkenData
import HarkenGraph
import HarkenNN
import HarkenStream
import HarkenTrain
import XCTest
import HarkenTestSupport

/// `harken train` and `harken eval` end to end on a small corpus, resuming, and bad inputs.
final class TrainTests: XCTestCase {
    func testTrainResumeAndEvaluate() throws {
        let data = try Support.smallCorpus.get()
        let out = try Support.tempDir("train-run").path
        let first = try Support.run(Support.harkenBinary, ["train", "--phrase", "hey jarvis", "--preset", "tiny", "--epochs", "2",
                                                            "--data", data, "--out", out, "--json"])
        let report = try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as! [String: Any]
        XCTAssertEqual((report["epochs"] as! [Any]).count, 2)
        for f in ["model.safetensors", "last.safetensors", "metrics.jsonl", "config.json", "report.json", "det.svg", "det.json"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: out + "/" + f), f)
        }
        let test = report["test"] as! [String: Any]
        let manifest = try String(contentsOfFile: data + "/manifest.jsonl", encoding: .utf8)
        let testPositives = manifest.split(separator: "\n").filter { $0.contains("\"kind\":\"positive\"") && $0.contains("\"split\":\"test\"") }.count
        XCTAssertGreaterThan(testPositives, 0)
        XCTAssertEqual(test["positives"] as? Int, testPositives)
        XCTAssertEqual((test["det"] as! [Any]).count, 109)

        // Killed after epoch 2 of 3: --resume continues from the checkpoint, epoch 3 only.
        let again = try Support.run(Support.harkenBinary, ["train", "--phrase", "hey jarvis", "--preset", "tiny", "--epochs", "3",
                                                            "--data", data, "--out", out, "--resume"])
        XCTAssertTrue(again.stdout.contains("resuming after epoch 2 of 3"), again.stdout)
        XCTAssertFalse(again.stdout.contains("epoch 1/3"), again.stdout)
        let metrics = try String(contentsOfFile: out + "/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(metrics.count, 3)
        XCTAssertTrue(metrics[2].contains("\"epoch\":2"), String(metrics[2]))

        // The checkpoint is plain safetensors: read back by the format's definition alone.
        let listing = try Support.py("safetensors_read.py", [out + "/model.safetensors"]).stdout
        let (tensors, meta) = try Safetensors.read(out + "/model.safetensors")
        for (name, t) in tensors {
            let sum = t.data.reduce(0.0) { $0 + Double($1) }
            let line = listing.split(separator: "\n").first { $0.hasPrefix(name + " ") }
            XCTAssertNotNil(line, name)
            let fields = line!.split(separator: " ")
            XCTAssertEqual(Double(fields.last!)!, sum, accuracy: 1e-3 * max(1, abs(sum)), name)
        }
        XCTAssertEqual(meta["format"], "harken-sentry")
        XCTAssertTrue(listing.contains("\"phrase\": \"hey jarvis\""), listing)

        // The trained folder is a model for every other command: int8 with the saved ranges.
        XCTAssertNotNil(report["test_int8"], "\(report.keys)")
        let c = try Support.run(Support.harkenBinary, ["compile", "--model", out, "--out", out + "/c", "--json"])
        let compiled = try JSONSerialization.jsonObject(with: Data(c.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(compiled["arena_bytes"] as? Int, report["arena_bytes"] as? Int)
        let micro = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/model.json"))) as! [String: Any]
        XCTAssertEqual(micro["wake_word"] as? String, "hey jarvis")

        // Export: a .tflite TFLM runs in the manifest's tensor_arena_size, and an ESPHome folder.
        let dist = out + "/dist"
        let ex = try Support.run(Support.harkenBinary, ["export", "--model", out, "--format", "esphome", "--out", dist, "--json"])
        let exported = try JSONSerialization.jsonObject(with: Data(ex.stdout.utf8)) as! [String: Any]
        let arena = exported["tensor_arena_size"] as! Int
        let needed = Int(try Support.py("tflm_arena.py", [dist + "/hey_jarvis.tflite"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines))!
        print("export: tensor_arena_size \(arena) B, TFLM needs \(needed) B")
        XCTAssertGreaterThanOrEqual(arena, needed)
        XCTAssertEqual((micro["micro"] as? [String: Any])?["tensor_arena_size"] as? Int, arena, "train's manifest and export agree")
        XCTAssertLessThanOrEqual(arena, 2 * needed + 4096)
        let esphome = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dist + "/hey_jarvis.json"))) as! [String: Any]
        XCTAssertEqual(esphome["model"] as? String, "hey_jarvis.tflite")
        XCTAssertEqual((esphome["micro"] as! [String: Any])["tensor_arena_size"] as? Int, arena)
        try assertESPHomeAccepts(dist, manifest: "hey_jarvis.json")
        try Support.run(Support.harkenBinary, ["export", "--model", out, "--format", "onnx", "--out", dist])
        for f in ["hey_jarvis.onnx", "hey_jarvis_int8_qdq.onnx"] { XCTAssertTrue(FileManager.default.fileExists(atPath: dist + "/" + f), f) }
        // An unwritable destination fails cleanly; the checkpoint without ranges is refused.
        let bad = try Support.run(Support.harkenBinary, ["export", "--model", out, "--out", "/proc/harken-export"], check: false)
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("/proc/harken-export: cannot write"), bad.stderr)
        let raw = try Support.run(Support.harkenBinary, ["export", "--model", out + "/last.safetensors", "--out", dist + "2"], check: false)
        XCTAssertTrue(raw.stderr.contains("no activation ranges"), raw.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dist + "2/hey_jarvis.tflite"))

        // Quantization-aware fine-tuning: three evaluations side by side, and a model folder again.
        let qat = try Support.run(Support.harkenBinary, ["quantize", "--model", out, "--data", data, "--out", out + "/qat",
                                                          "--epochs", "1", "--json"])
        let q = try JSONSerialization.jsonObject(with: Data(qat.stdout.utf8)) as! [String: Any]
        for key in ["float", "post_training", "quantization_aware"] {
            XCTAssertEqual((q[key] as? [String: Any])?["positives"] as? Int, testPositives, key)
        }
        try Support.run(Support.harkenBinary, ["compile", "--model", out + "/qat", "--out", out + "/qat/c"])
        // The QAT model as .tflite runs identically in TFLM and LiteRT over 1,000+ steps of speech.
        let qatDist = out + "/qat/dist"
        try Support.run(Support.harkenBinary, ["export", "--model", out + "/qat", "--out", qatDist])
        let qatPlan = try Graph.load(tflite: qatDist + "/hey_jarvis.tflite").lower(file: "qat")
        let scene = try DemoScene.make(phrase: "hey jarvis").audio
        let qatSteps = try FeatureSteps.make(Audio(samples: scene.samples + scene.samples + scene.samples), plan: qatPlan)
        XCTAssertGreaterThanOrEqual(qatSteps.count, 1000)
        try RuntimeOracles.assertIdenticalInTFLMAndLiteRT(qatDist + "/hey_jarvis.tflite", plan: qatPlan, steps: qatSteps,
                                                             in: URL(fileURLWithPath: qatDist))
        // Its manifest carries the cutoff the validation voices chose for the QAT model itself.
        let qatManifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/qat/model.json"))) as! [String: Any]
        XCTAssertEqual(qatManifest["author"] as? String, "harken quantize")
        let qatCutoff = (q["quantization_aware_validation"] as? [String: Any])?["cutoff"] as? Double
        XCTAssertNotNil(qatCutoff, "\(q.keys)")
        XCTAssertEqual((qatManifest["micro"] as? [String: Any])?["probability_cutoff"] as? Double, qatCutoff)

        // harken eval on the trained model and on microWakeWord's published hey_jarvis.
        let mine = try Support.run(Support.harkenBinary, ["eval", "--model", out, "--data", data, "--json"])
        let r1 = try JSONSerialization.jsonObject(with: Data(mine.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(r1["positives"] as? Int, testPositives)
        let mww = try Support.run(Support.harkenBinary, ["eval", "--model", try Support.modelPath("hey_jarvis"), "--data", data,
                                                          "--split", "test", "--cutoff", "0.97", "--json"])
        let r2 = try JSONSerialization.jsonObject(with: Data(mww.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(r2["cutoff"] as? Double, 0.97)
        XCTAssertEqual(r2["detector_window"] as? Int, 5)
        print("eval hey_jarvis.tflite on the small corpus: FRR \(r2["false_reject_rate"] ?? "?")")
    }

    /// Your own recordings and noise folders join the synthesized corpus.
    func testUserFoldersJoinTheCorpus() throws {
        let data = try Support.smallCorpus.get()
        let mine = try Support.tempDir("train-user")
        let records = try String(contentsOfFile: data + "/manifest.jsonl", encoding: .utf8).split(separator: "\n")
        let trainPositives = records.filter { $0.contains("\"kind\":\"positive\"") && $0.contains("\"split\":\"train\"") }
        let testPositives = records.filter { $0.contains("\"kind\":\"positive\"") && $0.contains("\"split\":\"test\"") }
        try FileManager.default.createDirectory(at: mine.appendingPathComponent("rec"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: mine.appendingPathComponent("noise"), withIntermediateDirectories: true)
        for (i, line) in testPositives.prefix(3).enumerated() {
            let rel = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            try FileManager.default.copyItem(atPath: data + "/" + (rel["path"] as! String), toPath: mine.path + "/rec/\(i).wav")
        }
        try FileManager.default.copyItem(atPath: data + "/clips/noise/brown.wav", toPath: mine.path + "/noise/brown.wav")
        // A file that is not audio is named and left out, never used.
        try Data("not a sound file".utf8).write(to: mine.appendingPathComponent("noise/broken.wav"))
        let trainNoise = records.filter { $0.contains("\"kind\":\"noise\"") && $0.contains("\"split\":\"train\"") }
        let r = try Support.run(Support.harkenBinary, ["train", "--phrase", "hey jarvis", "--preset", "tiny", "--epochs", "1", "--data", data,
                                                       "--out", mine.path + "/run", "--positives", mine.path + "/rec", "--noise", mine.path + "/noise"])
        XCTAssertTrue(r.stdout.contains("\(trainPositives.count + 3) positives"), r.stdout)
        XCTAssertTrue(r.stdout.contains("\(trainNoise.count + 1) backgrounds"), r.stdout)
        XCTAssertTrue((r.stdout + r.stderr).contains("broken.wav"), r.stdout + r.stderr)
    }

    func testBadInputsGiveClearErrors() throws {
        let data = try Support.smallCorpus.get()
        let out = try Support.tempDir("train-bad").path
        func fails(_ args: [String], _ message: String, file: StaticString = #filePath, line: UInt = #line) throws {
            let r = try Support.run(Support.harkenBinary, args, check: false)
            XCTAssertNotEqual(r.status, 0, args.joined(separator: " "), file: file, line: line)
            XCTAssertTrue(r.stderr.contains(message), "expected '\(message)' in: \(r.stderr)", file: file, line: line)
        }
        try fails(["train", "--phrase", "  ", "--out", out], "--phrase must not be empty")
        let yaml = out + "/typo.yaml"
        try "lerning_rate: 0.1\n".write(toFile: yaml, atomically: true, encoding: .utf8)
        try fails(["train", "--phrase", "hey jarvis", "--data", data, "--out", out, "--config", yaml],
                  "unknown key 'lerning_rate' (did you mean 'learning_rate'?)")
        try "augment:\n  snr_last_epok: [0, 5]\n".write(toFile: yaml, atomically: true, encoding: .utf8)
        try fails(["train", "--phrase", "hey jarvis", "--data", data, "--out", out, "--config", yaml],
                  "unknown key 'augment.snr_last_epok' (did you mean 'augment.snr_last_epoch'?)")
        try "epochs: many\n".write(toFile: yaml, atomically: true, encoding: .utf8)
        try fails(["train", "--phrase", "hey jarvis", "--data", data, "--out", out, "--config", yaml], "epochs must be int")
        try fails(["train", "--phrase", "hey jarvis", "--data", data, "--out", out, "--noise", out + "/missing"],
                  "missing: cannot read the folder")
        try Data([0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 1, 2]).write(to: URL(fileURLWithPath: out + "/last.safetensors"))
        try fails(["train", "--phrase", "hey jarvis", "--preset", "tiny", "--data", data, "--out", out, "--resume"],
                  "last.safetensors: header length 4294967295 at byte 0 runs past the end of the file (10 bytes)")
        try fails(["eval", "--model", out, "--data", data], "model.safetensors: cannot read the file")
        try fails(["eval", "--model", try Support.modelPath("hey_jarvis"), "--data", out], "manifest.jsonl: cannot read the manifest")
    }

    /// ESPHome itself (`esphome config`) validates a device YAML made of an ESP32-S3 with an I2S
    /// microphone and the exported snippet, reading the manifest and model beside it; with the
    /// manifest's tensor_arena_size removed it refuses, so the check reads our file.
    func assertESPHomeAccepts(_ dist: String, manifest: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let esphome = Support.repo.appendingPathComponent(".venv-esphome/bin/esphome").path
        let snippet = try String(contentsOfFile: dist + "/esphome.yaml", encoding: .utf8)
        let device = """
            esphome:
              name: harken-check
            esp32:
              board: esp32-s3-devkitc-1
              framework:
                type: esp-idf
            logger:
            i2s_audio:
              i2s_lrclk_pin: GPIO4
              i2s_bclk_pin: GPIO5
            microphone:
              - platform: i2s_audio
                id: mic
                i2s_din_pin: GPIO6
                adc_type: external

            """ + snippet
        try device.write(toFile: dist + "/device.yaml", atomically: true, encoding: .utf8)
        let ok = try Support.run(esphome, ["config", dist + "/device.yaml"], check: false)
        XCTAssertEqual(ok.status, 0, ok.stdout + ok.stderr, file: file, line: line)
        XCTAssertTrue((ok.stdout + ok.stderr).contains("Configuration is valid!"), ok.stdout + ok.stderr, file: file, line: line)

        let path = dist + "/" + manifest
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        var broken = try JSONSerialization.jsonObject(with: original) as! [String: Any]
        var micro = broken["micro"] as! [String: Any]
        micro.removeValue(forKey: "tensor_arena_size")
        broken["micro"] = micro
        try JSONSerialization.data(withJSONObject: broken).write(to: URL(fileURLWithPath: path))
        defer { try? original.write(to: URL(fileURLWithPath: path)) }
        let refused = try Support.run(esphome, ["config", dist + "/device.yaml"], check: false)
        XCTAssertNotEqual(refused.status, 0, file: file, line: line)
        XCTAssertTrue((refused.stdout + refused.stderr).contains("Invalid manifest file"), refused.stdout + refused.stderr, file: file, line: line)
    }
}
