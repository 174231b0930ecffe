import ArgumentParser
import Foundation
import HarkenAudio
import HarkenPipeline
import HarkenSupport

@main
struct Harken: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "harken",
        abstract: "Custom wake words for microcontrollers: synthesize, train, quantize, compile, simulate and ship int8 streaming models.",
        subcommands: [Synth.self, Train.self, Eval.self, BenchAccuracy.self, Quantize.self, Export.self, Compile.self, Simulate.self, Firmware.self, Bench.self, Boards.self, Size.self, Cost.self, Zoo.self, Demo.self, Judge.self, Mine.self, Serve.self]
    )
}

/// Prints `value` as Harken's JSON (snake_case keys, sorted, pretty; see HarkenJSON).
func printJSON<T: Encodable>(_ value: T) throws {
    print(try HarkenJSON.string(value))
}

/// Runs a pipeline call and turns its errors into a clean message (with its stable code) and exit status 1.
func guarded<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let e as CodedError {
        // The code is what scripts and the HTTP API switch on; the message is for people.
        FileHandle.standardError.write(Data("error: \(e.description) [\(e.code)]\n".utf8))
        throw ExitCode(1)
    } catch let e as CustomStringConvertible {
        FileHandle.standardError.write(Data("error: \(e.description)\n".utf8))
        throw ExitCode(1)
    }
}

/// A one-line progress bar on a terminal; silent when stderr is not one, unless
/// `HARKEN_PROGRESS_LINES=1` asks for one line per whole percent (`progress STAGE FRACTION DETAIL`),
/// which is how Harken Studio follows the jobs it starts.
final class ProgressBar: @unchecked Sendable {
    let label: String
    let lines = ProcessInfo.processInfo.environment["HARKEN_PROGRESS_LINES"] == "1"
    lazy var enabled = isatty(2) != 0 || lines
    private var last = ""
    private let lock = NSLock()
    private let start = Date()

    init(_ label: String) { self.label = label }

    /// Redraws when the percentage or the detail changes; shows the time left once 1 % is done.
    func update(_ fraction: Double, detail: String) {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        let pct = Int(fraction * 100)
        let elapsed = Date().timeIntervalSince(start)
        let eta = fraction >= 0.01 && fraction < 1 ? String(format: " ETA %d:%02d", Int(elapsed / fraction - elapsed) / 60, Int(elapsed / fraction - elapsed) % 60) : ""
        let key = lines ? "\(pct)" : "\(pct)|\(detail)|\(eta)"
        guard key != last else { return }
        last = key
        if lines { return FileHandle.standardError.write(Data(String(format: "progress %@ %.3f %@\n", label, fraction, detail).utf8)) }
        let filled = pct * 30 / 100
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled)
        FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(pct)%\(detail.isEmpty ? "" : " " + detail)\(eta)\u{1B}[K".utf8))
        if pct >= 100 { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}


/// Bars drawn per stage, the log printed (when `quiet` is false), and Ctrl-C turned into the job's
/// cancellation: the pipeline stops at its next check and the command exits with the error.
func terminalJob(quiet: Bool = false) -> Job {
    let bars = ProgressBars()
    let token = CancellationToken()
    signal(SIGINT, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
    source.setEventHandler {
        if token.isCancelled { exit(130) }
        FileHandle.standardError.write(Data("\ncancelling (Ctrl-C again to quit now)\n".utf8))
        token.cancel()
    }
    source.resume()
    interruptSources.append(source)
    return Job(progress: { bars.bar($0.stage).update($0.fraction, detail: $0.detail) },
               log: { line in if !quiet { print(line) } }, cancellation: token)
}

nonisolated(unsafe) private var interruptSources: [DispatchSourceSignal] = []

/// One progress bar per stage name, made when the stage first reports.
final class ProgressBars: @unchecked Sendable {
    private var bars: [String: ProgressBar] = [:]
    private let lock = NSLock()

    func bar(_ stage: String) -> ProgressBar {
        lock.lock(); defer { lock.unlock() }
        if let b = bars[stage] { return b }
        let b = ProgressBar(stage)
        bars[stage] = b
        return b
    }
}
