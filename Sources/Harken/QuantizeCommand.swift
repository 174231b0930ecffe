import ArgumentParser
import Foundation
import HarkenPipeline

struct Quantize: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Quantization-aware fine-tuning of a trained Sentry, then FRR of the int8 model beside the float model and post-training quantization.")

    @Option(help: "A harken train output folder.") var model: String
    @Option(help: "The corpus it was trained on.") var data: String
    @Option(help: "Output folder (a model folder like harken train's).") var out: String
    @Option(help: "QAT epochs (the last with frozen ranges).") var epochs = 3
    @Option(help: "Weight of the float model's own probabilities in the fine-tuning targets (0: labels only).")
    var distillation: Float = 0.8
    @Flag(help: "Print the report as JSON.") var json = false

    func validate() throws {
        if epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if !(0...1).contains(distillation) { throw ValidationError("--distillation must be between 0 and 1") }
    }

    func run() throws {
        let r = try guarded {
            try Pipeline.quantize(model: model, dataDir: data, outDir: out, epochs: epochs, distillation: distillation,
                                  job: terminalJob(quiet: json))
        }
        if json { return try printJSON(r) }
        for e in [r.float, r.postTraining, r.quantizationAware] {
            print(String(format: "%@: FRR %.1f %% at %.2f false accepts/hour (cutoff %.3f)", e.model, e.falseRejectRate * 100, e.falseAcceptsPerHour, e.cutoff))
        }
        print("model: \(r.model)")
    }
}
