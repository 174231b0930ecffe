import Foundation
import HarkenSupport

/// A board emulator (QEMU) running a firmware image with its UART on a
/// pseudo-terminal, so the bench harness reaches it as it would a real port.
public final class Emulator {
    public let process: Process
    public let ptyPath: String
    private let stderrFile: URL

    /// `command` is the target's emulator command line, without kernel and serial options.
    public init(command: [String], elf: String, startupSeconds: Double = 10) throws {
        guard let tool = command.first else { throw BenchError.cannotOpen(port: "emulator", reason: "no emulator command") }
        guard let exe = Executable.find(tool) else {
            throw BenchError.cannotOpen(port: tool, reason: "\(tool) is not installed; run `make setup`")
        }
        guard FileManager.default.fileExists(atPath: elf) else { throw BenchError.cannotOpen(port: elf, reason: "no such firmware image") }
        process = Process()
        process.executableURL = URL(fileURLWithPath: exe)
        process.arguments = Array(command.dropFirst()) + ["-kernel", elf, "-serial", "pty", "-monitor", "none"]
        // QEMU names the pty on stderr; a file avoids a pipe that nobody drains later.
        stderrFile = FileManager.default.temporaryDirectory.appendingPathComponent("harken-emulator-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        let log = try FileHandle(forWritingTo: stderrFile)
        process.standardError = log
        process.standardOutput = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(startupSeconds)
        var found: String?
        while found == nil && Date() < deadline && process.isRunning {
            usleep(20_000)
            let text = (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? ""
            if let r = text.range(of: #"/dev/pts/[0-9]+"#, options: .regularExpression) { found = String(text[r]) }
        }
        guard let pty = found else {
            let text = (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? ""
            process.terminate()
            throw BenchError.cannotOpen(port: tool, reason: "the emulator did not open a serial pty: \(text.suffix(500))")
        }
        ptyPath = pty
    }

    /// What the emulator printed so far (its pty's path, warnings, a guest's lock-up).
    public var log: String { (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "" }

    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: stderrFile)
    }

    deinit { stop() }
}
