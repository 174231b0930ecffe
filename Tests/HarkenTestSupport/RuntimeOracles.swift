import Foundation
import HarkenGraph
import HarkenStream
import XCTest

/// Harken's runtime beside TFLM and LiteRT on the same int8 steps.
public enum RuntimeOracles {
    /// Harken's runtime outputs at each step, state carried across steps.
    public static func outputs(_ plan: Plan, _ steps: [[UInt8]], kernels: KernelVariant = .reference) -> [UInt8] {
        let r = ModelRunner(plan: plan, kernels: kernels)
        return steps.flatMap { s -> [UInt8] in
            r.input().copyBytes(from: s)
            r.invoke()
            return Array(r.output())
        }
    }

    /// The .tflite at `path` streamed through TFLM and LiteRT's reference kernels gives Harken's
    /// outputs at every step.
    public static func assertIdenticalInTFLMAndLiteRT(_ path: String, plan: Plan, steps: [[UInt8]], in dir: URL,
                                               file: StaticString = #filePath, line: UInt = #line) throws {
        let mine = outputs(plan, steps)
        let inputs = dir.appendingPathComponent("inputs.bin").path
        try Data(steps.flatMap { $0 }).write(to: URL(fileURLWithPath: inputs))
        for oracle in ["tflm_stream.py", "litert_stream.py"] {
            let out = dir.appendingPathComponent("\(oracle).out").path
            try Support.py(oracle, [path, inputs, out])
            let theirs = [UInt8](try Data(contentsOf: URL(fileURLWithPath: out)))
            XCTAssertEqual(theirs.count, mine.count, "\(path) \(oracle)", file: file, line: line)
            let differing = zip(theirs, mine).filter { $0 != $1 }.count
            print("\((path as NSString).lastPathComponent): \(steps.count) steps, \(oracle): \(differing) outputs differ from Harken")
            XCTAssertEqual(differing, 0, "\(path) \(oracle)", file: file, line: line)
        }
    }
}
