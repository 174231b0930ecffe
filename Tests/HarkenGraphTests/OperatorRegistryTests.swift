import Foundation
@testable import HarkenGraph
import HarkenCodegen
import HarkenRuntime
import HarkenStream
import XCTest
import HarkenTestSupport

/// The operator registry (HarkenGraph/Operators) against the C kernels it names, the TFLite
/// round trip of the newest family, and the accumulator bound (hk_kernels.h) the importer checks.
final class OperatorRegistryTests: XCTestCase {
    static func names(_ pattern: String, in text: String) throws -> Set<String> {
        let re = try NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines])
        let range = NSRange(text.startIndex..., in: text)
        return Set(re.matches(in: text, range: range).map { String(text[Range($0.range(at: 1), in: text)!]) })
    }

    /// The symbol lists the compiler cannot check: every function a family names is one the
    /// kernel files define, and every kernel hk_kernels.h declares belongs to one family (or to
    /// the shared fixed-point helpers).
    func testKernelSymbolsAreTheCKernels() throws {
        let firmware = Support.repo.appendingPathComponent("Firmware")
        let header = try String(contentsOf: firmware.appendingPathComponent("include/harken/hk_kernels.h"), encoding: .utf8)
        let declared = try Self.names(#"^(?:void|int32_t)\s+(hk_[a-z0-9_]+)\s*\("#, in: header)
        var defined = Set<String>()
        let dir = firmware.appendingPathComponent("kernels")
        for file in try FileManager.default.contentsOfDirectory(atPath: dir.path) where file.hasSuffix(".c") {
            let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            defined.formUnion(try Self.names(#"^(?:void|int32_t)\s+(hk_[a-z0-9_]+)\s*\("#, in: text))
        }
        let claimed = Operators.all.flatMap { $0.symbols } + Operators.sharedSymbols
        XCTAssertEqual(claimed.count, Set(claimed).count, "a symbol claimed twice: \(claimed.sorted())")
        XCTAssertEqual(Set(claimed), declared, "families' symbols vs hk_kernels.h")
        XCTAssertEqual(Set(claimed), defined, "families' symbols vs Firmware/kernels/*.c")
        XCTAssertEqual(Operators.kernelSymbols.sorted(), claimed.sorted())
    }

    func testEveryWrittenBuiltinIsRead() {
        for family in Operators.all {
            for b in family.writes.keys {
                XCTAssertNotNil(family.reads[b], "\(family) writes \(b.name) but does not read it")
            }
            XCTAssertFalse(family.reads.isEmpty, "\(family) reads nothing")
        }
        XCTAssertEqual(Operators.byBuiltin.count, Operators.all.reduce(0) { $0 + $1.reads.count })
        XCTAssertEqual(Operators.builtin(code: 19)?.name, "RELU")
        XCTAssertEqual(BuiltinOp.name(of: 21), "RELU6")
    }

    static func int8(_ b: inout GraphBuilder, _ name: String, _ shape: [Int], _ scale: Float, _ zp: Int32, data: [Int8]? = nil) -> Int {
        b.tensor(name, .int8, shape, Quantization(scale: scale, zeroPoint: zp), data: data.map { $0.map { UInt8(bitPattern: $0) } })
    }

    /// A graph of one RELU, through Harken's TFLite writer and reader: the same operator, the same
    /// generated C, and every int8 input value mapped as the lowering's parameters say.
    func testReluRoundTripsThroughTFLite() throws {
        var b = GraphBuilder()
        let x = Self.int8(&b, "x", [1, 256], 0.05, 3)
        let y = Self.int8(&b, "y", [1, 256], 0.04, -20)
        b.op(.relu, [x], [y])
        b.inputs = [x]
        b.outputs = [y]
        let graph = try b.build(description: "relu")
        let back = try Graph(tflite: [UInt8](try graph.tfliteData()), file: "relu.tflite")
        XCTAssertEqual(back.operators.map(\.name), ["RELU"])
        XCTAssertEqual(back.operators[0].version, 2)
        let (plan, planBack) = (try graph.lower(), try back.lower())
        XCTAssertEqual(CEmitter(plan: plan, name: "relu").source, CEmitter(plan: planBack, name: "relu").source)

        let runner = ModelRunner(plan: planBack)
        let input = runner.input()
        for i in 0..<256 { input[i] = UInt8(i) }
        runner.invoke()
        for i in 0..<256 {
            let q = Int(Int8(bitPattern: UInt8(i)))
            let real = max(0, 0.05 * Double(q - 3))
            let expected = min(127, max(-20, Int((real / 0.04).rounded()) - 20))
            XCTAssertLessThanOrEqual(abs(Int(Int8(bitPattern: runner.output()[i])) - expected), 1, "input \(q)")
        }
    }

    func testZeroPointOutsideItsTypeIsRefused() throws {
        var b = GraphBuilder()
        let x = Self.int8(&b, "x", [4], 0.05, 200)
        let y = Self.int8(&b, "y", [4], 0.05, 0)
        b.op(.relu, [x], [y])
        b.inputs = [x]
        b.outputs = [y]
        XCTAssertThrowsError(try b.build(description: "zp").lower(file: "zp")) { e in
            XCTAssertTrue("\(e)".contains("zero point within int8's range -128...127, got 200"), "\(e)")
        }
    }

    /// CONV_2D of one output over `taps` input channels, or FULLY_CONNECTED of that depth.
    func lowerOne(_ op: BuiltinOp, taps: Int, weightZeroPoint: Int32 = 0) throws -> Plan {
        var b = GraphBuilder()
        let conv = op == .conv2d
        let x = Self.int8(&b, "x", conv ? [1, 1, 1, taps] : [1, taps], 0.01, 0)
        let w = b.tensor("w", .int8, conv ? [1, 1, 1, taps] : [1, taps],
                         Quantization(scale: 0.01, zeroPoint: weightZeroPoint), data: [UInt8](repeating: 1, count: taps))
        let y = Self.int8(&b, "y", conv ? [1, 1, 1, 1] : [1, 1], 1, 0)
        b.op(op, [x, w], [y]) { $0.padding = 1 }
        b.inputs = [x]
        b.outputs = [y]
        return try b.build(description: "bound").lower(file: "bound")
    }

    /// The importer takes layers up to the bound hk_kernels.h states and refuses one term more.
    /// (Tests/Oracles/op_models.py's acc_bound_* fixtures run the largest sums against TFLM.)
    func testAccumulatorBound() throws {
        let terms = Int(HK_ACC_MAX_TERMS), offsetTerms = Int(HK_ACC_MAX_TERMS_OFFSET_WEIGHTS)
        XCTAssertEqual(terms, 65536)
        XCTAssertEqual(offsetTerms, 32768)
        // Raw weights: |x - zp| <= 255, |w| <= 128.
        XCTAssertLessThanOrEqual(terms * 255 * 128, Int(Int32.max))
        XCTAssertGreaterThan((2 * terms) * 255 * 128, Int(Int32.max))
        // Offset weights: |w - zp| <= 255.
        XCTAssertLessThanOrEqual(offsetTerms * 255 * 255, Int(Int32.max))
        XCTAssertGreaterThan((2 * offsetTerms) * 255 * 255, Int(Int32.max))

        XCTAssertNoThrow(try lowerOne(.conv2d, taps: terms))
        XCTAssertThrowsError(try lowerOne(.conv2d, taps: terms + 1)) { e in
            XCTAssertTrue("\(e)".contains("at most 65536 multiply-accumulates per output"), "\(e)")
        }
        XCTAssertNoThrow(try lowerOne(.fullyConnected, taps: terms))
        XCTAssertThrowsError(try lowerOne(.fullyConnected, taps: terms + 1)) { e in
            XCTAssertTrue("\(e)".contains("an input depth of at most 65536"), "\(e)")
        }
        XCTAssertNoThrow(try lowerOne(.fullyConnected, taps: offsetTerms, weightZeroPoint: 5))
        XCTAssertThrowsError(try lowerOne(.fullyConnected, taps: offsetTerms + 1, weightZeroPoint: 5)) { e in
            XCTAssertTrue("\(e)".contains("an input depth of at most 32768"), "\(e)")
        }
    }
}
