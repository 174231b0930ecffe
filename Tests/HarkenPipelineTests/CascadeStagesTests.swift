import Foundation
import HarkenTestSupport
import XCTest

/// `harken bench --cascade --sentry S --judge J`: every stage of every deployment, its JSON against
/// the schema, and its figures against the commands that measure each one alone (`harken cost
/// --measure`, `harken compile`, `harken firmware --judge`) and against the cascade report it read.
final class CascadeStagesTests: XCTestCase {
    func json(_ r: Support.Result) throws -> [String: Any] {
        XCTAssertEqual(r.status, 0, r.stderr)
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
    }

    func harkenJSON(_ args: [String]) throws -> [String: Any] { try json(try Support.harken(args + ["--json"])) }

    /// A cascade report as `harken eval --cascade` writes it: the Sentry's curve, the cascade's,
    /// a chosen point and the Sentry alone; valid against cascade_report's schema.
    func writeReport(to path: String) throws -> [String: Any] {
        func estimate(_ count: Int, of: Double, rate: Bool) -> [String: Any] {
            let value = Double(count) / of
            return ["count": count, "of": of, "value": value, "low": value * 0.5, "high": value * 1.5 + (rate ? 1 : 0.01)]
        }
        func point(sentry: Double, judge: Double?, wakeups: Int, accepts: Int, missed: Int) -> [String: Any] {
            var p: [String: Any] = ["sentry_cutoff": sentry, "false_reject_rate": estimate(missed, of: 200, rate: false),
                                    "false_accepts_per_hour": estimate(accepts, of: 2, rate: true),
                                    "near_miss_accept_rate": estimate(accepts, of: 40, rate: false),
                                    "judge_wakeups_per_hour": Double(wakeups) / 2, "sentry_false_accepts_per_hour": Double(wakeups) / 2,
                                    "sentry_false_reject_rate": Double(missed) / 200]
            if let judge {
                p["judge_cutoff"] = judge
                p["judge_rejects_false_accepts"] = Double(wakeups - accepts) / Double(max(wakeups, 1))
                p["judge_keeps_true_triggers"] = 0.9
            }
            return p
        }
        let sentryCurve = (1...9).map { point(sentry: Double($0) / 10, judge: nil, wakeups: 90 / $0, accepts: 90 / $0, missed: $0 * 3) }
        let cascadeCurve = (1...6).map { point(sentry: Double($0) / 10, judge: 0.05 * Double($0), wakeups: 90 / $0, accepts: 12 / $0, missed: $0 * 4) }
        let report: [String: Any] = [
            "schema_version": 1, "corpus": "synthetic", "split": "test", "positives": 200, "near_misses": 40, "negative_hours": 2.0,
            "target_false_accepts_per_hour": 1.0, "sentry_curve": sentryCurve, "cascade_curve": cascadeCurve,
            "sentry_alone": sentryCurve[8], "sentry_shipped": sentryCurve[4], "cascade": cascadeCurve[2], "cascade_best": cascadeCurve[3],
        ]
        try JSONSerialization.data(withJSONObject: report).write(to: URL(fileURLWithPath: path))
        let v = try Support.run(Support.python, [Support.oracle("validate_json.py"), "--schema", "cascade_report", path], check: false)
        XCTAssertEqual(v.status, 0, v.stdout)
        return report
    }

    func testEveryStageAgreesWithItsOwnMeasure() throws {
        let dir = try Support.tempDir("cascade-stages")
        let sentry = try Support.modelPath("hey_jarvis")
        let judge = dir.appendingPathComponent("judge.tflite").path
        try Support.run(Support.harkenBinary, ["judge", "probe", "--out", judge])
        let reportPath = dir.appendingPathComponent("cascade.json").path
        let report = try writeReport(to: reportPath)
        let plot = dir.appendingPathComponent("wakeups.svg").path

        let args = ["bench", "--cascade", "--sentry", sentry, "--judge", judge, "--cascade-report", reportPath, "--plot", plot,
                    "--windows", "20", "--judge-steps", "1", "--json"]
        let r = try Support.harken(args)
        XCTAssertEqual(r.status, 0, r.stderr)
        let file = dir.appendingPathComponent("stages.json")
        try Data(r.stdout.utf8).write(to: file)
        let v = try Support.run(Support.python, [Support.oracle("validate_json.py"), "--schema", "cascade_stages", file.path], check: false)
        XCTAssertEqual(v.status, 0, v.stdout)
        let out = try json(r)

        let deployments = out["deployments"] as! [[String: Any]]
        XCTAssertEqual(deployments.map { $0["key"] as! String }, ["sentry_alone", "device_judge", "single_chip", "server_judge"])
        func stage(_ key: String, _ name: String) -> [String: Any] {
            let d = deployments.first { $0["key"] as? String == key }!
            return (d["stages"] as! [[String: Any]]).first { $0["stage"] as? String == name }!
        }

        // Cycles: the simulator's as `harken cost --measure` counts them, the cost model's as `harken cost` does.
        for (key, name, target, model, steps) in [("sentry_alone", "sentry", "stm32f4", sentry, 20), ("device_judge", "judge", "stm32h7", judge, 1)] {
            let cost = try harkenJSON(["cost", "--model", model, "--target", target, "--measure", "--steps", "\(steps)"])
            let s = stage(key, name)
            let device = s["device"] as! [String: Any]
            XCTAssertEqual(s["runs_on"] as? String, target)
            XCTAssertEqual(device["simulator_cycles"] as! Double, cost["measured_total_cycles"] as! Double, "\(name) on \(target)")
            XCTAssertEqual(device["cost_model_cycles"] as! Double, cost["total_cycles"] as! Double, accuracy: 1e-6 * (cost["total_cycles"] as! Double))
            let clock = Double(cost["clock_hz"] as! Int)
            XCTAssertEqual(device["simulator_ms"] as! Double, (cost["measured_total_cycles"] as! Double) / clock * 1000, accuracy: 1e-9)
            XCTAssertNil(device["proxy"])
        }
        // The ESP32-S3 is not simulated: a proxy, said so, and no cost-model figure made up.
        let s3 = stage("single_chip", "judge")["device"] as! [String: Any]
        XCTAssertNotNil(s3["proxy"])
        XCTAssertNil(s3["cost_model_cycles"])
        XCTAssertTrue((s3["cost_model_note"] as? String ?? "").contains("no cost coefficients"), "\(s3)")

        // RAM: the plan's arena and state (harken compile) and the ring the firmware would hold (harken firmware --judge).
        let sentryPlan = try harkenJSON(["compile", "--model", sentry, "--out", dir.appendingPathComponent("c-sentry").path])
        let judgePlan = try harkenJSON(["compile", "--model", judge, "--out", dir.appendingPathComponent("c-judge").path])
        var rings: [String: Int] = ["sentry_alone": 0]
        for placement in ["device", "server"] {
            let fw = try harkenJSON(["firmware", "--model", sentry, "--board", "qemu-mps2-an386", "--judge", judge, "--judge-placement", placement,
                                     "--out", dir.appendingPathComponent("fw-\(placement)").path])
            rings[placement == "device" ? "device_judge" : "server_judge"] = (fw["cascade"] as! [String: Any])["ring_bytes"] as? Int
        }
        rings["single_chip"] = rings["device_judge"]
        for (key, ring) in rings {
            let ram = stage(key, "sentry")["ram"] as! [String: Any]
            XCTAssertEqual(ram["ring_bytes"] as? Int, ring, key)
            XCTAssertEqual(ram["total_bytes"] as? Int, (sentryPlan["arena_bytes"] as! Int) + (sentryPlan["state_bytes"] as! Int) + ring, key)
            XCTAssertEqual((stage(key, "sentry")["flash"] as! [String: Any])["weight_bytes"] as? Int, sentryPlan["weight_bytes"] as? Int)
        }
        XCTAssertEqual(rings["device_judge"], 180 * 40, "the 7.2 kB ring of 180 frames × 40 channels")
        let judgeRAM = stage("device_judge", "judge")["ram"] as! [String: Any]
        XCTAssertEqual(judgeRAM["total_bytes"] as? Int, (judgePlan["arena_bytes"] as! Int) + (judgePlan["state_bytes"] as! Int))

        // Wake-ups per hour and the system's figures: the report's chosen point.
        let chosen = report["cascade"] as! [String: Any]
        for key in ["device_judge", "single_chip", "server_judge"] {
            let d = deployments.first { $0["key"] as? String == key }!
            XCTAssertEqual(d["judge_wakeups_per_hour"] as? Double, chosen["judge_wakeups_per_hour"] as? Double, key)
            XCTAssertEqual(stage(key, "judge")["calls_per_hour"] as? Double, chosen["judge_wakeups_per_hour"] as? Double, key)
            XCTAssertEqual(d["false_accepts_per_hour"] as? Double, (chosen["false_accepts_per_hour"] as! [String: Any])["value"] as? Double)
        }
        let alone = deployments[0]
        XCTAssertNil(alone["judge_wakeups_per_hour"])
        XCTAssertEqual(alone["false_reject_rate"] as? Double, ((report["sentry_alone"] as! [String: Any])["false_reject_rate"] as! [String: Any])["value"] as? Double)
        let curve = out["curve"] as! [[String: Any]]
        XCTAssertEqual(curve.filter { $0["curve"] as? String == "cascade" }.count, (report["cascade_curve"] as! [Any]).count)
        let svg = try String(contentsOfFile: plot, encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
        XCTAssertEqual(svg.components(separatedBy: "<circle").count - 1, curve.count + 1, "a dot per point and a ring around the chosen one")

        // The server stage: one sample per window for each path, the UART time from its bytes.
        let server = stage("server_judge", "judge")["server"] as! [String: Any]
        for path in ["judge_in_process", "http", "serial_relay", "serial_end_to_end"] {
            let l = server[path] as! [String: Any]
            XCTAssertEqual(l["count"] as? Int, 20, path)
            XCTAssertLessThanOrEqual(l["p50_ms"] as! Double, l["p99_ms"] as! Double, path)
            XCTAssertGreaterThan(l["p50_ms"] as! Double, 0, path)
        }
        XCTAssertEqual(server["uart_ms"] as! Double, Double(server["wire_bytes"] as! Int) * 10 / Double(server["uart_baud"] as! Int) * 1000, accuracy: 1e-9)
        XCTAssertGreaterThan(server["wire_bytes"] as! Int, 180 * 40)
        let goals = out["goals"] as! [[String: Any]]
        XCTAssertEqual(goals.first { ($0["goal"] as! String).contains("stm32h7") }?["measured_ms"] as? Double,
                       (stage("device_judge", "judge")["device"] as! [String: Any])["simulator_ms"] as? Double)
        XCTAssertEqual(goals.last?["measured_ms"] as? Double, (server["http"] as! [String: Any])["p99_ms"] as? Double)
    }

    func testRefusesWhatItCannotBenchmark() throws {
        let sentry = try Support.modelPath("hey_jarvis")
        let noJudge = try Support.harken(["bench", "--cascade", "--sentry", sentry])
        XCTAssertNotEqual(noJudge.status, 0)
        XCTAssertTrue(noJudge.stderr.contains("--cascade --sentry needs --judge"), noJudge.stderr)
        let noCascade = try Support.harken(["bench", "--sentry", sentry, "--judge", "j.tflite"])
        XCTAssertNotEqual(noCascade.status, 0)
        XCTAssertTrue(noCascade.stderr.contains("add --cascade"), noCascade.stderr)
        let badReport = try Support.tempDir("cascade-stages-bad").appendingPathComponent("cascade.json")
        try Data("{\"schema_version\": 1}".utf8).write(to: badReport)
        let judge = try Support.tempDir("cascade-stages-judge").appendingPathComponent("judge.tflite").path
        try Support.run(Support.harkenBinary, ["judge", "probe", "--out", judge])
        let r = try Support.harken(["bench", "--cascade", "--sentry", sentry, "--judge", judge, "--cascade-report", badReport.path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("\(badReport.path): not a cascade report"), r.stderr)
        XCTAssertTrue(r.stderr.contains("[cascade_stages.report]"), r.stderr)
    }
}
