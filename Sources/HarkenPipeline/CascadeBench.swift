import Foundation
import HarkenAudio
import HarkenBench
import HarkenStream
import HarkenSupport
import HarkenTargets

/// A cascade firmware (`harken firmware --judge`) run on audio over its serial link: what the
/// device decided and how the link behaved.
public struct CascadeRunReport: Codable, Sendable {
    public var schemaVersion = 1
    public var port: String
    public var device: DeviceInfo
    public var cascade: CascadeInfo
    public var audioSeconds: Double
    public var totals: CascadeTotals
    public var decisions: [DeviceDecision]
    /// The host relay's side for a server Judge: windows scored, answers sent (repeats of
    /// answers the device did not get included), and what went wrong.
    public var relayJudged: Int?
    public var relayAnswers: Int?
    public var relayRepeats: Int?
    public var relayFailures: [String]?
    /// Requests the bench link had to send again.
    public var retries: Int
}

extension Pipeline {
    /// The relay's Judge call for a WindowJudge: one window, one probability.
    public static func relayScore(_ judge: any WindowJudge) -> JudgeRelay.Score {
        { window in
            guard let p = try judge.scores([window]).first else { throw JudgeError.window(index: 0, count: window.count, expected: judge.windowFrames * judge.channels) }
            return p
        }
    }

    /// Streams `audio` through a cascade firmware on `link`, answering its Judge requests with
    /// `judge` (a server Judge's firmware) `latencyFrames` frames of audio after they arrive.
    public static func cascade(link: Link, portName: String, audio: Audio, judge: (any WindowJudge)?, latencyFrames: Int = 0,
                               timeout: Double = 2, configure: ((CascadeClient) -> Void)? = nil) throws -> CascadeRunReport {
        let relay = judge.map { JudgeRelay(windowBytes: $0.windowFrames * $0.channels, score: relayScore($0)) }
        let client = CascadeClient(link: link, name: portName, relay: relay, timeout: timeout)
        client.latencyFrames = latencyFrames
        configure?(client)
        let device = try client.bench.hello()
        let info = try client.info()
        if info.placement == "server" && relay == nil {
            throw BenchError.mismatch("\(portName): the firmware's Judge is on a server: give the host a Judge to answer it with")
        }
        try client.reset()
        try client.feed(audio.samples)
        return CascadeRunReport(port: portName, device: device, cascade: info, audioSeconds: audio.seconds, totals: client.totals,
                                decisions: client.decisions, relayJudged: relay?.judged, relayAnswers: relay?.answers,
                                relayRepeats: relay?.repeats, relayFailures: relay?.failures, retries: client.bench.retries)
    }

    /// The same on the board's emulator, started on `elf` and stopped when this returns or throws.
    public static func cascadeEmulated(elf: String, board: String, home: HarkenHome, audio: Audio, judge: (any WindowJudge)?,
                                       latencyFrames: Int = 0, timeout: Double = 2) throws -> CascadeRunReport {
        let target = try TargetCatalog.board(board, home: home)
        guard let command = target.emulator else { throw PipelineError.noEmulator(board: target.name) }
        let emulator = try Emulator(command: command, elf: elf)
        defer { emulator.stop() }
        return try cascade(link: try SerialPort(path: emulator.ptyPath), portName: emulator.ptyPath, audio: audio, judge: judge,
                           latencyFrames: latencyFrames, timeout: timeout)
    }
}
