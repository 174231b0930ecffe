import Foundation
import XCTest
import HarkenAudio
import HarkenBench
import HarkenTargets
import HarkenData
import HarkenGraph
import HarkenPipeline
import HarkenStream
import HarkenSupport
import HarkenTestSupport

/// The cascade on emulated boards, built by `harken firmware --judge`: hey_jarvis as the Sentry
/// (at a permissive cutoff, so the demo scene triggers it at every phrase it hears), an untrained
/// device-size Judge (seeded) behind it, audio streamed in over the emulated UART. The host
/// reference is HarkenStream's: Simulator.pass and CascadeRule.decisions with PlanJudge.
final class CascadeDeviceTests: XCTestCase {
    struct Fixture {
        var model: String
        var judgePath: String
        var judge: PlanJudge
        var sentryCutoff: Double
        var judgeCutoff: Double
        /// The demo scene (five voices, four of which hey_jarvis hears), its pass and decisions.
        var scene: Audio
        var pass: SentryPass
        var expected: [CascadeDecision]
        /// Its first two triggers and their decisions, a timeout after (the link's fault passes).
        var clip: Audio
        var clipPass: SentryPass
        var clipExpected: [CascadeDecision]
    }

    static let fixture = Lazy<Fixture> {
        let model = try Support.modelPath("hey_jarvis")
        let dir = try Support.tempDir("cascade-judge")
        let judgePath = try Pipeline.writeJudgeProbe(out: dir.appendingPathComponent("judge.tflite").path, seed: 3).path
        let (_, judgePlan) = try Pipeline.load(model: judgePath)
        let (_, sentryPlan) = try Pipeline.load(model: model)
        let judge = try PlanJudge(plan: judgePlan, file: judgePath)
        let scene = try DemoScene.make(phrase: "hey jarvis").audio
        let sentryCutoff = 0.5
        // The device's detector: the manifest's window, release at the cutoff, 1 s refractory.
        let sim = try Simulator(plan: sentryPlan, detector: DetectorSettings(cutoff: sentryCutoff, window: 5, refractoryMs: 1000))
        let pass = sim.pass(scene)
        let sentry = DetectionRule(window: 5, refractoryMs: 1000, stepMs: sim.stepMs)
        // A Judge cutoff between the triggers' scores, so the cascade accepts some and rejects others.
        let scores = try CascadeRule(sentry: sentry, sentryCutoff: sentryCutoff, judgeCutoff: 0).decisions(pass, judge: judge)
            .compactMap(\.judgeScore).sorted()
        let judgeCutoff = scores[(scores.count - 1) / 2]
        let rule = CascadeRule(sentry: sentry, sentryCutoff: sentryCutoff, judgeCutoff: judgeCutoff)
        let expected = try rule.decisions(pass, judge: judge)
        let clipFrames = pass.lastFrame(ofStep: expected[1].step) + 30 + 50 + 20
        let clip = Audio(samples: Array(scene.samples.prefix(clipFrames * 160 + 320)))
        let clipPass = sim.pass(clip)
        return Fixture(model: model, judgePath: judgePath, judge: judge, sentryCutoff: sentryCutoff, judgeCutoff: judgeCutoff,
                       scene: scene, pass: pass, expected: expected,
                       clip: clip, clipPass: clipPass, clipExpected: try rule.decisions(clipPass, judge: judge))
    }

    func build(board: String, placement: JudgeStage.Placement, fallback: JudgeStage.Fallback = .failOpen,
               in dir: URL? = nil) throws -> (FirmwareResult, URL) {
        let f = try Self.fixture.get()
        let out = try dir ?? Support.tempDir("cascade-\(board)-\(placement.rawValue)")
        let fw = try Pipeline.firmware(model: f.model, board: board, home: Support.home, outDir: out.path, build: true,
                                       judge: JudgeOptions(model: f.judgePath, placement: placement, fallback: fallback, timeoutMs: 500,
                                                           sentryCutoff: f.sentryCutoff, judgeCutoff: f.judgeCutoff))
        return (fw, out)
    }

    /// The board's emulator; without `-icount` (exact instruction counts, several times slower)
    /// unless cycles are measured: the cascade's clock is the audio it is fed, not time.
    func emulator(_ board: String, _ elf: String, countInstructions: Bool = true) throws -> Emulator {
        var command = try XCTUnwrap(try TargetCatalog.board(board, home: Support.home).emulator)
        if !countInstructions, let i = command.firstIndex(of: "-icount") { command.removeSubrange(i...(i + 1)) }
        return try Emulator(command: command, elf: elf)
    }

    /// The device's decisions are the reference's: same triggers (step, frame, Sentry sum), same
    /// Judge scores and verdicts; `sameTiming` also wants the decision frame the reference has.
    func assertSame(_ got: [DeviceDecision], _ expected: [CascadeDecision], _ pass: SentryPass, sameTiming: Bool, _ label: String,
                    file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(got.count, expected.count, "\(label): one decision per trigger", file: file, line: line)
        for (d, e) in zip(got, expected) {
            let last = pass.lastFrame(ofStep: e.step)
            XCTAssertEqual(d.triggerStep, e.step, label, file: file, line: line)
            XCTAssertEqual(d.triggerFrame, last, label, file: file, line: line)
            XCTAssertEqual(Double(d.sentrySum) / 1280, e.sentryMean, label, file: file, line: line)
            XCTAssertEqual(d.score, e.judgeScore, "\(label): step \(e.step)", file: file, line: line)
            XCTAssertEqual(d.accepted, e.accepted, "\(label): step \(e.step)", file: file, line: line)
            if sameTiming { XCTAssertEqual(d.decidedFrame, last + 30, label, file: file, line: line) }
            else { XCTAssertGreaterThanOrEqual(d.decidedFrame, last + 30, label, file: file, line: line) }
        }
        XCTAssertEqual(got.map(\.id), Array(got.map(\.id).sorted()), "\(label): ids in order", file: file, line: line)
    }

    /// Cortex-M7, Judge on the device. Its generated C gives the simulator's bytes on 16 windows of
    /// speech features (sent over the link, timed on the device), and the cascade, fed the scene's
    /// features (its audio goes through the device's frontend in the Cortex-M4 test), decides
    /// exactly as the host reference: the same triggers, scores, verdicts and frames.
    func testDeviceJudgeOnCortexM7() throws {
        let f = try Self.fixture.get()
        XCTAssertGreaterThanOrEqual(f.expected.count, 3, "the scene should trigger the Sentry several times")
        XCTAssertTrue(f.expected.contains { $0.accepted } && f.expected.contains { !$0.accepted })
        let board = "qemu-mps2-an500"
        let (fw, _) = try build(board: board, placement: .device)
        let emu = try emulator(board, try XCTUnwrap(fw.elf))
        defer { emu.stop() }
        let client = CascadeClient(link: try SerialPort(path: emu.ptyPath), name: emu.ptyPath, relay: nil, timeout: 10)
        let device = try client.bench.hello()
        let info = try client.info()
        XCTAssertEqual(info.placement, "device")
        XCTAssertEqual(info.windowBytes, 7200)
        XCTAssertEqual(info.judgeInputBytes, 7200)
        XCTAssertEqual(info.ringBytes, 7200)
        XCTAssertEqual(info.judgeArenaBytes, f.judge.plan.arenaBytes)
        XCTAssertEqual(info.judgeWeightBytes, f.judge.plan.weightBytes)

        let windows = (1...16).map { f.pass.window(triggerStep: $0 * 20, before: 150, after: 30) }
        let runner = ModelRunner(plan: f.judge.plan)
        let expectedBytes: [UInt8] = windows.map { w in
            w.withUnsafeBytes { runner.input().copyMemory(from: $0) }
            runner.invoke()
            return runner.output().load(as: UInt8.self)
        }
        var cycles: [UInt32] = []
        var bytes: [UInt8] = []
        for w in windows {
            let (c, out) = try client.judgeStep(w)
            cycles.append(c)
            bytes += out
        }
        XCTAssertEqual(bytes, expectedBytes, "the device Judge's outputs differ from the simulator's")

        try client.reset()
        try client.feed(features: f.pass.features, channels: 40)
        assertSame(client.decisions, f.expected, f.pass, sameTiming: true, "device Judge")
        XCTAssertEqual(client.totals.frames, f.pass.frames)
        XCTAssertEqual(client.totals.steps, f.pass.outputs.count)
        XCTAssertEqual(client.totals.detections, client.totals.decisions + client.totals.dropped)
        XCTAssertEqual(client.totals.requests, 0)
        let stats = try client.bench.stats()
        let mean = Double(cycles.map(Double.init).reduce(0, +)) / Double(cycles.count)
        // On QEMU a "cycle" is an executed instruction (-icount shift=0; see hk_mps2_cycles.c).
        print("\(board): device Judge on \(windows.count) windows identical to the simulator, \(Int(mean)) instructions each "
              + "(counted at \(device.cpuHz / 1_000_000) M per second); "
              + "\(client.decisions.count) cascade decisions identical to CascadeRule; Judge arena \(info.judgeArenaBytes) B + ring \(info.ringBytes) B, "
              + "weights \(info.judgeWeightBytes) B; image flash \(fw.flashBytes ?? 0) B, static RAM \(fw.ramBytes ?? 0) B, stack \(stats.stackUsedBytes) B")
    }

    /// Cortex-M4, Judge on a server: the device hands each window over the emulated UART to the host
    /// relay and acts on its answer. Over a link that loses and damages frames it asks again with
    /// the same id and ends with the same decisions; answers that come twice or too late are
    /// ignored; a silent server leaves the fallback to decide (fail-open, then the project
    /// regenerated fail-closed); no trigger counts twice. Audio goes in for the clean pass (the
    /// scene's first two triggers: QEMU takes one byte at a time over its UART, about 1 s per
    /// second of audio); the other passes feed the whole scene's features.
    func testServerJudgeOverTheLinkOnCortexM4() throws {
        let f = try Self.fixture.get()
        let board = "qemu-mps2-an386"
        let started = Date()
        let (fw, dir) = try build(board: board, placement: .server)
        let elf = try XCTUnwrap(fw.elf)

        // Clean link, the clip's audio through `harken bench --cascade` (which starts its own emulator).
        let wav = dir.appendingPathComponent("clip.wav").path
        try f.clip.writeWAV(to: wav)
        let cli = try Support.run(Support.harkenBinary, ["bench", "--emulate", elf, "--board", board, "--cascade", "--judge", f.judgePath,
                                                          "--wav", wav, "--timeout", "10", "--json"])
        let reportFile = dir.appendingPathComponent("cascade_run.json").path
        try cli.stdout.write(toFile: reportFile, atomically: true, encoding: .utf8)
        let valid = try Support.run(Support.python, [Support.oracle("validate_json.py"), "--schema", "cascade_run", reportFile], check: false)
        XCTAssertEqual(valid.status, 0, valid.stdout)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let clean = try decoder.decode(CascadeRunReport.self, from: Data(cli.stdout.utf8))
        XCTAssertEqual(clean.cascade.placement, "server")
        XCTAssertEqual(clean.cascade.timeoutFrames, 50)
        XCTAssertEqual(clean.cascade.retryFrames, 17)
        XCTAssertEqual(clean.cascade.ringBytes, (180 + 50) * 40)
        XCTAssertEqual(f.clipExpected.count, 2)
        assertSame(clean.decisions, f.clipExpected, f.clipPass, sameTiming: false, "clean link")
        XCTAssertEqual(clean.totals.retransmissions, 0)
        XCTAssertEqual(clean.relayJudged, f.clipExpected.count)
        XCTAssertEqual(clean.relayFailures, [])

        var emu = try emulator(board, elf)
        defer { emu.stop() }
        var port = try SerialPort(path: emu.ptyPath)

        // The other passes feed the scene's features past the frontend (an eighth of the bytes).
        func run(_ faults: [FaultyLink.Fault], latency: Int = 0, score: JudgeRelay.Score? = nil) throws -> (CascadeClient, JudgeRelay, FaultyLink) {
            let link = FaultyLink(port, faults: faults)
            let relay = JudgeRelay(windowBytes: 7200, score: score ?? Pipeline.relayScore(f.judge))
            let client = CascadeClient(link: link, name: emu.ptyPath, relay: relay, timeout: 1)
            client.latencyFrames = latency
            _ = try client.bench.hello()   // a board that has just started says BOOT first
            try client.reset()
            try client.feed(features: f.pass.features, channels: 40)
            XCTAssertEqual(client.totals.decisions, client.decisions.count)
            XCTAssertEqual(Set(client.decisions.map(\.id)).count, client.decisions.count, "an id decided twice")
            XCTAssertEqual(client.totals.detections, client.totals.decisions + client.totals.dropped)
            return (client, relay, link)
        }

        // Garbage both ways, the first window's first chunk losing a byte, the first answer failing
        // its CRC, two FEED replies damaged (a retried FEED must not feed its audio twice).
        let (c1, r1, l1) = try run([.garbage, .dropByteInJudgeRequests(1), .corruptAnswers(1), .corruptFeedReplies(2)])
        assertSame(c1.decisions, f.expected, f.pass, sameTiming: false, "faulty link")
        XCTAssertEqual(l1.injected["drop_byte"], 1)
        XCTAssertEqual(l1.injected["corrupt_answer"], 1)
        XCTAssertEqual(l1.injected["corrupt_feed_reply"], 2)
        XCTAssertGreaterThanOrEqual(c1.totals.retransmissions, 2, "the lost window and the lost answer are asked for again")
        XCTAssertEqual(r1.judged, f.expected.count, "a repeated request is answered without judging it again")
        XCTAssertGreaterThanOrEqual(r1.repeats, 1)
        XCTAssertEqual(c1.totals.frames, f.pass.frames, "a retried FEED fed its frames once")
        XCTAssertGreaterThanOrEqual(c1.bench.retries, 2)

        // The relay asking `harken judge serve` on loopback over HTTP, garbage on the serial link.
        let server = Process()
        server.executableURL = URL(fileURLWithPath: Support.harkenBinary)
        server.arguments = ["judge", "serve", "--model", f.judgePath, "--port", "0"]
        let serverOut = Pipe()
        server.standardOutput = serverOut
        try server.run()
        defer { if server.isRunning { server.terminate() } }
        var banner = ""
        while !banner.contains("\n") {
            let d = serverOut.fileHandleForReading.availableData
            if d.isEmpty { break }
            banner += String(decoding: d, as: UTF8.self)
        }
        let serverPort = try XCTUnwrap(Int(banner.components(separatedBy: "127.0.0.1:").last?.prefix { $0.isNumber } ?? ""), banner)
        let remote = try RemoteJudge.connect(url: "http://127.0.0.1:\(serverPort)", timeout: 10)
        let (c0, r0, _) = try run([.garbage, .corruptAnswers(1)], score: Pipeline.relayScore(remote))
        assertSame(c0.decisions, f.expected, f.pass, sameTiming: false, "through harken judge serve")
        XCTAssertEqual(r0.judged, f.expected.count)
        server.terminate()

        // A server slower than the retransmission: each answer arrives twice; the second is ignored.
        let (c2, _, _) = try run([], latency: 20)
        assertSame(c2.decisions, f.expected, f.pass, sameTiming: false, "duplicate answers")
        XCTAssertGreaterThanOrEqual(c2.totals.ignoredAnswers, f.expected.count)

        // A silent server (the Judge fails) and one slower than the timeout: fail-open accepts.
        struct Down: Error {}
        let down: JudgeRelay.Score = { _ in throw Down() }
        let timedOut = f.expected.map { f.pass.lastFrame(ofStep: $0.step) + 30 + 50 }
        for (label, latency, score) in [("silent server", 0, down), ("late answers", 60, nil)] {
            let (c, _, _) = try run([], latency: latency, score: score)
            XCTAssertEqual(c.decisions.map(\.triggerStep), f.expected.map(\.step), label)
            XCTAssertTrue(c.decisions.allSatisfy { !$0.judged && $0.accepted }, "\(label): \(c.decisions)")
            XCTAssertEqual(c.decisions.map(\.decidedFrame), timedOut, label)
            XCTAssertEqual(c.totals.retransmissions, 2 * f.expected.count, "\(label): sent again after 17 and 34 frames")
            if latency > 0 { XCTAssertGreaterThanOrEqual(c.totals.ignoredAnswers, f.expected.count, label) }
        }

        // The same project regenerated fail-closed (only what changed is rebuilt): a silent server now rejects.
        emu.stop()
        let (closedFw, _) = try build(board: board, placement: .server, fallback: .failClosed, in: dir)
        emu = try emulator(board, try XCTUnwrap(closedFw.elf))
        port = try SerialPort(path: emu.ptyPath)
        let (c3, _, _) = try run([], score: down)
        XCTAssertEqual(c3.decisions.map(\.triggerStep), f.expected.map(\.step))
        XCTAssertTrue(c3.decisions.allSatisfy { !$0.judged && !$0.accepted }, "fail-closed: \(c3.decisions)")
        print("\(board): server Judge over the emulated UART: decisions identical to CascadeRule on a clean link, with garbage, "
              + "a lost byte, a bad answer CRC and bad FEED replies (\(c1.totals.retransmissions) retransmissions, \(c1.bench.retries) "
              + "FEED retries), with duplicate answers (\(c2.totals.ignoredAnswers) ignored); fail-open and fail-closed on a silent server; "
              + "image flash \(fw.flashBytes ?? 0) B, static RAM \(fw.ramBytes ?? 0) B; "
              + "\(String(format: "%.1f", Date().timeIntervalSince(started))) s for two builds and six passes (\(String(format: "%.1f", f.clip.seconds)) s of audio, then \(String(format: "%.1f", f.scene.seconds)) s of features)")
    }
}
