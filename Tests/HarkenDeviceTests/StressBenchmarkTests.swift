import Foundation
import HarkenAudio
import HarkenData
import HarkenSupport
import HarkenTestSupport
import XCTest

/// `harken synth --stress` and `harken bench-accuracy`: a small benchmark holds only voices training
/// never hears, every condition, both kinds of near miss and the asked hours of running speech;
/// microWakeWord's published model scored on it gives a report its schema accepts, whose counts
/// are the benchmark's.
final class StressBenchmarkTests: XCTestCase {
    func testSmallStressBenchmarkAndItsReport() throws {
        let dir = try Support.tempDir("stress").path
        let synth = try Support.run(Support.harkenBinary, ["synth", "--stress", "--phrase", "hey jarvis", "--out", dir, "--positives", "24",
                                                          "--speakers-per-near-miss", "1", "--speech-hours", "0.02", "--json"])
        let synthFile = dir + "/synth.json"
        try synth.stdout.write(toFile: synthFile, atomically: true, encoding: .utf8)
        try Support.py("validate_json.py", ["--schema", "synth_report", synthFile])
        let text = try String(contentsOfFile: dir + "/manifest.jsonl", encoding: .utf8)
        let clips = try text.split(separator: "\n").map { try HarkenJSON.decoder().decode(ClipRecord.self, from: Data($0.utf8)) }
        XCTAssertTrue(clips.allSatisfy { $0.split == .test })
        let positives = clips.filter { $0.kind == .positive }
        XCTAssertEqual(positives.count, 24)
        for p in positives {
            let name = p.voice.split(separator: ":", maxSplits: 1)[1].split(separator: "@")[0]
            XCTAssertTrue(StressBenchmark.isHeldOut(Voice(engine: p.engine, name: String(name))), p.voice)
            XCTAssertLessThan(p.phraseEndS!, p.seconds)
            XCTAssertGreaterThan(p.phraseEndS!, p.phraseStartS!)
            if let snr = p.snrDb { XCTAssertTrue((0...25).contains(snr), "\(snr)") }
            if let rt60 = p.rt60S { XCTAssertTrue((0.29...1.01).contains(rt60), "\(rt60)") }
            XCTAssertTrue(StressBenchmark.rates.contains(p.rate) && StressBenchmark.pitches.contains(p.pitch))
        }
        XCTAssertEqual(Set(positives.compactMap(\.condition)), ["clean", "reverb", "noise", "reverb+noise"])
        XCTAssertEqual(Set(positives.map(\.engine)), Set(Voice.available().filter(StressBenchmark.isHeldOut).map(\.engine)))
        XCTAssertEqual(Set(clips.compactMap(\.nearMissKind)), ["neighbour", "partial"])
        XCTAssertGreaterThanOrEqual(clips.filter { $0.kind == .stream }.map(\.seconds).reduce(0, +), 0.02 * 3600 - 1)

        let out = dir + "/accuracy.json"
        try Support.run(Support.harkenBinary, ["bench-accuracy", "--stress", dir, "--int8", try Support.modelPath("hey_jarvis"), "--out", out])
        try Support.py("validate_json.py", ["--schema", "accuracy_benchmark", out])
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as! [String: Any]
        let r = (report["reports"] as! [[String: Any]])[0]
        XCTAssertEqual(r["positives"] as? Int, 24)
        XCTAssertEqual(r["near_misses"] as? Int, clips.filter { $0.kind == .nearMiss }.count)
        // microWakeWord's manifest: 5-output window, cutoff 0.97 shipped.
        XCTAssertEqual(r["detector_window"] as? Int, 5)
        let points = r["operating_points"] as! [[String: Any]]
        XCTAssertEqual(points.map { $0["name"] as! String }, ["0.1 FA/h", "0.5 FA/h", "1 FA/h", "shipped cutoff 0.97"])
        let shipped = points[3]
        let rows = shipped["breakdown"] as! [[String: Any]]
        // Every positive is counted once per breakdown key.
        let byCondition = rows.filter { $0["key"] as? String == "condition" }.map { ($0["estimate"] as! [String: Any])["of"] as! Double }
        XCTAssertEqual(byCondition.reduce(0, +), 24)
        let texts = Set((shipped["near_misses"] as! [[String: Any]]).map { $0["text"] as! String })
        XCTAssertEqual(texts, Set(clips.filter { $0.kind == .nearMiss }.map(\.text)))
    }
}
