import Foundation
import HarkenAudio
import HarkenPipeline
import HarkenServer
import HarkenStream
import HarkenSupport
import HarkenTestSupport
import XCTest

/// `harken serve`'s API held to its OpenAPI document: every registered route is documented and
/// every documented route registered; every documented status of every route is produced by a
/// real request (bad ones included: unknown fields, wrong types, a path out of the project, an
/// oversized upload, no token, garbage on both WebSockets) and every JSON reply validated against
/// the document by openapi_check.py. The figures come from the pipeline: the operating point
/// equals `harken eval --cutoff`, Listen's detections equal `harken simulate`'s, the ESPHome
/// download equals `harken export`'s files, and nothing is written outside the project.
final class StudioAPITests: XCTestCase {
    static let token = "studio-test-token"

    /// A small project: a synthesized corpus, microWakeWord's hey_jarvis as an imported model.
    static let project: Result<String, Error> = Result {
        let root = try Support.tempDir("studio-api").appendingPathComponent("project").path
        try Support.run(Support.harkenBinary, ["synth", "--phrase", "hey jarvis", "--out", root + "/corpus", "--speakers", "12", "--variations", "2",
                                               "--near-misses", "1", "--negatives", "1", "--test-minutes", "1", "--validation-minutes", "1",
                                               "--train-minutes", "1", "--seed", "5"])
        try FileManager.default.createDirectory(atPath: root + "/models", withIntermediateDirectories: true)
        let mww = try Support.modelPath("hey_jarvis")
        try FileManager.default.copyItem(atPath: mww, toPath: root + "/models/hey_jarvis.tflite")
        try FileManager.default.copyItem(atPath: (mww as NSString).deletingPathExtension + ".json", toPath: root + "/models/hey_jarvis.json")
        try Data(#"{"schema_version": 1, "phrase": "hey jarvis", "preset": "tiny"}"#.utf8).write(to: URL(fileURLWithPath: root + "/studio.json"))
        return root
    }

    func testEveryRouteAndStatusAgainstTheOpenAPIDocument() throws {
        let root = try Self.project.get()
        let work = try Support.tempDir("studio-api-work")
        let server = try StudioRunning(project: root, token: Self.token, maxUploadBytes: 1 << 20)
        let log = Exchanges(file: work.appendingPathComponent("exchanges.jsonl").path)
        let port = server.port
        let auth = [("Authorization", "Bearer \(Self.token)")]
        let jsonType = [("Content-Type", "application/json")]
        func call(_ method: String, _ path: String, _ body: String? = nil, raw: [UInt8]? = nil, headers: [(String, String)]? = nil,
                            expect: Int, file: StaticString = #filePath, line: UInt = #line) throws -> HTTPReply {
            let c = try HTTPConnection(host: "127.0.0.1", port: port, timeout: 5)
            let h = headers ?? (auth + (body != nil ? jsonType : []))
            let reply = try c.request(method, path, headers: h, body: raw ?? Array((body ?? "").utf8), timeout: 120)
            XCTAssertEqual(reply.status, expect, "\(method) \(path): \(reply.text.prefix(400))", file: file, line: line)
            log.add(method: method, path: path, reply: reply)
            return reply
        }
        func object(_ r: HTTPReply) throws -> [String: Any] { try JSONSerialization.jsonObject(with: Data(r.body)) as! [String: Any] }
        func waitJob(_ id: String, until states: Set<String>) throws -> [String: Any] {
            for _ in 0..<1200 {
                let j = try object(try call("GET", "/api/v1/jobs/\(id)", expect: 200))
                if states.contains(j["state"] as! String) { return j }
                Thread.sleep(forTimeInterval: 0.25)
            }
            throw NSError(domain: "studio-test", code: 1, userInfo: [NSLocalizedDescriptionKey: "job \(id) never reached \(states)"])
        }

        // Jobs: an evaluation of the imported model on the train split (to mine), a one-epoch run.
        let eval = try object(try call("POST", "/api/v1/jobs", #"{"kind": "evaluate", "options": {"model": "hey_jarvis", "split": "train"}}"#, expect: 202))
        let train = try object(try call("POST", "/api/v1/jobs", #"{"kind": "train", "options": {"name": "api-run", "epochs": 1}}"#, expect: 202))
        // The same job again (a second tab) is the running one, not another.
        let again = try object(try call("POST", "/api/v1/jobs", #"{"kind": "train", "options": {"name": "api-run", "epochs": 1}}"#, expect: 200))
        XCTAssertEqual(again["id"] as? String, train["id"] as? String)
        let evalID = eval["id"] as! String, trainID = train["id"] as! String
        let evaluation = (eval["output"] as! String).replacingOccurrences(of: "evaluations/", with: "")
        let evalDone = try waitJob(evalID, until: ["done", "failed"])
        XCTAssertEqual(evalDone["state"] as? String, "done", "\(evalDone)")
        let trainDone = try waitJob(trainID, until: ["done", "failed"])
        XCTAssertEqual(trainDone["state"] as? String, "done", "\(trainDone)")

        // A long run, cancelled, resumed (202), resumed again while that runs (200: the same job), cancelled.
        let long = try object(try call("POST", "/api/v1/jobs", #"{"kind": "train", "options": {"name": "long-run", "epochs": 200}}"#, expect: 202))
        let longID = long["id"] as! String
        _ = try waitJob(longID, until: ["running"])
        _ = try call("POST", "/api/v1/jobs/\(longID)/cancel", expect: 200)
        _ = try waitJob(longID, until: ["cancelled"])
        let resumed = try object(try call("POST", "/api/v1/jobs/\(longID)/resume", expect: 202))
        let resumedID = resumed["id"] as! String
        do {
            let same = try object(try call("POST", "/api/v1/jobs/\(longID)/resume", expect: 200))
            XCTAssertEqual(same["id"] as? String, resumedID)
            _ = try call("POST", "/api/v1/jobs/\(resumedID)/cancel", expect: 200)
        }
        _ = try waitJob(resumedID, until: ["cancelled", "failed", "done"])

        let models = try object(try call("GET", "/api/v1/models", expect: 200))["models"] as! [[String: Any]]
        XCTAssertEqual(Set(models.map { $0["name"] as! String }), ["api-run", "hey_jarvis"])

        // The operating point at three cutoffs: what `harken eval --cutoff` prints.
        for cutoff in [0.3, 0.6, 0.9] {
            let point = try object(try call("GET", "/api/v1/evaluations/\(evaluation)?cutoff=\(cutoff)", expect: 200))
            let cli = try JSONSerialization.jsonObject(with: Data(try Support.run(Support.harkenBinary, [
                "eval", "--model", root + "/models/hey_jarvis.tflite", "--data", root + "/corpus", "--split", "train", "--cutoff", "\(cutoff)", "--json",
            ]).stdout.utf8)) as! [String: Any]
            XCTAssertEqual((point["frr"] as! [String: Any])["value"] as! Double, cli["false_reject_rate"] as! Double, accuracy: 1e-12)
            XCTAssertEqual((point["fa_per_hour"] as! [String: Any])["value"] as! Double, cli["false_accepts_per_hour"] as! Double, accuracy: 1e-9)
            XCTAssertEqual((point["near_miss"] as! [String: Any])["value"] as! Double, cli["near_miss_accept_rate"] as! Double, accuracy: 1e-12)
            XCTAssertEqual((point["false_accepts"] as! [Any]).count, (cli["false_accepts"] as! [Any]).count)
            XCTAssertEqual((point["false_rejects"] as! [Any]).count, (cli["missed"] as! [Any]).count)
        }

        // Listen: a positive test clip between silences, as a file and (below) over the socket:
        // the detections `harken simulate` gives for the same audio.
        let wav = work.appendingPathComponent("phrase.wav").path
        let clipPath = try String(contentsOfFile: root + "/corpus/manifest.jsonl", encoding: .utf8).split(separator: "\n")
            .compactMap { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["kind"] as? String == "positive" }.map { root + "/corpus/" + ($0["path"] as! String) }
        var expected: [Double] = []
        for clip in clipPath {
            let audio = try Audio.read(clip)
            let padded = Audio(samples: [Int16](repeating: 0, count: 16000) + audio.samples + [Int16](repeating: 0, count: 32000))
            let sim = try Pipeline.simulate(model: root + "/models/hey_jarvis.tflite", audio: padded, keepTrace: false)
            if !sim.detections.isEmpty {
                try padded.writeWAV(to: wav)
                expected = sim.detections.map(\.timeS)
                break
            }
        }
        XCTAssertFalse(expected.isEmpty, "microWakeWord's model detects none of the corpus's positives")
        let listened = try object(try call("POST", "/api/v1/listen?model=hey_jarvis", raw: Array(try Data(contentsOf: URL(fileURLWithPath: wav))),
                                                                headers: auth + [("Content-Type", "audio/wav")], expect: 200))
        XCTAssertEqual((listened["detections"] as! [[String: Any]]).map { $0["time_s"] as! Double }, expected)

        // Findings into the corpus: one near miss the model accepts, added as a negative, with its provenance.
        let findings = try object(try call("GET", "/api/v1/findings?evaluation=\(evaluation)", expect: 200))
        let items = findings["items"] as! [[String: Any]]
        XCTAssertFalse(items.isEmpty, "no findings at the model's cutoff on the train split")
        let before = try String(contentsOfFile: root + "/corpus/manifest.jsonl", encoding: .utf8).split(separator: "\n").count
        if let first = items.first {
            let id = first["id"] as! String
            let added = try object(try call("POST", "/api/v1/findings/add", #"{"evaluation": "\#(evaluation)", "items": [{"id": "\#(id)", "as": "negative"}]}"#, expect: 200))
            XCTAssertEqual(added["added"] as? Int, 1)
            let lines = try String(contentsOfFile: root + "/corpus/manifest.jsonl", encoding: .utf8).split(separator: "\n")
            XCTAssertEqual(lines.count, before + 1)
            XCTAssertTrue(lines.last!.contains("\"engine\":\"mined\"") && lines.last!.contains("\"mined_from\""), String(lines.last!))
            // Added once: a second time adds nothing.
            let twice = try object(try call("POST", "/api/v1/findings/add", #"{"evaluation": "\#(evaluation)", "items": [{"id": "\#(id)", "as": "negative"}]}"#, expect: 200))
            XCTAssertEqual(twice["added"] as? Int, 0)
        }

        // Test-split findings never join training.
        let testEval = try object(try call("POST", "/api/v1/jobs", #"{"kind": "evaluate", "options": {"model": "hey_jarvis", "split": "test"}}"#, expect: 202))
        XCTAssertEqual(try waitJob(testEval["id"] as! String, until: ["done", "failed"])["state"] as? String, "done")
        let testEvaluation = (testEval["output"] as! String).replacingOccurrences(of: "evaluations/", with: "")
        let testFindings = try object(try call("GET", "/api/v1/findings?evaluation=\(testEvaluation)", expect: 200))["items"] as! [[String: Any]]
        XCTAssertFalse(testFindings.isEmpty)
        let refused = try call("POST", "/api/v1/findings/add", #"{"evaluation": "\#(testEvaluation)", "items": [{"id": "\#(testFindings[0]["id"] as! String)", "as": "negative"}]}"#, expect: 409)
        XCTAssertTrue(refused.text.contains("test split"), refused.text)

        // The ESPHome download is `harken export`'s folder.
        let zip = try call("GET", "/api/v1/models/api-run/download/esphome", expect: 200)
        let unzipped = work.appendingPathComponent("unzipped").path
        try Data(zip.body).write(to: work.appendingPathComponent("esphome.zip"))
        try Support.run("/usr/bin/env", ["python3", "-m", "zipfile", "-e", work.appendingPathComponent("esphome.zip").path, unzipped])
        let exported = work.appendingPathComponent("exported").path
        try Support.run(Support.harkenBinary, ["export", "--model", root + "/runs/api-run", "--format", "esphome", "--out", exported])
        let files = try FileManager.default.contentsOfDirectory(atPath: exported).sorted()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: unzipped + "/api-run-esphome").sorted(), files)
        for f in files {
            XCTAssertEqual(FileManager.default.contents(atPath: unzipped + "/api-run-esphome/" + f), FileManager.default.contents(atPath: exported + "/" + f), f)
        }

        // Every other route and documented status.
        let page = try object(try call("GET", "/api/v1/corpus/clips?split=train&kind=positive&limit=5", expect: 200))
        let clip = (page["clips"] as! [[String: Any]])[0]["path"] as! String
        let outside = work.appendingPathComponent("outside").path
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root + "/corpus/escape", withDestinationPath: outside)
        try FileManager.default.copyItem(atPath: wav, toPath: outside + "/secret.wav")
        let noise = Array(try Data(contentsOf: URL(fileURLWithPath: wav)))
        do {
            _ = try call("GET", "/api/openapi.yaml", expect: 200)
            _ = try call("GET", "/api/v1/project", expect: 200)
            _ = try call("PUT", "/api/v1/project", #"{"phrase": "hey jarvis", "preset": "tiny"}"#, expect: 200)
            _ = try call("PUT", "/api/v1/project", #"{"phrase": "hey jarvis", "preset": "tiny", "color": "red"}"#, expect: 400)
            _ = try call("PUT", "/api/v1/project", "phrase=hey", headers: auth + [("Content-Type", "text/plain")], expect: 415)
            _ = try call("PUT", "/api/v1/project", #"{"phrase": "hey jarvis", "preset": "enormous"}"#, expect: 422)
            _ = try call("GET", "/api/v1/corpus", expect: 200)
            _ = try call("GET", "/api/v1/corpus/clips?limit=ten", expect: 400)
            _ = try call("GET", "/api/v1/corpus/clips?split=someday", expect: 422)
            _ = try call("GET", "/api/v1/audio?path=\(clip)&from_s=0.1&to_s=0.5", expect: 200)
            _ = try call("GET", "/api/v1/audio?path=../outside/secret.wav", expect: 400)
            _ = try call("GET", "/api/v1/audio?path=corpus/escape/secret.wav", expect: 400)
            _ = try call("GET", "/api/v1/audio?path=corpus/clips/none.wav", expect: 404)
            _ = try call("GET", "/api/v1/audio?path=\(clip)&from_s=0.5&to_s=0.1", expect: 422)
            _ = try call("GET", "/api/v1/uploads", expect: 200)
            _ = try call("POST", "/api/v1/uploads/noise?name=hum.wav", raw: noise, headers: auth + [("Content-Type", "audio/wav")], expect: 201)
            _ = try call("POST", "/api/v1/uploads/noise?name=../../evil.wav", raw: noise, headers: auth + [("Content-Type", "audio/wav")], expect: 400)
            _ = try call("POST", "/api/v1/uploads/music?name=a.wav", raw: noise, headers: auth + [("Content-Type", "audio/wav")], expect: 404)
            _ = try call("POST", "/api/v1/uploads/noise?name=big.wav", raw: [UInt8](repeating: 1, count: (1 << 20) + 10),
                         headers: auth + [("Content-Type", "audio/wav")], expect: 413)
            _ = try call("POST", "/api/v1/uploads/noise?name=text.wav", raw: Array("not audio at all".utf8), headers: auth + [("Content-Type", "audio/wav")], expect: 415)
            _ = try call("POST", "/api/v1/uploads/recordings?name=quiet.wav", raw: Self.silentWAV(), headers: auth + [("Content-Type", "audio/wav")], expect: 422)
            _ = try call("GET", "/api/v1/config", expect: 200)
            _ = try call("PUT", "/api/v1/config", #"{"values": {"dropout": 0.2}}"#, expect: 200)
            _ = try call("PUT", "/api/v1/config", #"{"values": {"dropoff": 0.2}}"#, expect: 400)
            _ = try call("PUT", "/api/v1/config", #"{"values": {"dropout": 0.2}}"#, headers: auth, expect: 415)
            _ = try call("PUT", "/api/v1/config", #"{"values": {"dropout": 5}}"#, expect: 422)
            _ = try call("GET", "/api/v1/jobs", expect: 200)
            _ = try call("POST", "/api/v1/jobs", #"{"kind": "train", "options": {"epochs": "many"}}"#, expect: 400)
            _ = try call("POST", "/api/v1/jobs", #"{"kind": "train", "options": {"name": "api-run"}}"#, expect: 409)
            _ = try call("POST", "/api/v1/jobs", #"{"kind": "train"}"#, headers: auth + [("Content-Type", "text/plain")], expect: 415)
            _ = try call("POST", "/api/v1/jobs", #"{"kind": "juggle"}"#, expect: 422)
            _ = try call("GET", "/api/v1/jobs/\(trainID)", expect: 200)
            _ = try call("GET", "/api/v1/jobs/nope", expect: 404)
            _ = try call("GET", "/api/v1/jobs/\(trainID)/log", expect: 200)
            _ = try call("GET", "/api/v1/jobs/nope/log", expect: 404)
            _ = try call("POST", "/api/v1/jobs/nope/cancel", expect: 404)
            _ = try call("POST", "/api/v1/jobs/\(trainID)/cancel", expect: 409)
            _ = try call("POST", "/api/v1/jobs/nope/resume", expect: 404)
            _ = try call("POST", "/api/v1/jobs/\(trainID)/resume", expect: 409)
            _ = try call("GET", "/api/v1/runs?sort=test_frr&order=desc", expect: 200)
            _ = try call("GET", "/api/v1/runs?offset=first", expect: 400)
            _ = try call("GET", "/api/v1/runs?sort=colour", expect: 422)
            _ = try call("GET", "/api/v1/runs/api-run/metrics", expect: 200)
            _ = try call("GET", "/api/v1/runs/nope/metrics", expect: 404)
            _ = try call("PUT", "/api/v1/runs/api-run/notes", #"{"notes": "first try", "tags": ["tiny"]}"#, expect: 200)
            _ = try call("PUT", "/api/v1/runs/api-run/notes", #"{"notes": 3, "tags": []}"#, expect: 400)
            _ = try call("PUT", "/api/v1/runs/nope/notes", #"{"notes": "", "tags": []}"#, expect: 404)
            _ = try call("PUT", "/api/v1/runs/api-run/notes", "notes", headers: auth + [("Content-Type", "text/plain")], expect: 415)
            _ = try call("PUT", "/api/v1/runs/api-run/notes", #"{"notes": "", "tags": [""]}"#, expect: 422)
            _ = try call("GET", "/api/v1/evaluations", expect: 200)
            _ = try call("GET", "/api/v1/evaluations/\(evaluation)?window=3&refractory_ms=500", expect: 200)
            _ = try call("GET", "/api/v1/evaluations/\(evaluation)?cutoff=high", expect: 400)
            _ = try call("GET", "/api/v1/evaluations/nope", expect: 404)
            _ = try call("GET", "/api/v1/evaluations/\(evaluation)?cutoff=1.5", expect: 422)
            _ = try call("GET", "/api/v1/evaluations/\(evaluation)/trace?clip=\(clip)&from_s=0&to_s=1", expect: 200)
            _ = try call("GET", "/api/v1/evaluations/\(evaluation)/trace", expect: 400)
            _ = try call("GET", "/api/v1/evaluations/\(evaluation)/trace?clip=corpus/clips/none.wav", expect: 404)
            _ = try call("GET", "/api/v1/evaluations/\(evaluation)/trace?clip=\(clip)&from_s=2&to_s=1", expect: 422)
            _ = try call("POST", "/api/v1/evaluations/\(evaluation)/operating-point", #"{"cutoff": 0.9, "window": 5}"#, expect: 200)
            _ = try call("POST", "/api/v1/evaluations/\(evaluation)/operating-point", #"{"cutoff": 0.9, "window": 5, "why": 1}"#, expect: 400)
            _ = try call("POST", "/api/v1/evaluations/nope/operating-point", #"{"cutoff": 0.9, "window": 5}"#, expect: 404)
            _ = try call("POST", "/api/v1/evaluations/\(evaluation)/operating-point", "c=1", headers: auth + [("Content-Type", "text/plain")], expect: 415)
            _ = try call("POST", "/api/v1/evaluations/\(evaluation)/operating-point", #"{"cutoff": 1.5, "window": 5}"#, expect: 422)
            _ = try call("GET", "/api/v1/findings", expect: 400)
            _ = try call("GET", "/api/v1/findings?evaluation=nope", expect: 404)
            _ = try call("POST", "/api/v1/findings/add", #"{"evaluation": "\#(evaluation)", "items": [], "x": 1}"#, expect: 400)
            _ = try call("POST", "/api/v1/findings/add", #"{"evaluation": "nope", "items": [{"id": "a", "as": "negative"}]}"#, expect: 404)
            _ = try call("POST", "/api/v1/findings/add", "[]", headers: auth + [("Content-Type", "text/plain")], expect: 415)
            _ = try call("POST", "/api/v1/findings/add", #"{"evaluation": "\#(evaluation)", "items": [{"id": "no-such", "as": "negative"}]}"#, expect: 422)
            _ = try call("GET", "/api/v1/targets", expect: 200)
            _ = try call("GET", "/api/v1/models/hey_jarvis/cost?target=stm32f4", expect: 200)
            _ = try call("GET", "/api/v1/models/hey_jarvis/cost", expect: 400)
            _ = try call("GET", "/api/v1/models/nope/cost?target=stm32f4", expect: 404)
            _ = try call("GET", "/api/v1/models/hey_jarvis/cost?target=toaster", expect: 422)
            _ = try call("GET", "/api/v1/models/hey_jarvis/download/firmware", expect: 400)
            _ = try call("GET", "/api/v1/models/hey_jarvis/download/floppy", expect: 404)
            _ = try call("GET", "/api/v1/models/hey_jarvis/download/esphome", expect: 422)
            _ = try call("GET", "/api/v1/serial-ports", expect: 200)
            _ = try call("POST", "/api/v1/listen", raw: noise, headers: auth + [("Content-Type", "audio/wav")], expect: 400)
            _ = try call("POST", "/api/v1/listen?model=nope", raw: noise, headers: auth + [("Content-Type", "audio/wav")], expect: 404)
            _ = try call("POST", "/api/v1/listen?model=hey_jarvis", raw: [UInt8](repeating: 0, count: (1 << 20) + 1),
                         headers: auth + [("Content-Type", "audio/wav")], expect: 413)
            _ = try call("POST", "/api/v1/listen?model=hey_jarvis", raw: Array("RIFF but not really".utf8), headers: auth + [("Content-Type", "audio/wav")], expect: 415)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: (root as NSString).deletingLastPathComponent + "/evil.wav"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outside), ["secret.wav"])

        // Without the token, every route is refused (a WebSocket too: in studio_ws.py).
        for (method, template) in server.server.routes {
            let path = template.replacingOccurrences(of: "{id}", with: evalID).replacingOccurrences(of: "{name}", with: "api-run")
                .replacingOccurrences(of: "{kind}", with: "noise").replacingOccurrences(of: "{model}", with: "hey_jarvis")
                .replacingOccurrences(of: "{format}", with: "tflite")
            if path.hasSuffix("/live") || (path == "/api/v1/listen" && method == "GET") { continue }
            _ = try call(method, path, "{}", headers: jsonType, expect: 401)
            _ = try call(method, path, "{}", headers: jsonType + [("Authorization", "Bearer wrong")], expect: 401)
        }

        // The saved operating point is in the manifest the device pipeline reads; Listen uses it.
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root + "/models/hey_jarvis.json"))) as! [String: Any]
        XCTAssertEqual((manifest["micro"] as! [String: Any])["probability_cutoff"] as? Double, 0.9)
        let paddedPhrase = try Audio.read(wav)
        expected = try Pipeline.simulate(model: root + "/models/hey_jarvis.tflite", audio: paddedPhrase, keepTrace: false).detections.map(\.timeS)

        // The WebSockets, from outside, with garbage.
        let ws = try Support.py("studio_ws.py", ["http://127.0.0.1:\(port)", Self.token, trainID, "hey_jarvis", wav, log.file]).stdout
        let summary = try JSONSerialization.jsonObject(with: Data(ws.utf8)) as! [String: Any]
        XCTAssertEqual(summary["listen_detections"] as? [Double], expected, ws)
        XCTAssertEqual(summary["listen_ready"] as? String, "ready")
        XCTAssertEqual(summary["samples_after_reset"] as? Int, 320)
        XCTAssertEqual((summary["listen_errors"] as? [String])?.filter { !$0.isEmpty }.count, 3, ws)
        XCTAssertTrue((summary["live_types"] as? [String] ?? []).contains("epoch"), ws)
        XCTAssertTrue((summary["live_types"] as? [String] ?? []).contains("state"), ws)
        XCTAssertEqual((summary["live_errors"] as? [String])?.count, 1, ws)
        XCTAssertEqual(summary["live_bad_token"] as? Int, 4401)
        XCTAssertEqual(summary["live_unknown_job"] as? Int, 4404)
        XCTAssertEqual(summary["listen_no_model"] as? Int, 4400)
        XCTAssertEqual(summary["listen_unknown_model"] as? Int, 4404)
        XCTAssertEqual(summary["listen_no_token"] as? Int, 4401)

        // Still serving after all of it.
        _ = try call("GET", "/api/v1/project", expect: 200)
        let routes = work.appendingPathComponent("routes.json").path
        try JSONSerialization.data(withJSONObject: server.server.routes.map { ["method": $0.method, "path": $0.path] }).write(to: URL(fileURLWithPath: routes))
        try server.stop()

        // Every JSON file the server and its jobs wrote into the project has its schema.
        let walk = try Support.run(Support.python, [Support.oracle("validate_json.py"), "--walk", root], check: false)
        XCTAssertEqual(walk.status, 0, walk.stdout + walk.stderr)

        let doc = Support.repo.appendingPathComponent("Sources/HarkenServer/Studio/openapi.yaml").path
        for args in [["validate-doc", doc], ["routes", doc, routes], ["exchanges", "--require-all", doc, log.file]] {
            let r = try Support.run(Support.python, [Support.oracle("openapi_check.py")] + args, check: false)
            XCTAssertEqual(r.status, 0, "openapi_check.py \(args[0]): \(r.stdout)\(r.stderr)")
        }
    }

    /// A second of digital silence: no speech to keep.
    static func silentWAV() throws -> [UInt8] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("harken-silence-\(UUID().uuidString).wav").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        try Audio(samples: [Int16](repeating: 0, count: 16000)).writeWAV(to: file)
        return Array(try Data(contentsOf: URL(fileURLWithPath: file)))
    }
}

/// Requests and replies in openapi_check.py's form.
final class Exchanges: @unchecked Sendable {
    let file: String
    private let lock = NSLock()
    init(file: String) { self.file = file; FileManager.default.createFile(atPath: file, contents: nil) }

    func add(method: String, path: String, reply: HTTPReply) {
        let type = reply.headers.first { $0.key.lowercased() == "content-type" }?.value
        let body: Any = type?.hasPrefix("application/json") == true ? ((try? JSONSerialization.jsonObject(with: Data(reply.body))) ?? NSNull()) : NSNull()
        let line: [String: Any] = ["method": method, "path": path, "status": reply.status, "content_type": type ?? NSNull(), "body": body]
        guard let data = try? JSONSerialization.data(withJSONObject: line) else { return }
        lock.withLock {
            let h = FileHandle(forWritingAtPath: file)!
            h.seekToEndOfFile()
            h.write(data + Data("\n".utf8))
            try? h.close()
        }
    }
}

/// `harken serve` in process on an ephemeral port; its jobs run the built harken binary.
final class StudioRunning: @unchecked Sendable {
    let port: Int
    let server: StudioServer
    private let task: Task<Void, any Error>

    init(project: String, token: String?, maxUploadBytes: Int) throws {
        let server = try StudioServer(config: StudioServerConfig(project: project, port: 0, token: token, maxUploadBytes: maxUploadBytes),
                                      executable: Support.harkenBinary)
        self.server = server
        let started = DispatchSemaphore(value: 0)
        let bound = Bound()
        task = Task {
            defer { started.signal() }
            try await server.run { _, port in bound.port = port; started.signal() }
        }
        started.wait()
        guard bound.port > 0 else { throw StudioError.conflict("the server did not start") }
        port = bound.port
    }

    private final class Bound: @unchecked Sendable { var port = 0 }

    func stop() throws {
        let done = DispatchSemaphore(value: 0)
        let server = self.server, task = self.task
        Task {
            await server.shutdown()
            _ = try? await task.value
            done.signal()
        }
        done.wait()
    }
}
