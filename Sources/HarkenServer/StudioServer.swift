// StudioServer.swift: `harken serve`, Harken Studio. The page (Studio/, package resources, no build
// step) and the JSON API under /api/v1 that the page, notebooks and scripts share
// (Studio/openapi.yaml). Handlers decode, call HarkenPipeline's Studio* types and encode: the
// logic lives there, where the CLI reaches it too.

import Foundation
import HarkenPipeline
import HarkenStream
import HarkenSupport
import HarkenTargets
import Hummingbird
import HummingbirdWebSocket
import Logging
import ServiceLifecycle

public struct StudioServerConfig: Sendable {
    public var project: String
    public var host: String
    /// 0 picks a free port (tests); the bound one is reported to `run`'s `onStart`.
    public var port: Int
    /// Required off loopback: every /api route then needs `Authorization: Bearer <token>` or `?token=`.
    public var token: String?
    public var maxUploadBytes: Int

    public static let defaultPort = 8080

    public init(project: String, host: String = JudgeServerConfig.defaultHost, port: Int = StudioServerConfig.defaultPort,
                token: String? = nil, maxUploadBytes: Int = 200 << 20) {
        self.project = project; self.host = host; self.port = port; self.token = token; self.maxUploadBytes = maxUploadBytes
    }

    public func validate() throws {
        // The Judge server's rules: an address, a port, a printable token, and no open bind without one.
        try JudgeServerConfig(host: host, port: port, token: token).validate()
        guard maxUploadBytes >= 1024 else { throw JudgeServerError.option(name: "max-upload-mb", value: "\(maxUploadBytes)", expected: "at least 1") }
    }
}

public final class StudioServer: @unchecked Sendable {
    public let config: StudioServerConfig
    public let project: StudioProject
    public let jobs: StudioJobs
    let runs = StudioRunIndex.shared
    let evaluations = StudioEvaluations()
    let home: HarkenHome
    /// Every route the API registers, as OpenAPI writes them (tests compare the two).
    public private(set) var routes: [(method: String, path: String)] = []
    private var group: ServiceGroup?
    private var stopping = false
    private let lock = NSLock()

    public init(config: StudioServerConfig, executable: String = StudioJobs.ownExecutable()) throws {
        try config.validate()
        self.config = config
        project = try StudioProject(root: config.project)
        jobs = try StudioJobs(project: project, executable: executable)
        home = try HarkenHome.locate()
    }

    /// The page's files, shipped as package resources.
    public static var studioFolder: String { Bundle.module.bundleURL.appendingPathComponent("Studio").path }

    public func run(handleSignals: Bool = false, onStart: @escaping @Sendable (_ host: String, _ port: Int) -> Void = { _, _ in }) async throws {
        var logger = Logger(label: "harken.studio")
        logger.logLevel = .warning
        let host = config.host
        let router = buildRouter(logger: logger)
        let app = Application(router: router, server: .http1WebSocketUpgrade(webSocketRouter: router),
                              configuration: .init(address: .hostname(config.host, port: config.port), serverName: "harken-studio"),
                              onServerRunning: { channel in onStart(host, channel.localAddress?.port ?? 0) },
                              logger: logger)
        let group = ServiceGroup(services: [app], gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [], logger: logger)
        let stopAtOnce: Bool = lock.withLock { self.group = group; return stopping }
        if stopAtOnce { await group.triggerGracefulShutdown() }
        defer { jobs.stopAll() }
        try await group.run()
    }

    public func shutdown() async {
        let group: ServiceGroup? = lock.withLock { stopping = true; return self.group }
        await group?.triggerGracefulShutdown()
    }

    typealias Context = BasicWebSocketRequestContext

    func buildRouter(logger: Logger) -> Router<Context> {
        let router = Router(context: Context.self)
        router.add(middleware: StudioMiddleware(token: config.token))
        router.add(middleware: FileMiddleware(Self.studioFolder, searchForIndexHtml: true, logger: logger))
        routes = []
        addProjectRoutes(router)
        addJobRoutes(router)
        addEvaluationRoutes(router)
        addDeployRoutes(router)
        return router
    }

    /// Registers a JSON route and records it for the route list.
    func on(_ router: Router<Context>, _ method: HTTPRequest.Method, _ path: String,
            _ handler: @escaping @Sendable (Request, Context) async throws -> Response) {
        routes.append((method.rawValue, path))
        router.on(RouterPath(path), method: method, use: handler)
    }

    func noteWebSocket(_ path: String) { routes.append(("GET", path)) }

    // MARK: project and data

    func addProjectRoutes(_ router: Router<Context>) {
        let project = self.project, jobs = self.jobs, limit = config.maxUploadBytes
        on(router, .get, "/api/openapi.yaml") { _, _ in
            let text = try String(contentsOfFile: Self.studioFolder + "/openapi.yaml", encoding: .utf8)
            var headers = HTTPFields()
            headers[.contentType] = "application/yaml"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        on(router, .get, "/api/v1/project") { _, _ in try json(project.info(jobs: jobs.list())) }
        on(router, .put, "/api/v1/project") { request, _ in
            let body: ProjectUpdate = try await decode(request, limit: 64 << 10)
            try project.saveSettings(StudioSettings(phrase: body.phrase, preset: body.preset))
            return try json(project.info(jobs: jobs.list()))
        }
        on(router, .get, "/api/v1/corpus") { _, _ in try json(project.corpusSummary()) }
        on(router, .get, "/api/v1/corpus/clips") { request, _ in
            let q = Query(request)
            return try json(try project.clips(split: q.string("split"), kind: q.string("kind"), offset: try q.int("offset") ?? 0, limit: try q.int("limit") ?? 50))
        }
        on(router, .get, "/api/v1/audio") { request, _ in
            let q = Query(request)
            guard let path = q.string("path") else { throw StudioError.badRequest("path: required (a project-relative audio file)") }
            let wav = try project.audioWAV(path, from: try q.double("from_s"), to: try q.double("to_s"))
            return bytes(wav, type: "audio/wav")
        }
        on(router, .get, "/api/v1/uploads") { _, _ in try json(project.uploads()) }
        on(router, .post, "/api/v1/uploads/{kind}") { request, context in
            let kind = try context.parameters.require("kind")
            guard let name = Query(request).string("name") else { throw StudioError.badRequest("name: required (the uploaded file's name)") }
            let data = try await body(request, limit: limit)
            return try json(try project.storeUpload(kind: kind, name: name, data: data), status: 201)
        }
        on(router, .get, "/api/v1/config") { _, _ in try json(try project.configSchema()) }
        on(router, .put, "/api/v1/config") { request, _ in
            let update: StudioConfigUpdate = try await decode(request, limit: 64 << 10)
            return try json(try project.updateConfig(update.values))
        }
    }

    // MARK: jobs

    func addJobRoutes(_ router: Router<Context>) {
        let jobs = self.jobs
        on(router, .get, "/api/v1/jobs") { _, _ in try json(StudioJobList(jobs: jobs.list())) }
        on(router, .post, "/api/v1/jobs") { request, _ in
            let r: StudioJobRequest = try await decode(request, limit: 64 << 10)
            let (job, existing) = try jobs.submit(r)
            return try json(job, status: existing ? 200 : 202)
        }
        on(router, .get, "/api/v1/jobs/{id}") { _, context in try json(try jobs.job(try context.parameters.require("id"))) }
        on(router, .get, "/api/v1/jobs/{id}/log") { _, context in
            let (text, _) = try jobs.log(try context.parameters.require("id"), from: 0)
            return bytes(Data(text.utf8), type: "text/plain; charset=utf-8")
        }
        on(router, .post, "/api/v1/jobs/{id}/cancel") { _, context in try json(try jobs.cancel(try context.parameters.require("id"))) }
        on(router, .post, "/api/v1/jobs/{id}/resume") { _, context in
            let (job, existing) = try jobs.resume(try context.parameters.require("id"))
            return try json(job, status: existing ? 200 : 202)
        }
        noteWebSocket("/api/v1/jobs/{id}/live")
        let token = config.token
        router.ws("/api/v1/jobs/{id}/live", onUpgrade: { inbound, outbound, context in
            let id = try context.requestContext.parameters.require("id")
            try await guardedSocket(context.request, token: token, outbound: outbound, check: { _ = try jobs.job(id) }) {
                try await JobFeed(jobs: jobs, id: id).run(inbound: inbound, outbound: outbound)
            }
        })
    }

    // MARK: runs, evaluations, findings

    func addEvaluationRoutes(_ router: Router<Context>) {
        let project = self.project, runs = self.runs, evaluations = self.evaluations, jobs = self.jobs
        on(router, .get, "/api/v1/runs") { request, _ in
            let q = Query(request)
            let order = q.string("order") ?? "asc"
            guard order == "asc" || order == "desc" else { throw StudioError.unprocessable("order '\(order)': expected asc or desc") }
            return try json(try runs.page(project, sort: q.string("sort") ?? "name", ascending: order == "asc", filter: q.string("filter") ?? "",
                                          offset: try q.int("offset") ?? 0, limit: try q.int("limit") ?? 50))
        }
        on(router, .get, "/api/v1/runs/{name}/metrics") { _, context in
            let name = try context.parameters.require("name")
            try StudioProject.checkName(name, field: "run")
            guard FileManager.default.fileExists(atPath: project.path("runs/" + name)) else { throw StudioError.notFound("run '\(name)': no such run") }
            return try json(StudioEpochs(epochs: jobs.epochs("runs/" + name).map(StudioEpoch.init)))
        }
        on(router, .put, "/api/v1/runs/{name}/notes") { request, context in
            let notes: NotesUpdate = try await decode(request, limit: 64 << 10)
            return try json(Versioned(try runs.saveNotes(project, run: try context.parameters.require("name"),
                                                         notes: StudioRunNotes(notes: notes.notes, tags: notes.tags))))
        }
        on(router, .get, "/api/v1/models") { _, _ in try json(StudioModels(models: project.models())) }
        on(router, .get, "/api/v1/evaluations") { _, _ in try json(StudioEvaluationList(evaluations: project.evaluations())) }
        on(router, .get, "/api/v1/evaluations/{id}") { request, context in
            let q = Query(request)
            return try json(try evaluations.operatingPoint(project, id: try context.parameters.require("id"), cutoff: try q.double("cutoff"),
                                                           window: try q.int("window"), refractoryMs: try q.int("refractory_ms")))
        }
        on(router, .get, "/api/v1/evaluations/{id}/trace") { request, context in
            let q = Query(request)
            guard let clip = q.string("clip") else { throw StudioError.badRequest("clip: required (a clip of the evaluation)") }
            return try json(try evaluations.trace(project, id: try context.parameters.require("id"), clip: clip, from: try q.double("from_s"),
                                                  to: try q.double("to_s"), window: try q.int("window")))
        }
        on(router, .post, "/api/v1/evaluations/{id}/operating-point") { request, context in
            let p: OperatingPointUpdate = try await decode(request, limit: 64 << 10)
            return try json(Versioned(try evaluations.saveOperatingPoint(project, id: try context.parameters.require("id"),
                                                                           cutoff: p.cutoff, window: p.window)))
        }
        on(router, .get, "/api/v1/findings") { request, _ in
            guard let id = Query(request).string("evaluation") else { throw StudioError.badRequest("evaluation: required (an evaluation id)") }
            return try json(try evaluations.findings(project, id: id))
        }
        on(router, .post, "/api/v1/findings/add") { request, _ in
            let r: FindingsAdd = try await decode(request, limit: 1 << 20)
            guard !r.items.isEmpty else { throw StudioError.unprocessable("items: empty; expected the findings to add") }
            if let synth = jobs.list().first(where: { $0.kind == "synth" && ($0.state == .running || $0.state == .queued) }) {
                throw StudioError.conflict("job \(synth.id) is writing the corpus; add findings when it has finished")
            }
            let added = try evaluations.addFindings(project, id: r.evaluation, items: r.items.map { ($0.id, $0.as) })
            return try json(FindingsAdded(added: added, corpus: project.corpusSummary()))
        }
    }

    // MARK: deploy and listen

    func addDeployRoutes(_ router: Router<Context>) {
        let project = self.project, home = self.home, limit = config.maxUploadBytes
        on(router, .get, "/api/v1/targets") { _, _ in try json(try project.targets(home: home)) }
        on(router, .get, "/api/v1/models/{model}/cost") { request, context in
            guard let target = Query(request).string("target") else { throw StudioError.badRequest("target: required (a board from /api/v1/targets)") }
            return try json(try project.cost(model: try context.parameters.require("model"), target: target, home: home))
        }
        on(router, .get, "/api/v1/models/{model}/download/{format}") { request, context in
            let (file, name) = try project.download(model: try context.parameters.require("model"), format: try context.parameters.require("format"),
                                                    board: Query(request).string("board"), home: home)
            var response = bytes(try Data(contentsOf: URL(fileURLWithPath: file)), type: "application/zip")
            response.headers[.contentDisposition] = "attachment; filename=\"\(name)\""
            return response
        }
        on(router, .get, "/api/v1/serial-ports") { _, _ in try json(SerialPorts(ports: StudioProject.serialPorts())) }
        on(router, .post, "/api/v1/listen") { request, _ in
            guard let model = Query(request).string("model") else { throw StudioError.badRequest("model: required (a model from /api/v1/models)") }
            return try json(try project.listen(model: model, audio: try await body(request, limit: limit)))
        }
        noteWebSocket("/api/v1/listen")
        let token = config.token
        router.ws("/api/v1/listen", onUpgrade: { inbound, outbound, context in
            let model = Query(context.request).string("model") ?? ""
            try await guardedSocket(context.request, token: token, outbound: outbound, check: {
                guard !model.isEmpty else { throw StudioError.badRequest("model: required (a model from /api/v1/models)") }
                _ = try project.model(named: model)
            }) {
                try await ListenFeed(project: project, model: model).run(inbound: inbound, outbound: outbound)
            }
        })
    }
}

// MARK: request bodies and small replies

struct ProjectUpdate: Codable, StrictBody { var phrase: String; var preset: String; static let keys: Set<String> = ["phrase", "preset"] }
struct NotesUpdate: Codable, StrictBody { var notes: String; var tags: [String]; static let keys: Set<String> = ["notes", "tags"] }
struct OperatingPointUpdate: Codable, StrictBody { var cutoff: Double; var window: Int; static let keys: Set<String> = ["cutoff", "window"] }
struct FindingsAdd: Codable, StrictBody {
    struct Item: Codable { var id: String; var `as`: String }
    var evaluation: String
    var items: [Item]
    static let keys: Set<String> = ["evaluation", "items"]
}
extension StudioJobRequest: StrictBody { static let keys: Set<String> = ["kind", "options"] }
extension StudioConfigUpdate: StrictBody { static let keys: Set<String> = ["values"] }

struct FindingsAdded: Codable { var schemaVersion = 1; var added: Int; var corpus: StudioCorpusSummary }
struct SerialPorts: Codable { var schemaVersion = 1; var ports: [String] }
struct StudioModels: Codable { var schemaVersion = 1; var models: [StudioModel] }
/// A value's own keys and `schema_version` beside them: a list's item answered alone.
struct Versioned<T: Encodable>: Encodable {
    enum Key: String, CodingKey { case schemaVersion }
    let value: T
    init(_ value: T) { self.value = value }

    func encode(to encoder: any Encoder) throws {
        try value.encode(to: encoder)
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(1, forKey: .schemaVersion)
    }
}
struct StudioEvaluationList: Codable { var schemaVersion = 1; var evaluations: [StudioEvaluation] }
struct StudioEpochs: Codable { var schemaVersion = 1; var epochs: [StudioEpoch] }
