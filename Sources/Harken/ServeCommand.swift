import ArgumentParser
import Foundation
import HarkenServer

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Harken Studio: the local web UI and its JSON/WebSocket API over a project folder the CLI reads too.")

    @Option(help: "Project folder (corpus, runs, models, evaluations, uploads, jobs); created when missing.") var project = "."
    @Option(help: "Address to listen on; any but loopback needs --token.") var host = JudgeServerConfig.defaultHost
    @Option(help: "Port to listen on (0: any free port).") var port = StudioServerConfig.defaultPort
    @Option(help: "Token every /api request must carry (Bearer header or ?token=; default: $HARKEN_TOKEN).") var token: String?
    @Option(help: "Largest upload in MiB (413 above).") var maxUploadMb = 200

    func run() throws {
        let token = self.token ?? ProcessInfo.processInfo.environment["HARKEN_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        let config = StudioServerConfig(project: project, host: host, port: port, token: token, maxUploadBytes: maxUploadMb << 20)
        try guarded { try config.validate() }
        let server = try guarded { try StudioServer(config: config) }
        let root = server.project.root
        try serveUntilStopped(host: host, port: port, { onStart in try await server.run(handleSignals: true, onStart: onStart) }) { url in
            "harken serve: Harken Studio on \(url)\(token.map { "/?token=\($0)" } ?? "/") (project \(root))"
        }
    }
}
