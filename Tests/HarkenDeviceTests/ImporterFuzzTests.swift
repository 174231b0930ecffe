import Foundation
import HarkenGraph
import XCTest
import HarkenSupport
import HarkenTestSupport

/// The importer against hostile input: a seeded mutation loop over the four
/// published models. Every mutant either imports and lowers, or is rejected with
/// an error that says where and what; nothing crashes.
final class ImporterFuzzTests: XCTestCase {
    static func mutate(_ original: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var b = original
        for _ in 0...rng.below(4) {
            switch rng.below(6) {
            case 0: b[rng.below(b.count)] = UInt8(truncatingIfNeeded: rng.next())         // random byte
            case 1: b[rng.below(b.count)] ^= UInt8(1 << rng.below(8))                      // bit flip
            case 2:                                                                         // hostile 32-bit value
                let at = rng.below(b.count - 4)
                let v: UInt32 = [0, 0xFFFF_FFFF, 0x7FFF_FFFF, 0x8000_0000, UInt32(b.count), UInt32(rng.below(256))][rng.below(6)]
                for k in 0..<4 { b[at + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) }
            case 3: b = Array(b.prefix(rng.below(b.count)))                                 // truncation
                if b.count < 8 { return b }
            case 4:                                                                         // copied block
                let from = rng.below(b.count - 16), to = rng.below(b.count - 16)
                for k in 0..<16 { b[to + k] = b[from + k] }
            default: b[rng.below(min(b.count, 512))] = UInt8(truncatingIfNeeded: rng.next()) // header and tables region
            }
        }
        return b
    }

    func testHundredThousandMutations() throws {
        let models = try Support.modelNames.map { [UInt8](try Data(contentsOf: URL(fileURLWithPath: try Support.modelPath($0)))) }
        var rng = SplitMix64(seed: 20261125)
        var accepted = 0, rejected = 0
        var kinds: [String: Int] = [:]
        let total = 100_000
        for i in 0..<total {
            let mutant = ImporterFuzzTests.mutate(models[i % models.count], &rng)
            do {
                let g = try Graph(tflite: mutant, file: "mutant-\(i)")
                _ = try g.lower(file: "mutant-\(i)")
                accepted += 1
            } catch let e as GraphError {
                rejected += 1
                let text = e.description
                XCTAssertTrue(text.contains("mutant-\(i)"), "error does not name the file: \(text)")
                switch e {
                case .malformed(_, let offset, let table, let expected):
                    XCTAssertLessThanOrEqual(offset, mutant.count, text)
                    XCTAssertFalse(table.isEmpty || expected.isEmpty, text)
                    kinds["malformed", default: 0] += 1
                case .unsupportedOperator: kinds["unsupported", default: 0] += 1
                case .invalid(_, let location, let expected):
                    XCTAssertFalse(location.isEmpty || expected.isEmpty, text)
                    kinds["invalid", default: 0] += 1
                case .unreadable: kinds["unreadable", default: 0] += 1
                }
            }
        }
        XCTAssertEqual(accepted + rejected, total)
        // Both outcomes must occur, or the loop tested nothing.
        XCTAssertGreaterThan(rejected, total / 10)
        XCTAssertGreaterThan(accepted, 100)
        print("fuzz: \(total) mutants, \(accepted) accepted, \(rejected) rejected \(kinds)")
    }

    func testNamedErrors() throws {
        let jarvis = [UInt8](try Data(contentsOf: URL(fileURLWithPath: try Support.modelPath("hey_jarvis"))))
        XCTAssertThrowsError(try Graph(tflite: Array(jarvis.prefix(5)), file: "short.tflite")) { e in
            XCTAssertEqual(e as? GraphError, .malformed(file: "short.tflite", byteOffset: 0, table: "file header",
                                                        expected: "at least 8 bytes (root offset and file identifier), got 5"))
        }
        var badRoot = jarvis
        badRoot[0] = 0xFF; badRoot[1] = 0xFF; badRoot[2] = 0xFF; badRoot[3] = 0x7F
        XCTAssertThrowsError(try Graph(tflite: badRoot, file: "root.tflite")) { e in
            XCTAssertTrue("\(e)".contains("root offset"), "\(e)")
        }
        XCTAssertThrowsError(try Graph.load(tflite: "/nonexistent/model.tflite")) { e in
            XCTAssertTrue("\(e)".hasPrefix("/nonexistent/model.tflite: cannot read the model"), "\(e)")
        }
    }
}

/// Operators and versions Harken does not run are named with their operator index.
final class UnsupportedOperatorTests: XCTestCase {
    func retag(_ from: Int, _ to: Int, version: Int? = nil) throws -> String {
        let out = try Support.tempDir("retag").appendingPathComponent("model.tflite").path
        try Support.py("retag_operator.py", [try Support.modelPath("hey_jarvis"), out, String(from), String(to)] + (version.map { [String($0)] } ?? []))
        return out
    }

    func testUnknownOperatorIsNamed() throws {
        let path = try retag(14, 28)   // LOGISTIC -> TANH
        XCTAssertThrowsError(try Graph.load(tflite: path)) { e in
            XCTAssertEqual(e as? GraphError, .unsupportedOperator(file: path, op: "TANH", version: 2, operatorIndex: 43))
        }
    }

    func testNewerVersionIsNamed() throws {
        let path = try retag(9, 9, version: 99)   // FULLY_CONNECTED v99
        XCTAssertThrowsError(try Graph.load(tflite: path)) { e in
            XCTAssertEqual("\(e)", "\(path): operator 42 is FULLY_CONNECTED version 99, which Harken does not support")
        }
    }

    func testRewrittenModelStillImports() throws {
        // The object-API round trip itself must not be what breaks the model.
        let path = try retag(14, 14)
        XCTAssertNoThrow(try Graph.load(tflite: path).lower(file: path))
    }
}
