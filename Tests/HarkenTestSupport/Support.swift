import Foundation
import HarkenSupport
import HarkenTargets
import XCTest

/// Paths and processes the tests share: the repository, the oracle venv, temp folders.
public enum Support {
    public static let repo: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Targets/, Templates/ and Firmware/ of this checkout.
    public static var home: HarkenHome { HarkenHome(root: repo) }

    public static var python: String {
        ProcessInfo.processInfo.environment["HARKEN_PYTHON"] ?? repo.appendingPathComponent(".venv/bin/python").path
    }

    public static func oracle(_ script: String) -> String { repo.appendingPathComponent("Tests/Oracles/\(script)").path }

    public static func tempDir(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("harken-test-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A folder several test classes read and none writes (a synthesized corpus), made once per
    /// suite run: scripts/run_tests.py runs the classes in separate processes and names a folder
    /// for them in HARKEN_TEST_SHARED; the first process to ask makes it under a file lock while
    /// the others wait. Without the variable each process makes its own.
    public static func shared(_ name: String, make: (String) throws -> Void) throws -> String {
        guard let root = ProcessInfo.processInfo.environment["HARKEN_TEST_SHARED"] else {
            let dir = try tempDir(name).appendingPathComponent(name).path
            try make(dir)
            return dir
        }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let dir = root + "/" + name
        let fd = open(dir + ".lock", O_CREAT | O_RDWR, 0o644)
        guard fd >= 0, flock(fd, LOCK_EX) == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: dir + ".lock"]) }
        defer { close(fd) }
        if FileManager.default.fileExists(atPath: dir) { return dir }
        // Made beside and renamed: a class that died half-way leaves no folder the next one trusts.
        let partial = dir + ".partial"
        try? FileManager.default.removeItem(atPath: partial)
        try make(partial)
        try FileManager.default.moveItem(atPath: partial, toPath: dir)
        return dir
    }

    public struct Result { public var status: Int32; public var stdout: String; public var stderr: String }

    @discardableResult
    public static func run(_ exe: String, _ args: [String], check: Bool = true, in directory: String? = nil,
                    environment: [String: String]? = nil) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
        if let environment { p.environment = environment }
        let out = Pipe()
        // stderr goes to a file so a chatty child can never block on a full pipe.
        let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("harken-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let err = try FileHandle(forWritingTo: errURL)
        defer { try? FileManager.default.removeItem(at: errURL) }
        p.standardOutput = out
        p.standardError = err
        let started = Date()
        try p.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        // HARKEN_TEST_TIMING=1 shows where an integration test's minutes go.
        if ProcessInfo.processInfo.environment["HARKEN_TEST_TIMING"] != nil {
            let name = URL(fileURLWithPath: exe).lastPathComponent
            FileHandle.standardError.write(Data(String(format: "[timing] %6.1f s  %@ %@\n", Date().timeIntervalSince(started), name,
                                                       args.prefix(3).joined(separator: " ")).utf8))
        }
        try err.close()
        let errData = (try? Data(contentsOf: errURL)) ?? Data()
        let r = Result(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                       stderr: String(decoding: errData, as: UTF8.self))
        if check && r.status != 0 {
            throw NSError(domain: "harken-test", code: Int(r.status),
                          userInfo: [NSLocalizedDescriptionKey: "\(exe) \(args.joined(separator: " ")) failed (\(r.status)): \(r.stderr)"])
        }
        return r
    }

    @discardableResult
    public static func py(_ script: String, _ args: [String]) throws -> Result {
        try run(python, [oracle(script)] + args)
    }

    /// microWakeWord's published models, from the pymicro-wakeword package.
    public static let modelNames = ["hey_jarvis", "alexa", "hey_mycroft", "okay_nabu"]

    public static func modelPath(_ name: String) throws -> String {
        try run(python, [repo.appendingPathComponent("scripts/mww_model.py").path, name]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The mixed test audio (speech, silence, noise, a clipped tone), made once per run.
    public static let mixedAudio: Lazy<String> = Lazy {
        let dir = try tempDir("audio")
        let path = dir.appendingPathComponent("mixed.wav").path
        try py("make_mixed_audio.py", [path, "--seconds", "64", "--seed", "7"])
        return path
    }

    /// The integration tests' small corpus: 40 voices, about a minute of speech per split.
    public static let smallCorpus: Lazy<String> = Lazy {
        try shared("corpus-hey-jarvis") { dir in
            try run(harkenBinary, ["synth", "--phrase", "hey jarvis", "--out", dir, "--speakers", "40", "--variations", "2",
                                   "--near-misses", "1", "--negatives", "2", "--test-minutes", "1",
                                   "--validation-minutes", "1", "--train-minutes", "1", "--seed", "3"])
        }
    }

    public static var harkenBinary: String {
        repo.appendingPathComponent(".build/debug/harken").path
    }

    /// The built `harken` with `args`, its status and output returned whatever it is.
    public static func harken(_ args: [String]) throws -> Result {
        try run(harkenBinary, args, check: false)
    }
}

/// A lazily computed, cached throwing value.
public final class Lazy<T>: @unchecked Sendable {
    private var value: T?
    private let make: () throws -> T
    private let lock = NSLock()
    public init(_ make: @escaping () throws -> T) { self.make = make }
    public func get() throws -> T {
        lock.lock(); defer { lock.unlock() }
        if let value { return value }
        let v = try make()
        value = v
        return v
    }
}

extension Data {
    public var int8s: [Int8] { map { Int8(bitPattern: $0) } }
}

extension SplitMix64 {
    /// Uniform in 0..<n (fuzzers pick mutations and lengths with it).
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
}
