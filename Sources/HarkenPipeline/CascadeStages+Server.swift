// CascadeStages+Server.swift: the Judge on a server, timed three ways on this machine, one window
// at a time as one device would send them: the Judge alone in process; POST /v1/judge on loopback
// to `harken judge serve`; and the device's hand-off over a serial link, here a pseudo-terminal
// pair: the device side writes the window as JUDGE frames with the bench protocol's codec
// (COBS, CRC-32), the host side runs the JudgeRelay that cascade firmware talks to, and the
// answer frame comes back. The wire time on a real UART is computed from the frames' bytes.

import CPty
import Foundation
import HarkenBench
import HarkenGraph
import HarkenStream
import HarkenSupport
#if canImport(Glibc)
import Glibc
#endif

extension Pipeline {
    /// The bench firmware's UART (Firmware/port/mps2/hk_mps2_uart.c).
    public static let firmwareBaud = 115_200

    static func measureServerStage(options o: CascadeStagesOptions, judgePlan: Plan, launch: JudgeServerLauncher?,
                                   job: Job) throws -> ServerLatency {
        let model = o.serverJudge ?? o.judge
        let service = try judgeService(model: model)
        let size = judgePlan.inputs[0].elementCount
        guard service.windowSize == size else {
            throw CascadeStagesError.judgeShape(file: model, reason: "the server's Judge reads \(service.judge.windowFrames) × \(service.judge.channels) windows, the device's \(o.judge) \(size) values")
        }
        let windows = try costInputs(plan: judgePlan, steps: max(1, o.windows)).map { $0.map { Int8(bitPattern: $0) } }
        let progress = job.stage("server stage")

        progress(0, "the Judge in process")
        let judge = service.judge
        let inProcess = try timed(windows) { _ = try judge.scores([$0]) }

        let endpoint: JudgeEndpoint
        if let url = o.judgeURL {
            endpoint = JudgeEndpoint(url: url, kind: "external")
        } else {
            guard let launch else { throw CascadeStagesError.server(reason: "none to time: give the address of a running `harken judge serve`") }
            endpoint = try launch(service)
        }
        defer { endpoint.stop() }
        let remote: RemoteJudge
        do { remote = try RemoteJudge.connect(url: endpoint.url, timeout: 5) } catch {
            throw CascadeStagesError.server(reason: "\(endpoint.url) does not answer GET /v1/judge: \(error)")
        }
        guard remote.windowFrames * remote.channels == size else {
            throw CascadeStagesError.server(reason: "\(endpoint.url) reads \(remote.windowFrames) × \(remote.channels) windows, the device sends \(size) values")
        }
        try job.checkCancelled()
        progress(0.25, "HTTP")
        let http = try timed(windows) { _ = try remote.verdict($0) }
        try job.checkCancelled()
        progress(0.5, "serial hand-off, relay only")
        let relay = try serialRoundTrips(windows, windowBytes: size) { _ in 0.5 }
        try job.checkCancelled()
        progress(0.75, "serial hand-off through the server")
        let endToEnd = try serialRoundTrips(windows, windowBytes: size) { try remote.verdict($0).score }
        progress(1, "")

        let wire = JudgeChunk.frames(id: 1, window: [UInt8](repeating: 0x55, count: size)).reduce(0) { $0 + $1.encoded.count }
            + 1 + JudgeAnswer(id: 1, scoreQ16: 0x5555).frame.encoded.count
        return ServerLatency(model: model, url: endpoint.url, serverKind: endpoint.kind, maxBatch: endpoint.maxBatch, maxWaitMs: endpoint.maxWaitMs,
                             judgeInProcess: inProcess, http: http, serialRelay: relay, serialEndToEnd: endToEnd,
                             serialLink: "a pseudo-terminal pair on this machine (no baud-rate limit): bench frame codec both ways, the host's JudgeRelay",
                             wireBytes: wire, uartBaud: firmwareBaud, uartMs: Double(wire) * 10 / Double(firmwareBaud) * 1000)
    }

    /// Milliseconds of `body` on each window, after a few untimed calls.
    static func timed(_ windows: [[Int8]], warmup: Int = 5, _ body: ([Int8]) throws -> Void) throws -> LatencyStats {
        for w in windows.prefix(warmup) { try body(w) }
        var ms: [Double] = []
        ms.reserveCapacity(windows.count)
        for w in windows {
            let start = DispatchTime.now().uptimeNanoseconds
            try body(w)
            ms.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return LatencyStats(ms)
    }

    /// Each window from the device's side of a pty pair to the relay on the host's side and its
    /// answer back; milliseconds from the first byte written to the answer decoded.
    static func serialRoundTrips(_ windows: [[Int8]], windowBytes: Int, warmup: Int = 3,
                                 score: @escaping JudgeRelay.Score) throws -> LatencyStats {
        var name = [CChar](repeating: 0, count: 256)
        let device = hk_pty_open(&name, name.count)
        guard device >= 0 else { throw CascadeStagesError.link(reason: "cannot open a pseudo-terminal: \(String(cString: strerror(errno)))") }
        defer { close(device) }
        let host = RelayHost(port: try SerialPort(path: String(cString: name)), relay: JudgeRelay(windowBytes: windowBytes, score: score))
        Thread { host.serve() }.start()
        defer { host.finish() }

        var decoder = FrameDecoder()
        var buffer = [UInt8](repeating: 0, count: 4096)
        var ms: [Double] = []
        for (i, w) in (Array(windows.prefix(warmup)) + windows).enumerated() {
            let id = UInt32(i + 1)
            let bytes = JudgeChunk.frames(id: id, window: w.map { UInt8(bitPattern: $0) }).flatMap(\.encoded)
            let start = DispatchTime.now().uptimeNanoseconds
            try writeAll(device, bytes)
            let deadline = start + 5_000_000_000
            answered: while true {
                let now = DispatchTime.now().uptimeNanoseconds
                guard now < deadline else {
                    throw CascadeStagesError.link(reason: "no answer to window \(id) within 5 s\(host.problem.map { " (\($0))" } ?? "")")
                }
                var p = pollfd(fd: device, events: Int16(POLLIN), revents: 0)
                guard poll(&p, 1, Int32((deadline - now) / 1_000_000 + 1)) > 0 else { continue }
                let n = buffer.withUnsafeMutableBytes { read(device, $0.baseAddress, $0.count) }
                guard n > 0 else { continue }
                for b in buffer[..<n] {
                    if let f = decoder.feed(b), let a = JudgeAnswer(f), a.id == id { break answered }
                }
            }
            if i >= warmup { ms.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6) }
        }
        if let problem = host.problem { throw CascadeStagesError.link(reason: problem) }
        return LatencyStats(ms)
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw CascadeStagesError.link(reason: "writing to the pseudo-terminal: \(String(cString: strerror(errno)))")
            }
            sent += n
        }
    }
}

/// The host's side of the pty pair: frames in, the relay's answers out, on a thread of its own.
private final class RelayHost: @unchecked Sendable {
    let port: SerialPort
    let relay: JudgeRelay
    private let lock = NSLock()
    private var stopping = false
    private var failure: String?
    private let done = DispatchSemaphore(value: 0)

    init(port: SerialPort, relay: JudgeRelay) { self.port = port; self.relay = relay }

    var problem: String? {
        lock.withLock { failure ?? relay.failures.first.map { "the relay: \($0)" } }
    }

    func serve() {
        var decoder = FrameDecoder()
        while !lock.withLock({ stopping }) {
            do {
                for b in try port.read(timeout: 0.05) {
                    guard let f = decoder.feed(b) else { continue }
                    let answer = lock.withLock { relay.receive(f) }
                    if let answer { try port.write([0] + answer.frame.encoded) }
                }
            } catch {
                lock.withLock { failure = "the host's side: \(error)" }
                break
            }
        }
        done.signal()
    }

    func finish() {
        lock.withLock { stopping = true }
        done.wait()
    }
}
