import ArgumentParser
import Foundation
import HarkenData
import HarkenPipeline

struct Synth: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Synthesize a corpus for a wake phrase (positives, near misses, negative speech and noise from every installed TTS voice), or with --stress the stress benchmark: voices, rooms, noise and sentences training never uses.")

    @Option(help: "The wake phrase.") var phrase = ""
    @Option(help: "Output folder (clips/ and manifest.jsonl).") var out = ""
    @Option(help: "Training speakers (voices at a vocal-tract factor); validation and test get a fifth each.") var speakers = CorpusSynthesizer.Default.speakers
    @Option(help: "Positives per speaker (rate, pitch and punctuation drawn for each).") var variations = CorpusSynthesizer.Default.variations
    @Option(help: "Near misses per speaker (phoneme neighbours, neighbour words, partial phrases).") var nearMisses = CorpusSynthesizer.Default.nearMisses
    @Option(help: "Natural negative sentences per speaker.") var negatives = CorpusSynthesizer.Default.negatives
    @Option(help: "Minutes of continuous negative speech from the test voices (false accepts per hour).") var testMinutes = CorpusSynthesizer.Default.testMinutes
    @Option(help: "Minutes of continuous negative speech from the validation voices (the shipped cutoff is the lowest meeting the false-accept target on them; 6 h resolve it to 1/6 per hour).") var validationMinutes = CorpusSynthesizer.Default.validationMinutes
    @Option(help: "Minutes of continuous negative speech from the training voices (negatives, hard-negative mining).") var trainMinutes = CorpusSynthesizer.Default.trainMinutes
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Flag(help: "Make the stress benchmark instead (held-out voices and vocal tracts, rooms to RT60 1 s, noise to 0 dB SNR, music, near misses, hours of running speech).") var stress = false
    @Option(help: "With --stress: positives.") var positives = StressBenchmark.Default.positives
    @Option(help: "With --stress: held-out speakers per near-miss text.") var speakersPerNearMiss = StressBenchmark.Default.speakersPerNearMiss
    @Option(help: "With --stress: hours of running speech (false accepts per hour).") var speechHours = StressBenchmark.Default.speechHours
    @Flag(help: "Measure how fast each engine speaks through Harken (audio seconds per wall second) instead.") var measureThroughput = false
    @Flag(help: "Print a summary as JSON.") var json = false

    func validate() throws {
        if measureThroughput { return }
        if phrase.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--phrase is needed and must not be empty") }
        if out.isEmpty { throw ValidationError("--out is needed: the folder for clips/ and manifest.jsonl") }
        if variations < 1 { throw ValidationError("--variations must be at least 1") }
        if nearMisses < 0 || negatives < 0 || testMinutes < 0 || validationMinutes < 0 || trainMinutes < 0 {
            throw ValidationError("--near-misses, --negatives and the --*-minutes options must not be negative")
        }
    }

    func run() throws {
        if measureThroughput {
            let t = try guarded { try Pipeline.synthesisThroughput(job: terminalJob(quiet: json)) }
            if json { return try printJSON(t) }
            for e in t.engines {
                print(e.speaker.padding(toLength: 30, withPad: " ", startingAt: 0)
                      + String(format: "%5.1f s of audio in %5.1f s: %6.1f× real time", e.audioSeconds, e.wallSeconds, e.audioSecondsPerSecond))
            }
            return
        }
        if stress {
            var request = StressRequest(phrase: phrase, outDir: out)
            request.seed = seed
            request.positives = positives
            request.speakersPerNearMiss = speakersPerNearMiss
            request.speechHours = speechHours
            return try report(guarded { try Pipeline.synthesizeStress(request, job: terminalJob(quiet: json)) })
        }
        var request = SynthRequest(phrase: phrase, outDir: out)
        request.speakers = speakers
        request.seed = seed
        request.variations = variations
        request.nearMisses = nearMisses
        request.negatives = negatives
        request.testMinutes = testMinutes
        request.validationMinutes = validationMinutes
        request.trainMinutes = trainMinutes
        try report(guarded { try Pipeline.synthesize(request, job: terminalJob(quiet: json)) })
    }

    func report(_ s: SynthReport) throws {
        if json { return try printJSON(s) }
        print("\(s.clips) clips from \(s.voices) voices in \(out): " + s.byKind.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
        print("splits by voice: " + s.bySplit.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ") + "; manifest \(s.manifest)")
    }
}
