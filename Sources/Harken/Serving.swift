import ArgumentParser
import Foundation

/// Runs a server until it stops (SIGINT/SIGTERM, which `run` handles), printing `announce`'s line
/// once it listens, unbuffered, so that a script waiting for the address sees it at once.
func serveUntilStopped(host: String, port: Int,
                       _ run: @escaping @Sendable (_ onStart: @escaping @Sendable (String, Int) -> Void) async throws -> Void,
                       announce: @escaping @Sendable (_ url: String) -> String) throws {
    let done = DispatchSemaphore(value: 0)
    let failure = ServeFailure()
    Task {
        do {
            try await run { host, port in
                let shown = host.contains(":") ? "[\(host)]" : host
                FileHandle.standardOutput.write(Data((announce("http://\(shown):\(port)") + "\n").utf8))
            }
        } catch { failure.error = error }
        done.signal()
    }
    done.wait()
    if let error = failure.error {
        FileHandle.standardError.write(Data("error: cannot serve on \(host):\(port): \(error)\n".utf8))
        throw ExitCode(1)
    }
}

private final class ServeFailure: @unchecked Sendable { var error: (any Error)? }
