import Foundation
import HarkenAudio
import XCTest
import HarkenTestSupport

/// `harken judge train`, `harken eval --cascade` and `harken mine` end to end on the small corpus.
final class CascadeTrainTests: XCTestCase {
    func json(_ r: Support.Result) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
    }

    func validate(_ file: String, _ schema: String) throws {
        let v = try Support.run(Support.python, [Support.oracle("validate_json.py"), "--schema", schema, file], check: false)
        XCTAssertEqual(v.status, 0, "\(file): \(v.stdout)\(v.stderr)")
    }

    func testJudgeTrainCascadeEvalAndMining() throws {
        let data = try Support.smallCorpus.get()
        let dir = try Support.tempDir("cascade-train").path
        let sentry = dir + "/sentry"
        try Support.run(Support.harkenBinary, ["train", "--phrase", "hey jarvis", "--preset", "tiny", "--epochs", "2",
                                               "--data", data, "--out", sentry])

        // A Judge mined from the int8 Sentry: every kind of example, a .tflite and the stage.
        let judge = dir + "/judge"
        let trained = try json(try Support.run(Support.harkenBinary, ["judge", "train", "--sentry", sentry, "--data", data, "--out", judge,
                                                                      "--epochs", "1", "--copies", "1", "--mining-cutoff", "0.1", "--json"]))
        let examples = trained["examples"] as! [String: Int]
        for kind in ["positive", "near_miss", "speech"] { XCTAssertGreaterThan(examples[kind] ?? 0, 0, "\(examples)") }
        for f in ["judge.tflite", "judge_stage.json", "judge_report.json", "model.safetensors"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: judge + "/" + f), f)
        }
        try validate(judge + "/judge_report.json", "judge_train_report")
        try validate(judge + "/judge_stage.json", "judge_stage")
        XCTAssertEqual((trained["judge"] as! [String: Any])["frames_before"] as? Int, 150)

        // The cascade report's Sentry alone at the shipped cutoff counts what harken eval counts
        // for the same int8 model at that cutoff (two code paths over the same audio).
        let out = dir + "/cascade"
        let cascade = try json(try Support.run(Support.harkenBinary, ["eval", "--model", sentry, "--cascade", judge + "/judge.tflite",
                                                                      "--data", data, "--split", "test", "--out", out, "--json"]))
        try validate(out + "/cascade.json", "cascade_report")
        XCTAssertTrue(try String(contentsOfFile: out + "/cascade_det.svg", encoding: .utf8).contains("Sentry + Judge"))
        let shipped = cascade["sentry_shipped"] as! [String: Any]
        try Support.run(Support.harkenBinary, ["export", "--model", sentry, "--out", dir + "/dist"])
        let cutoff = shipped["sentry_cutoff"] as! Double
        let plain = try json(try Support.run(Support.harkenBinary, ["eval", "--model", dir + "/dist/hey_jarvis.tflite", "--data", data,
                                                                    "--split", "test", "--cutoff", "\(cutoff)", "--json"]))
        let hours = plain["negative_hours"] as! Double
        XCTAssertEqual((shipped["false_accepts_per_hour"] as! [String: Any])["count"] as? Int,
                       Int(((plain["false_accepts_per_hour"] as! Double) * hours).rounded()))
        XCTAssertEqual((shipped["false_reject_rate"] as! [String: Any])["value"] as! Double, plain["false_reject_rate"] as! Double, accuracy: 1e-9)
        // The Judge can only remove triggers.
        let given = cascade["cascade"] as! [String: Any]
        let alone = try json(try Support.run(Support.harkenBinary, ["eval", "--model", dir + "/dist/hey_jarvis.tflite", "--data", data,
                                                                    "--split", "test", "--cutoff", "\(given["sentry_cutoff"] as! Double)", "--json"]))
        XCTAssertLessThanOrEqual((given["false_accepts_per_hour"] as! [String: Any])["value"] as! Double,
                                 alone["false_accepts_per_hour"] as! Double + 1e-9)

        // Mining: findings with clips cut from the source at the false accept, injection with
        // provenance, a fine-tuned round, and the state surviving a restart.
        let corpus = dir + "/corpus"
        try FileManager.default.createDirectory(atPath: corpus, withIntermediateDirectories: true)
        for item in try FileManager.default.contentsOfDirectory(atPath: data) {
            try FileManager.default.copyItem(atPath: data + "/" + item, toPath: corpus + "/" + item)
        }
        let project = dir + "/mine"
        let first = try Support.run(Support.harkenBinary, ["mine", "--model", sentry, "--data", corpus, "--project", project,
                                                           "--mining-cutoff", "0.05", "--json"])
        let state = try json(first)
        try validate(project + "/mine.json", "mine_state")
        try validate(project + "/rounds/1/findings.json", "mine_findings")
        let findings = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: project + "/rounds/1/findings.json"))) as! [String: Any]
        let list = findings["findings"] as! [[String: Any]]
        let accepts = list.filter { $0["kind"] as? String == "false_accept" }
        XCTAssertFalse(accepts.isEmpty, "a tiny Sentry at cutoff 0.05 accepts something in a minute of speech")
        XCTAssertTrue(try String(contentsOfFile: project + "/rounds/1/findings.html", encoding: .utf8).contains("<audio"))
        let fa = accepts[0]
        let clip = try Audio.read(project + "/" + (fa["clip"] as! String))
        let source = try Audio.read(corpus + "/" + (fa["file"] as! String))
        let end = Int(((fa["time_s"] as! Double) * 16000).rounded())
        XCTAssertEqual(clip.samples.count, 32000)
        for i in stride(from: 0, to: 32000, by: 997) {
            let j = end - 24000 + i
            XCTAssertEqual(clip.samples[i], j >= 0 && j < source.samples.count ? source.samples[j] : 0, "sample \(i)")
        }
        XCTAssertEqual((state["rounds"] as! [Any]).count, 1)

        let id = fa["id"] as! String
        try Support.run(Support.harkenBinary, ["mine", "--data", corpus, "--project", project, "--inject", id, "--epochs", "1"])
        let manifest = try String(contentsOfFile: corpus + "/manifest.jsonl", encoding: .utf8).split(separator: "\n")
        let mined = manifest.filter { $0.contains("\"mined_round\":1") }
        XCTAssertEqual(mined.count, 1)
        XCTAssertTrue(mined[0].contains("\"mined_from\":\"\(fa["file"] as! String)\""), String(mined[0]))
        XCTAssertTrue(mined[0].contains("\"split\":\"train\"") && mined[0].contains("\"kind\":\"negative\""), String(mined[0]))
        try validate(corpus + "/manifest.jsonl", "clip_record")
        let report = try json(try Support.run(Support.harkenBinary, ["mine", "--data", corpus, "--project", project, "--report", "--json"]))
        let rounds = report["rounds"] as! [[String: Any]]
        XCTAssertEqual(rounds.count, 2, "the fine-tuned model was measured as round 2")
        XCTAssertEqual(rounds[0]["injected"] as? Int, 1)
        XCTAssertTrue(FileManager.default.fileExists(atPath: (rounds[0]["trained_model"] as! String) + "/model.safetensors"))
        XCTAssertEqual(rounds[1]["model"] as? String, rounds[0]["trained_model"] as? String)
    }
}
