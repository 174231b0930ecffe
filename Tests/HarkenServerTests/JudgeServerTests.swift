import Foundation
import HarkenPipeline
import HarkenServer
import HarkenStream
import HarkenSupport
import HarkenTestSupport
import XCTest

/// `harken judge serve` in process on an ephemeral port, reached over real sockets by RemoteJudge and
/// HTTPConnection: verdicts equal the Judge's scores for binary and JSON bodies, batching across 200
/// clients, 10,000 fuzzed bodies each answered with a 4xx naming the problem, tokens, refusing a
/// public address without one, and the command itself.
final class JudgeServerTests: XCTestCase {
    static let frames = 180, channels = 40

    func testBinaryAndJSONBodiesGetTheJudgesScore() async throws {
        let server = try await Running(stub(cutoff: 0.5))
                let dir = try Support.tempDir("judge-api")
        let replies = try await blocking { () -> [(String, HTTPReply)] in
            let c = try HTTPConnection(host: "127.0.0.1", port: server.port, timeout: 2)
            var rng = SplitMix64(seed: 3)
            var out: [(String, HTTPReply)] = []
            for _ in 0..<20 {
                let w = window(&rng)
                let expected = StubJudge.score(w)
                let binary = try c.request("POST", "/v1/judge", headers: [("Content-Type", "application/octet-stream")], body: bytes(w), timeout: 2)
                let flat = try c.request("POST", "/v1/judge", headers: [("Content-Type", "application/json")],
                                         body: Array("{\"features\": [\(w.map(String.init).joined(separator: ","))]}".utf8), timeout: 2)
                let nested = (0..<Self.frames).map { f in "[" + w[(f * Self.channels)..<((f + 1) * Self.channels)].map(String.init).joined(separator: ", ") + "]" }
                let perFrame = try c.request("POST", "/v1/judge", headers: [("Content-Type", "application/json; charset=utf-8")],
                                             body: Array("{\"id\": \"x\", \"features\": [\n\(nested.joined(separator: ",\n"))\n]}".utf8), timeout: 2)
                for r in [binary, flat, perFrame] {
                    XCTAssertEqual(r.status, 200, r.text)
                    let v = try HarkenJSON.decoder().decode(JudgeVerdict.self, from: Data(r.body))
                    XCTAssertEqual(v.score, expected, accuracy: 1e-12)
                    XCTAssertEqual(v.accept, expected > 0.5)
                    XCTAssertEqual(v.cutoff, 0.5)
                    XCTAssertEqual([v.windowFrames, v.channels], [Self.frames, Self.channels])
                }
                out.append(("judge_verdict", binary))
            }
            out.append(("judge_info", try c.request("GET", "/v1/judge", timeout: 2)))
            out.append(("judge_health", try c.request("GET", "/healthz", timeout: 2)))
            out.append(("judge_error", try c.request("POST", "/v1/judge", headers: [("Content-Type", "application/octet-stream")], body: [1, 2, 3], timeout: 2)))
            return out
        }
        try await server.stop()
        let info = try HarkenJSON.decoder().decode(JudgeInfo.self, from: Data(replies[replies.count - 3].1.body))
        XCTAssertEqual(info.windowBytes, 7200)
        XCTAssertEqual(info.inputQuantization.zeroPoint, -128)
        XCTAssertTrue(replies.last!.1.text.contains("got") == false && replies.last!.1.text.contains("3 bytes, expected 7200"), replies.last!.1.text)
        for (i, (schema, reply)) in replies.suffix(4).enumerated() {
            try assertValid(reply.body, schema: schema, in: dir, name: "\(i)")
        }
    }

    /// The real path: an untrained int8 probe Judge from its .tflite, the cutoff from the manifest
    /// beside it, and RemoteJudge's scores equal to the local Judge's.
    func testProbeJudgeThroughRemoteJudge() async throws {
        let dir = try Support.tempDir("judge-probe")
        let model = dir.appendingPathComponent("judge.tflite").path
        _ = try Pipeline.writeJudgeProbe(out: model, seed: 5)
        XCTAssertEqual(try Pipeline.judgeService(model: model).cutoffSource, "default")
        // The Sentry's manifest in the same folder names this Judge; one beside the Judge itself wins.
        try Data(#"{"wake_word": "x", "judge": {"model": "judge.tflite", "cutoff": 0.625}}"#.utf8).write(to: dir.appendingPathComponent("sentry.json"))
        try Data(#"{"judge": {"model": "other.tflite", "cutoff": 0.9}}"#.utf8).write(to: dir.appendingPathComponent("other.json"))
        try Data("not json".utf8).write(to: dir.appendingPathComponent("notes.json"))
        XCTAssertEqual(try Pipeline.judgeService(model: model).cutoff, 0.625)
        try Data(#"{"judge": {"cutoff": 0.75}}"#.utf8).write(to: dir.appendingPathComponent("judge.json"))
        XCTAssertEqual(try Pipeline.judgeService(model: model).cutoff, 0.75)
        try Data(#"{"judge": {"cutoff": 7}}"#.utf8).write(to: dir.appendingPathComponent("judge.json"))
        XCTAssertThrowsError(try Pipeline.judgeService(model: model)) { XCTAssertTrue("\($0)".contains("judge.json: judge.cutoff is 7.0")) }
        try FileManager.default.removeItem(at: dir.appendingPathComponent("judge.json"))
        let service = try Pipeline.judgeService(model: model)
        XCTAssertEqual(try Pipeline.judgeService(model: model, cutoff: 0.25).cutoff, 0.25)
        var rng = SplitMix64(seed: 9)
        let windows = (0..<6).map { _ in window(&rng) }
        let local = try service.judge.scores(windows)
        let server = try await Running(service)
                let remote = try await blocking { () -> [Double] in
            let r = try RemoteJudge.connect(url: "http://127.0.0.1:\(server.port)", timeout: 5)
            XCTAssertEqual([r.windowFrames, r.channels], [Self.frames, Self.channels])
            return try r.scores(windows)
        }
        try await server.stop()
        XCTAssertEqual(remote, local)
    }

    /// 200 clients at once for a few seconds: every verdict right, no error, and windows batched.
    func testConcurrentClientsAreBatched() async throws {
        let judge = StubJudge(delay: 0.002)
        let server = try await Running(JudgeService(judge: judge, model: "stub", cutoff: 0.5), maxBatch: 64)
                let remote = RemoteJudge(host: "127.0.0.1", port: server.port, windowFrames: Self.frames, channels: Self.channels, timeout: 10)
        let seconds = 4.0
        let results = try await blocking {
            try onThreads(200) { client -> (requests: Int, errors: [String], largest: Int) in
                var rng = SplitMix64(seed: UInt64(client))
                var n = 0, errors: [String] = [], largest = 0
                let end = Date().addingTimeInterval(seconds)
                while Date() < end {
                    let w = window(&rng)
                    do {
                        let v = try remote.verdict(w)
                        if abs(v.score - StubJudge.score(w)) > 1e-12 { errors.append("client \(client): score \(v.score), expected \(StubJudge.score(w))") }
                        largest = max(largest, v.batchSize)
                        n += 1
                    } catch { errors.append("client \(client): \(error)") }
                }
                return (n, errors, largest)
            }
        }
        try await server.stop()
        let errors = results.flatMap(\.errors)
        XCTAssertEqual(errors.count, 0, errors.prefix(5).joined(separator: "\n"))
        XCTAssertTrue(results.allSatisfy { $0.requests > 0 }, "a client got no answer")
        XCTAssertGreaterThan(results.map(\.largest).max() ?? 0, 1, "no batch of more than one window")
        XCTAssertLessThanOrEqual(judge.largestCall, 64)
        print("judge server: \(results.map(\.requests).reduce(0, +)) requests from 200 clients in \(seconds) s, largest batch \(judge.largestCall)")
    }

    /// 10,000 bodies that are wrong in one way or another: each answered with a 4xx JSON error whose
    /// code and message name the problem; right windows between them keep their right verdicts.
    func testFuzzedBodiesAreAnsweredWith4xx() async throws {
        let token = "s3cret-token"
        let limit = 64 * 1024
        let server = try await Running(stub(cutoff: 0.5), token: token, maxBodyBytes: limit)
                let size = Self.frames * Self.channels
        let failures = try await blocking { () -> [String] in
            var rng = SplitMix64(seed: 20_261_206)
            var c = try HTTPConnection(host: "127.0.0.1", port: server.port, timeout: 2)
            var failures: [String] = []
            let auth = ("Authorization", "Bearer \(token)")
            // A few windows and their JSON, made once: building 7200 values per body would be most of the test's time.
            let pool = (0..<16).map { _ in window(&rng) }
            let texts = pool.map { $0.map(String.init) }
            let jsons = texts.map { Array("{\"features\": [\($0.joined(separator: ","))]}".utf8) }
            for i in 0..<10_000 {
                let pick = rng.below(pool.count)
                let w = pool[pick], json = jsons[pick]
                var headers = [("Content-Type", "application/json"), auth]
                var body: [UInt8]
                var method = "POST", path = "/v1/judge"
                var expected = 400, mentions = ""
                switch i % 12 {
                case 0:  // A binary body of the wrong length.
                    var n = rng.below(2 * size); if n == size { n += 1 }
                    body = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                    headers[0].1 = "application/octet-stream"; mentions = "\(n) bytes, expected \(size)"
                case 1:  // JSON cut short.
                    body = Array(json.prefix(rng.below(json.count)))
                    mentions = body.isEmpty ? "empty" : "byte"
                case 2:  // A wrong content type.
                    body = bytes(w)
                    let types = ["text/plain", "application/xml", "multipart/form-data; boundary=x", "", "application/jsonx", "image/png"]
                    let t = types[rng.below(types.count)]
                    if t.isEmpty { headers.remove(at: 0) } else { headers[0].1 = t }
                    expected = 415; mentions = "Content-Type"
                case 3:  // One element replaced by something that is not an int8.
                    let bad = ["NaN", "Infinity", "-Infinity", "1.5", "-0.25", "1e2", "\"12\"", "true", "null", "128", "-129", "99999999999999999999", "[1]", "{}", "0x10", "01"]
                    let b = bad[rng.below(bad.count)]
                    var values = texts[pick]
                    let k = rng.below(values.count)
                    values[k] = b
                    body = Array("{\"features\": [\(values.joined(separator: ","))]}".utf8)
                    mentions = ["0x10", "01", "NaN", "Infinity", "-Infinity"].contains(b) ? "byte" : "features[\(k)]"
                case 4:  // The wrong number of values, flat or per frame.
                    let n = [0, 1, size - 1, size + 1, 2 * size][rng.below(5)]
                    let values = (0..<n).map { _ in String(rng.below(256) - 128) }
                    body = Array("{\"features\": [\(values.joined(separator: ","))]}".utf8)
                    mentions = "\(n) values, expected \(size)"
                    if rng.below(2) == 0 {
                        let frames = (0..<(Self.frames + (rng.below(2) == 0 ? -1 : 1))).map { _ in "[" + Array(repeating: "0", count: Self.channels).joined(separator: ",") + "]" }
                        body = Array("{\"features\": [\(frames.joined(separator: ","))]}".utf8)
                        mentions = "frames, expected \(Self.frames)"
                    }
                case 5:  // Bodies over the limit.
                    let n = limit + 1 + rng.below(rng.below(20) == 0 ? 2_000_000 : 100_000)
                    body = [UInt8](repeating: UInt8(ascii: "1"), count: n)
                    headers[0].1 = rng.below(2) == 0 ? "application/json" : "application/octet-stream"
                    expected = 413; mentions = "\(limit) bytes"
                case 6:  // Missing, malformed or wrong tokens.
                    body = bytes(w)
                    headers[0].1 = "application/octet-stream"
                    let forms: [(String, String)?] = [nil, ("Authorization", token), ("Authorization", "Bearer"), ("Authorization", "Bearer \(token)x"),
                                                     ("Authorization", "Basic \(token)"), ("Authorization", "Bearer \(String(token.dropLast()))")]
                    if let f = forms[rng.below(forms.count)] { headers[1] = f } else { headers.remove(at: 1) }
                    expected = 401; mentions = "Authorization"
                case 7:  // Random bytes said to be JSON.
                    body = (0..<rng.below(3000)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                    mentions = body.isEmpty ? "empty" : "byte"
                case 8:  // JSON that is not the expected object.
                    let docs = ["[]", "{}", "{\"features\": 3}", "{\"features\": \"abc\"}", "{\"feature\": [1,2]}", "null", "12",
                                String(repeating: "[", count: 5000), "{\"x\": " + String(repeating: "[", count: 100) + "}",
                                "{\"features\": [[1,2],[3]]}", "{\"features\": []} x", "{\"features\": [1,2,]}"]
                    body = Array(docs[rng.below(docs.count)].utf8)
                case 9:  // Mutated JSON: one byte replaced.
                    body = json
                    let k = rng.below(body.count)
                    let replacement = Array("x,[]{}\" .:-e\u{0}".utf8)[rng.below(13)]
                    if body[k] == replacement || (body[k] == UInt8(ascii: " ") && replacement == UInt8(ascii: " ")) { body[k] = UInt8(ascii: "x") } else { body[k] = replacement }
                    // A digit turned into '-' or 'e' may still be a valid integer ("-5" from "15"): accept 200 with the decoded window then.
                    expected = -1
                case 10:  // Routes and methods that do not exist.
                    body = []
                    let routes = [("GET", "/v2/judge", 404), ("DELETE", "/v1/judge", 405), ("PUT", "/healthz", 405), ("GET", "/", 404), ("POST", "/v1/judge/x", 404)]
                    let r = routes[rng.below(routes.count)]
                    method = r.0; path = r.1; expected = r.2; mentions = path
                default:  // Duplicate field, or JSON with a trailing comma in the object.
                    body = Array(json.dropLast()) + Array((", " + (rng.below(2) == 0 ? "\"features\": [1]}" : "}")).utf8)
                    mentions = "byte"
                }
                if !c.isOpen { c = try HTTPConnection(host: "127.0.0.1", port: server.port, timeout: 2) }
                let r: HTTPReply
                do { r = try c.request(method, path, headers: headers, body: body, timeout: 10) } catch {
                    failures.append("body \(i): \(error)"); c = try HTTPConnection(host: "127.0.0.1", port: server.port, timeout: 2); continue
                }
                if expected == -1 && r.status == 200 { continue }
                guard (400..<500).contains(r.status), expected == -1 || r.status == expected,
                      let e = try? HarkenJSON.decoder().decode(JudgeErrorReply.self, from: Data(r.body)),
                      !e.error.message.isEmpty, e.error.code.hasPrefix("judge_server."), mentions.isEmpty || e.error.message.contains(mentions) else {
                    failures.append("body \(i) (case \(i % 12), \(body.count) bytes): \(r.status) \(r.text.prefix(300)); expected \(expected) mentioning '\(mentions)'")
                    continue
                }
                if i % 500 == 499 {
                    // Still answering right.
                    let good = try c.request("POST", "/v1/judge", headers: [("Content-Type", "application/octet-stream"), auth], body: bytes(w), timeout: 5)
                    let v = try? HarkenJSON.decoder().decode(JudgeVerdict.self, from: Data(good.body))
                    if good.status != 200 || v?.score != StubJudge.score(w) { failures.append("after body \(i): \(good.status) \(good.text)") }
                }
            }
            return failures
        }
        try await server.stop()
        XCTAssertEqual(failures.count, 0, failures.prefix(10).joined(separator: "\n"))
    }

    func testTokens() async throws {
        let server = try await Running(stub(cutoff: 0.5), token: "abc123")
                var rng = SplitMix64(seed: 1)
        let w = window(&rng)
        try await blocking {
            let good = RemoteJudge(host: "127.0.0.1", port: server.port, windowFrames: Self.frames, channels: Self.channels, token: "abc123")
            XCTAssertEqual(try good.scores([w]), [StubJudge.score(w)])
            for token in [nil, "abc12", "abc1234"] {
                let bad = RemoteJudge(host: "127.0.0.1", port: server.port, windowFrames: Self.frames, channels: Self.channels, token: token)
                XCTAssertThrowsError(try bad.scores([w])) { e in
                    guard case RemoteJudgeError.server(_, 401, "judge_server.unauthorized", let message) = e else { return XCTFail("\(e)") }
                    XCTAssertTrue(message.contains("Authorization"), message)
                }
            }
            let c = try HTTPConnection(host: "127.0.0.1", port: server.port, timeout: 2)
            XCTAssertEqual(try c.request("GET", "/healthz", timeout: 2).status, 401)
            XCTAssertEqual(try c.request("GET", "/healthz", headers: [("Authorization", "Bearer abc123")], timeout: 2).status, 200)
        }
        try await server.stop()
    }

    func testNonLoopbackAddressNeedsAToken() throws {
        for host in ["0.0.0.0", "::", "192.168.1.20", "example.org", "127.0.0.1.nip.io"] {
            XCTAssertThrowsError(try JudgeServer(service: stub(cutoff: 0.5), config: JudgeServerConfig(host: host))) { e in
                XCTAssertEqual(e as? JudgeServerError, .tokenRequired(host: host))
                XCTAssertTrue("\(e)".contains("--token"))
            }
            XCTAssertNoThrow(try JudgeServer(service: stub(cutoff: 0.5), config: JudgeServerConfig(host: host, token: "t")))
        }
        for host in ["127.0.0.1", "127.4.5.6", "localhost", "::1", "[::1]"] {
            XCTAssertNoThrow(try JudgeServer(service: stub(cutoff: 0.5), config: JudgeServerConfig(host: host)), host)
        }
        XCTAssertThrowsError(try JudgeServer(service: stub(cutoff: 0.5), config: JudgeServerConfig(token: "has space")))
        XCTAssertThrowsError(try JudgeServer(service: stub(cutoff: 0.5), config: JudgeServerConfig(maxBatch: 0)))
    }

    /// A server slower than the client's timeout: RemoteJudge gives up in time, naming the wait.
    func testRemoteJudgeTimesOut() async throws {
        let server = try await Running(JudgeService(judge: StubJudge(delay: 0.5), model: "slow", cutoff: 0.5))
                var rng = SplitMix64(seed: 2)
        let w = window(&rng)
        try await blocking {
            let r = RemoteJudge(host: "127.0.0.1", port: server.port, windowFrames: Self.frames, channels: Self.channels, timeout: 0.1)
            let start = Date()
            XCTAssertThrowsError(try r.scores([w])) { e in
                guard case HTTPClientError.timeout(_, _, _, 100) = e else { return XCTFail("\(e)") }
            }
            XCTAssertLessThan(Date().timeIntervalSince(start), 0.4)
            XCTAssertThrowsError(try RemoteJudge.connect(url: "ftp://x")) { XCTAssertTrue("\($0)".contains("http://HOST:PORT")) }
        }
        try await server.stop()
    }

    /// The command: refuses a public address without a token; serves a probe Judge and stops on SIGTERM.
    func testServeCommand() throws {
        let dir = try Support.tempDir("judge-cli")
        let model = dir.appendingPathComponent("probe.tflite").path
        XCTAssertEqual(try Support.harken(["judge", "probe", "--out", model]).status, 0)
        let refused = try Support.harken(["judge", "serve", "--model", model, "--host", "0.0.0.0"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("--token") && refused.stderr.contains("judge_server.token_required"), refused.stderr)

        let p = Process()
        p.executableURL = URL(fileURLWithPath: Support.harkenBinary)
        p.arguments = ["judge", "serve", "--model", model, "--port", "0", "--cutoff", "0.3"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        defer { if p.isRunning { p.terminate() } }
        var line = ""
        let deadline = Date().addingTimeInterval(30)
        while !line.contains("\n") && Date() < deadline {
            let d = out.fileHandleForReading.availableData
            if d.isEmpty { break }
            line += String(decoding: d, as: UTF8.self)
        }
        XCTAssertTrue(line.contains("listening on http://127.0.0.1:"), line)
        let port = Int(line.components(separatedBy: "127.0.0.1:")[1].prefix { $0.isNumber }) ?? 0
        let r = try RemoteJudge.connect(url: "http://127.0.0.1:\(port)", timeout: 10)
        var rng = SplitMix64(seed: 4)
        let v = try r.verdict(window(&rng))
        XCTAssertEqual(v.cutoff, 0.3)
        XCTAssertEqual(v.accept, v.score > 0.3)
        p.terminate()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .exit, "SIGTERM shuts the server down gracefully")
    }

    // MARK: helpers

    func stub(cutoff: Double) -> JudgeService { JudgeService(judge: StubJudge(), model: "stub", cutoff: cutoff) }

    func assertValid(_ body: [UInt8], schema: String, in dir: URL, name: String) throws {
        let file = dir.appendingPathComponent("\(schema)-\(name).json")
        try Data(body).write(to: file)
        let v = try Support.run(Support.python, [Support.oracle("validate_json.py"), "--schema", schema, file.path], check: false)
        XCTAssertEqual(v.status, 0, "\(schema): \(v.stdout)\(v.stderr)")
    }
}

/// A Judge whose score is its window's mean mapped to 0...1, optionally slow; it counts its calls.
final class StubJudge: WindowJudge, @unchecked Sendable {
    let windowFrames = JudgeServerTests.frames
    let channels = JudgeServerTests.channels
    let delay: Double
    private let lock = NSLock()
    private var largest = 0

    init(delay: Double = 0) { self.delay = delay }

    static func score(_ w: [Int8]) -> Double { Double(w.reduce(0) { $0 + Int($1) } + 128 * w.count) / Double(255 * w.count) }

    var largestCall: Int { lock.lock(); defer { lock.unlock() }; return largest }

    func scores(_ windows: [[Int8]]) throws -> [Double] {
        lock.lock(); largest = max(largest, windows.count); lock.unlock()
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        return windows.map(StubJudge.score)
    }
}

/// A server running in this process until `stop()`.
final class Running: @unchecked Sendable {
    let port: Int
    private let server: JudgeServer
    private let task: Task<Void, any Error>

    init(_ service: JudgeService, token: String? = nil, maxBatch: Int = 64, maxBodyBytes: Int = 1 << 20) async throws {
        let server = try JudgeServer(service: service, config: JudgeServerConfig(port: 0, token: token, maxBatch: maxBatch, maxBodyBytes: maxBodyBytes))
        self.server = server
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        task = Task {
            defer { continuation.finish() }
            try await server.run { _, port in continuation.yield(port) }
        }
        var bound: Int?
        for await p in ports { bound = p; break }
        guard let bound, bound > 0 else {
            try await task.value
            throw JudgeServerError.judge("the server did not start")
        }
        port = bound
    }

    /// Shuts the server down gracefully and waits for it, within 10 s.
    func stop() async throws {
        await server.shutdown()
        let watchdog = Task { try await Task.sleep(for: .seconds(10)); task.cancel() }
        defer { watchdog.cancel() }
        try await task.value
    }
}

func window(_ rng: inout SplitMix64) -> [Int8] {
    (0..<(JudgeServerTests.frames * JudgeServerTests.channels)).map { _ in Int8(truncatingIfNeeded: rng.next()) }
}

func bytes(_ w: [Int8]) -> [UInt8] { w.map { UInt8(bitPattern: $0) } }

/// Runs blocking socket work on a thread of its own, off Swift's cooperative pool (which the
/// in-process server needs).
func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { c in
        let t = Thread { c.resume(with: Result { try body() }) }
        t.stackSize = 8 << 20
        t.start()
    }
}

/// `body(i)` on `n` threads at once; results in order.
func onThreads<T: Sendable>(_ n: Int, _ body: @escaping @Sendable (Int) throws -> T) throws -> [T] {
    let box = ResultSlots<T>(n)
    let group = DispatchGroup()
    for i in 0..<n {
        group.enter()
        let t = Thread {
            let r = Result { try body(i) }
            box.lock.lock(); box.results[i] = r; box.lock.unlock()
            group.leave()
        }
        t.stackSize = 1 << 20
        t.start()
    }
    group.wait()
    return try box.results.map { try $0!.get() }
}

final class ResultSlots<T>: @unchecked Sendable {
    var results: [Result<T, any Error>?]
    let lock = NSLock()
    init(_ n: Int) { results = Array(repeating: nil, count: n) }
}
