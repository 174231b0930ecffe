import Foundation

/// Outside programs Harken drives (TTS engines, cross compilers, CMake, QEMU):
/// found on PATH, run to completion, their output kept for the error message.
public enum Executable {
    public enum Failure: CodedError, Equatable {
        public static let domain = "tool"

        case missing(String)
        case failed(tool: String, status: Int32, output: String)

        public var description: String {
            switch self {
            case let .missing(tool): return "\(tool) is not installed; run `make setup`"
            case let .failed(tool, status, output): return "\(tool) failed with status \(status):\n\(output)"
            }
        }
    }

    public static func find(_ name: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let search = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return search.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a program to completion; returns its standard output and error together.
    @discardableResult
    public static func run(_ name: String, _ args: [String]) throws -> String {
        guard let exe = find(name) else { throw Failure.missing(name) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard p.terminationStatus == 0 else { throw Failure.failed(tool: name, status: p.terminationStatus, output: String(text.suffix(2000))) }
        return text
    }
}
