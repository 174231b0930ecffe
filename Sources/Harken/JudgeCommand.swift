import ArgumentParser
import Dispatch
import Foundation
import HarkenPipeline
import HarkenServer
import HarkenTrain

/// The cascade's Judge: `harken judge serve` (and its other subcommands, each a nested type).
struct Judge: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The cascade's Judge, the larger model that re-checks each Sentry trigger on a window of the device's features.",
        subcommands: Judge.subcommands)

    /// One line per subcommand.
    static let subcommands: [ParsableCommand.Type] = [
        JudgeTrain.self,
        Serve.self,
        Probe.self,
    ]

    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve a Judge over HTTP: POST /v1/judge scores one window (int8 bytes or JSON), batched across clients.")

        @Option(help: "The Judge: an int8 .tflite or a float Judge checkpoint.") var model: String
        @Option(help: "Address to listen on; any but loopback needs --token.") var host = JudgeServerConfig.defaultHost
        @Option(help: "Port to listen on (0: any free port).") var port = JudgeServerConfig.defaultPort
        @Option(help: "Bearer token every request must carry (default: $HARKEN_TOKEN).") var token: String?
        @Option(help: "Accept when the score exceeds this (default: the judge cutoff of the manifest beside the model, else 0.5).") var cutoff: Double?
        @Option(help: "Windows scored together at most.") var maxBatch = 64
        @Option(help: "Milliseconds a window waits for others to join its batch.") var maxWaitMs = 1.0
        @Option(help: "Largest request body in bytes (413 above).") var maxBodyBytes = 1 << 20
        @Option(help: "Threads scoring batches (default: one per core).") var threads = ProcessInfo.processInfo.activeProcessorCount

        func validate() throws {
            if let cutoff, !(0...1).contains(cutoff) { throw ValidationError("--cutoff must be in 0...1, got \(cutoff)") }
        }

        func run() throws {
            let token = self.token ?? ProcessInfo.processInfo.environment["HARKEN_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
            let config = JudgeServerConfig(host: host, port: port, token: token, maxBatch: maxBatch, maxWaitMs: maxWaitMs,
                                           maxBodyBytes: maxBodyBytes, threads: threads)
            // Settings first: a refused address fails before the model is loaded.
            try guarded { try config.validate() }
            let server = try guarded { try JudgeServer(service: try Pipeline.judgeService(model: model, cutoff: cutoff), config: config) }
            let info = server.info
            try serveUntilStopped(host: host, port: port, { onStart in try await server.run(handleSignals: true, onStart: onStart) }) { url in
                "harken judge serve: listening on \(url) (\(info.model): \(info.windowFrames) frames × \(info.channels) channels, cutoff \(info.cutoff) from \(info.cutoffSource), \(token == nil ? "no token" : "token required"))"
            }
        }
    }

    struct Probe: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write an untrained int8 Judge (seeded) as a .tflite: a stand-in with a real Judge's shape and cost.",
            shouldDisplay: false)

        @Option(help: "Output .tflite.") var out: String
        @Option(help: "Judge size: \(JudgeSize.allCases.map(\.rawValue).joined(separator: ", ")).") var size = "device"
        @Option(help: "Seed of the weights and statistics.") var seed: UInt64 = 1
        @Option(help: "Also time the written Judge on this many windows (one thread) and print its milliseconds per window.")
        var measure: Int?

        func validate() throws {
            if let measure, measure < 1 { throw ValidationError("--measure must be at least 1, got \(measure)") }
            if JudgeSize(rawValue: size) == nil { throw ValidationError("--size must be one of \(JudgeSize.allCases.map(\.rawValue).joined(separator: ", ")), got \(size)") }
        }

        func run() throws {
            let written = try guarded { try Pipeline.writeJudgeProbe(out: out, size: JudgeSize(rawValue: size)!, seed: seed) }
            print("wrote \(written.path) (\(written.bytes) bytes, untrained \(size) Judge, seed \(seed))")
            if let measure {
                let ms = try guarded { try Pipeline.judgeMillisecondsPerWindow(model: written.path, windows: measure) }
                print(String(format: "scores %d windows at %.3f ms per window (one thread)", measure, ms))
            }
        }
    }
}
