import ArgumentParser
import Foundation
import HarkenData
import HarkenPipeline

/// `harken mine`: closed-loop hard-negative mining.
struct Mine: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Find a model's false accepts and false rejects on audio, add chosen ones to the training split with their provenance, and fine-tune; rounds persist in --project.")

    @Option(help: "The first round's model: a harken train folder.") var model: String?
    @Option(help: "Corpus folder whose training split receives the mined clips.") var data: String
    @Option(help: "Mining folder (mine.json, rounds/N/findings.{json,html}, clips, fine-tuned models).") var project: String
    @Option(help: "A folder of audio heard as negative (every detection a false accept); default: the corpus split's streams.") var audio: String?
    @Option(help: "Corpus split mined when no --audio is given.") var split = "train"
    @Option(help: "Split each round's model is measured on at the fixed cutoff (none: skip).") var measure = "test"
    @Option(help: "Corpus to measure on (default: --data; a stress benchmark measures on held-out voices).") var measureData: String?
    @Option(help: "Cutoff false accepts are listed at (default: --cutoff): lower also gathers near-accepts.") var miningCutoff: Double?
    @Flag(help: "Inject every finding and fine-tune, for --rounds rounds.") var auto = false
    @Option(help: "Rounds to run with --auto.") var rounds = 1
    @Option(help: "Finding ids to inject, comma-separated (from the last round's findings).") var inject: String?
    @Option(help: "Fine-tuning epochs per round.") var epochs = 4
    @Option(help: "Detection cutoff of every round (default: the first model's shipped cutoff).") var cutoff: Double?
    @Flag(help: "Show the rounds so far and exit.") var report = false
    @Flag(help: "Print the mining state as JSON.") var json = false

    func run() throws {
        if report {
            guard let state = try guarded({ try Pipeline.mineState(project) }) else {
                throw ValidationError("\(project): no mining rounds yet (run harken mine --model ... first)")
            }
            return json ? try printJSON(state) : print(Mine.describe(state))
        }
        guard let s = ClipRecord.Split(rawValue: split) else { throw ValidationError("--split must be train, validation or test") }
        let existing = try guarded { try Pipeline.mineState(project) }
        guard let start = model ?? existing?.startModel else { throw ValidationError("--model is required for the first round") }
        var r = MineRequest(model: start, dataDir: data, project: project)
        r.audioDir = audio
        r.split = s
        r.measureSplit = measure == "none" ? nil : ClipRecord.Split(rawValue: measure)
        r.measureDir = measureData
        r.miningCutoff = miningCutoff
        r.auto = auto
        r.rounds = rounds
        r.inject = inject?.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } ?? []
        r.epochs = epochs
        r.cutoff = cutoff
        let state = try guarded { try Pipeline.mine(r, job: terminalJob(quiet: json)) }
        if json { return try printJSON(state) }
        print(Mine.describe(state))
    }

    static func describe(_ s: MineState) -> String {
        var out = "mining \(s.startModel) on \(s.corpus) at cutoff \(String(format: "%.3f", s.cutoff))\n"
        out += "round  mined h  FA   FA/h    missed  measured FA/h  measured FRR  injected  fine-tuned\n"
        for r in s.rounds {
            out += String(format: "%5d  %7.2f  %4d %6.2f  %6d  %13@  %12@  %8@  %@\n", r.round, r.minedHours, r.falseAccepts, r.falseAcceptsPerHour,
                          r.falseRejects, r.measured.map { String(format: "%.2f", $0.falseAcceptsPerHour) } ?? "-",
                          r.measured.map { String(format: "%.1f %%", $0.falseRejectRate * 100) } ?? "-",
                          r.injected.map(String.init) ?? "-", r.trainedModel ?? "-")
        }
        return out
    }
}
