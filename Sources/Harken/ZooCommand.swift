import ArgumentParser
import Foundation
import HarkenPipeline

struct Zoo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the model zoo: int8 .tflite models in the published shapes of DS-CNN-S/M/L, MLPerf Tiny's streaming wake word net, ResNet-8 and visual wake words MobileNetV1 0.25, built by Harken's exporter (untrained, calibrated).")

    @Option(help: "Folder for <name>.tflite.") var out = "zoo"
    @Flag(help: "Print the result as JSON.") var json = false

    func run() throws {
        let r = try guarded { try Pipeline.zoo(outDir: out, job: terminalJob(quiet: true)) }
        if json { return try printJSON(r) }
        print("model          MACs        parameters  arena B  weights B  input -> output")
        for m in r.models {
            print(m.name.padding(toLength: 14, withPad: " ", startingAt: 0) + String(m.macs).leftPad(11) + String(m.parameters).leftPad(12)
                  + String(m.arenaBytes).leftPad(9) + String(m.weightBytes).leftPad(11) + "  \(m.inputShape) -> \(m.outputShape)")
        }
        for m in r.models { print("  wrote \(m.file)") }
    }
}
