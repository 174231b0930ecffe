import CPty
import Foundation
import HarkenBench
import HarkenTestSupport
import HarkenSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A pseudo-terminal pair: the host opens the slave as a serial port, a fake device
/// serves the master.
final class PtyPair {
    let master: Int32
    let slavePath: String

    init() throws {
        var name = [CChar](repeating: 0, count: 64)
        master = hk_pty_open(&name, name.count)
        guard master >= 0 else { throw NSError(domain: "pty", code: Int(errno)) }
        slavePath = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit { close(master) }
}

/// A device that speaks the bench protocol and misbehaves on request.
final class FaultyDevice: @unchecked Sendable {
    enum Fault { case none, garbage, dropReplyByte, corruptReplyCRC, resetOnStep(Int), silent, corruptRequests(Int) }
    let pty: PtyPair
    var fd: Int32 { pty.master }
    var fault: Fault
    private(set) var stepsRun = 0
    private var state: UInt8 = 0
    private var last: (type: UInt8, seq: UInt8, reply: [UInt8])?
    private var faultUsed = false
    private var thread: Thread?
    private var stop = false
    let lock = NSLock()

    init(pty: PtyPair, fault: Fault) {
        self.pty = pty
        self.fault = fault
    }

    func start() {
        let t = Thread { [self] in serve() }
        thread = t
        t.start()
    }

    func shutdown() { lock.lock(); stop = true; lock.unlock() }

    private func send(_ bytes: [UInt8]) { _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } }

    private func serve() {
        var decoder = FrameDecoder()
        var corruptedRequests = 0
        var atFrameStart = true
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            lock.lock(); let done = stop; lock.unlock()
            if done { return }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 50) > 0 else { continue }
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { continue }
            for var byte in buf.prefix(n) {
                if case .corruptRequests(let k) = fault, corruptedRequests < k, atFrameStart, byte != 0 {
                    byte ^= 0x40          // a frame's first byte flipped on the wire
                    corruptedRequests += 1
                }
                atFrameStart = byte == 0
                guard let frame = decoder.feed(byte) else { continue }
                handle(frame)
            }
        }
    }

    private func handle(_ f: Frame) {
        if case .silent = fault { return }
        var reply: [UInt8]
        if let last, last.type == f.type, last.seq == f.seq {
            reply = last.reply                        // a retry: answer from the copy
        } else {
            switch Frame.Command(rawValue: f.type) {
            case .echo: reply = f.payload
            case .step:
                stepsRun += 1
                if case .resetOnStep(let k) = fault, stepsRun == k {
                    send(Frame(type: Frame.Command.boot.rawValue, seq: 0, payload: []).encoded)
                    return
                }
                state = state &+ f.payload.reduce(0, &+)
                reply = [1, 0, 0, 0, state]
            default:
                send(Frame(type: Frame.Command.error.rawValue, seq: f.seq, payload: [1, f.type]).encoded)
                return
            }
            last = (f.type, f.seq, reply)
        }
        var wire = Frame(type: f.type | Frame.reply, seq: f.seq, payload: reply).encoded
        switch fault {
        case .garbage: send([0x13, 0x00, 0xFF, 0x7E, 0x00, 0x55, 0x01, 0x02])
        case .dropReplyByte where !faultUsed: wire.remove(at: wire.count / 2); faultUsed = true
        case .corruptReplyCRC where !faultUsed: wire[wire.count - 3] ^= 0x01; faultUsed = true
        default: break
        }
        send([0] + wire)
    }
}

final class BenchLinkTests: XCTestCase {
    func client(_ fault: FaultyDevice.Fault, timeout: Double = 0.3) throws -> (BenchClient, FaultyDevice, PtyPair) {
        let pty = try PtyPair()
        let device = FaultyDevice(pty: pty, fault: fault)
        device.start()
        let port = try SerialPort(path: pty.slavePath)
        return (BenchClient(link: port, name: pty.slavePath, timeout: timeout, attempts: 3), device, pty)
    }

    /// Ten steps with a running checksum: any skipped or repeated step shows in the result.
    func runSteps(_ c: BenchClient) throws -> [UInt8] {
        try (1...10).map { i in try c.step([UInt8(i), 2, 3], outputBytes: 1).output[0] }
    }

    let expected: [UInt8] = {
        var s: UInt8 = 0
        return (1...10).map { i in s = s &+ UInt8(i) &+ 5; return s }
    }()

    func testCleanLink() throws {
        let (c, d, _) = try client(.none)
        defer { d.shutdown() }
        XCTAssertEqual(try c.echo([1, 0, 2, 0, 0, 255]), [1, 0, 2, 0, 0, 255])
        XCTAssertEqual(try runSteps(c), expected)
        XCTAssertEqual(c.retries, 0)
    }

    func testGarbageBetweenFrames() throws {
        let (c, d, _) = try client(.garbage)
        defer { d.shutdown() }
        XCTAssertEqual(try runSteps(c), expected)
    }

    func testDroppedReplyByteIsRetriedWithoutRunningTwice() throws {
        let (c, d, _) = try client(.dropReplyByte)
        defer { d.shutdown() }
        XCTAssertEqual(try runSteps(c), expected)
        XCTAssertEqual(c.retries, 1)
        XCTAssertEqual(d.stepsRun, 10)
    }

    func testCorruptedReplyCRCIsRetried() throws {
        let (c, d, _) = try client(.corruptReplyCRC)
        defer { d.shutdown() }
        XCTAssertEqual(try runSteps(c), expected)
        XCTAssertEqual(c.retries, 1)
    }

    func testCorruptedRequestIsRetried() throws {
        let (c, d, _) = try client(.corruptRequests(2))
        defer { d.shutdown() }
        XCTAssertEqual(try runSteps(c), expected)
        XCTAssertEqual(c.retries, 2)
        XCTAssertEqual(d.stepsRun, 10)
    }

    func testResetMidRunStops() throws {
        let (c, d, _) = try client(.resetOnStep(4))
        defer { d.shutdown() }
        XCTAssertThrowsError(try runSteps(c)) { e in XCTAssertEqual(e as? BenchError, .deviceReset(command: "step")) }
    }

    func testSilentDevice() throws {
        let (c, d, pty) = try client(.silent, timeout: 0.2)
        defer { d.shutdown() }
        XCTAssertThrowsError(try c.echo([1])) { e in
            XCTAssertEqual(e as? BenchError, .noAnswer(port: pty.slavePath, command: "echo", attempts: 3, seconds: 0.2))
            XCTAssertTrue("\(e)".contains("did not answer echo (3 attempts"), "\(e)")
        }
    }

    func testMissingPort() {
        XCTAssertThrowsError(try SerialPort(path: "/dev/ttyHARKEN-none")) { e in
            XCTAssertEqual(e as? BenchError, .cannotOpen(port: "/dev/ttyHARKEN-none", reason: "No such file or directory"))
        }
        XCTAssertThrowsError(try SerialPort(path: "/dev/null")) { e in
            XCTAssertTrue("\(e)".hasPrefix("/dev/null: cannot open the serial port: not a terminal"), "\(e)")
        }
    }

    /// 100,000 fuzzed inputs: random bytes, mutated valid frames, truncations. The decoder
    /// never crashes, never yields a frame whose CRC is wrong, and recovers every valid
    /// frame that follows the noise.
    func testFrameDecoderFuzz() {
        var rng = SplitMix64(seed: 42)
        var decoder = FrameDecoder()
        var recovered = 0, spurious = 0
        for i in 0..<100_000 {
            let good = Frame(type: UInt8(rng.below(256)), seq: UInt8(i & 0xFF), payload: (0..<rng.below(64)).map { _ in UInt8(rng.below(256)) })
            var noise: [UInt8]
            switch rng.below(4) {
            case 0: noise = (0..<rng.below(40)).map { _ in UInt8(rng.below(256)) }
            case 1: noise = good.encoded; noise[rng.below(noise.count - 1)] ^= UInt8(1 + rng.below(255))
            case 2: noise = Array(good.encoded.prefix(rng.below(good.encoded.count)))
            default: noise = (0..<rng.below(3000)).map { _ in UInt8(1 + rng.below(255)) }   // an over-long frame
            }
            for b in noise {
                if let f = decoder.feed(b), Frame(decoded: f.bytes) == nil { spurious += 1 }
            }
            var got: Frame?
            for b in [0] + good.encoded { if let f = decoder.feed(b) { got = f } }
            if got == good { recovered += 1 }
        }
        XCTAssertEqual(spurious, 0)
        XCTAssertEqual(recovered, 100_000)
        XCTAssertGreaterThan(decoder.rejected, 10_000)
    }

    func testCOBSRoundTrip() {
        var rng = SplitMix64(seed: 7)
        for n in [0, 1, 253, 254, 255, 256, 508, 1100] {
            for zeros in [0, 1, 3] {
                let data = (0..<n).map { _ in rng.below(10) < zeros ? 0 : UInt8(1 + rng.below(255)) }
                let enc = COBS.encode(data)
                XCTAssertFalse(enc.contains(0))
                XCTAssertEqual(COBS.decode(enc), data, "n=\(n)")
            }
        }
    }
}
