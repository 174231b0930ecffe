import CArmISS
import Foundation
import HarkenSupport

/// Cycle counts from an instruction-set simulator of a Cortex-M core (Unicorn
/// executes, Capstone decodes, per-core timing tables charge; Sources/CArmISS).
public final class InstructionSetSimulator {
    public enum Core: String, CaseIterable, Sendable {
        case m0plus = "cortex-m0plus", m4 = "cortex-m4", m7 = "cortex-m7", m33 = "cortex-m33"

        /// The core a target names; M0 runs on the M0+ model (same Armv6-M instruction set and timings).
        public init?(targetCore: String) {
            switch targetCore {
            case "cortex-m0", "cortex-m0plus": self = .m0plus
            case "cortex-m4": self = .m4
            case "cortex-m7": self = .m7
            case "cortex-m33": self = .m33
            default: return nil
            }
        }

        var c: hk_iss_core_t {
            switch self {
            case .m0plus: return HK_ISS_CORE_M0PLUS
            case .m4: return HK_ISS_CORE_M4
            case .m7: return HK_ISS_CORE_M7
            case .m33: return HK_ISS_CORE_M33
            }
        }
    }

    public struct Region: Sendable, Equatable {
        public var marker: UInt32?
        public var entries: UInt64
        public var cycles: UInt64
        public var instructions: UInt64
    }

    public enum ISSError: CodedError, Equatable {
        public static let domain = "iss"

        case open(file: String, reason: String)
        case call(symbol: String, reason: String)
        public var description: String {
            switch self {
            case let .open(file, reason): return "\(file): cannot simulate: \(reason)"
            case let .call(symbol, reason): return "simulating \(symbol) failed: \(reason)"
            }
        }
    }

    private let iss: OpaquePointer

    public init(elf: String, core: Core, flashWaitStates: Int = 0) throws {
        var err = [CChar](repeating: 0, count: 256)
        guard let h = hk_iss_open(elf, core.c, UInt32(flashWaitStates), &err, err.count) else {
            throw ISSError.open(file: elf, reason: String(decoding: err.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        iss = h
    }

    deinit { hk_iss_close(iss) }

    var lastError: String { String(cString: hk_iss_error(iss)) }

    /// Runs a function with up to four word arguments; returns its counts and r0.
    @discardableResult
    public func call(_ symbol: String, _ args: [UInt32] = []) throws -> hk_iss_stats_t {
        var stats = hk_iss_stats_t()
        guard hk_iss_call_ex(iss, symbol, args, UInt32(args.count), &stats) == 0 else {
            throw ISSError.call(symbol: symbol, reason: lastError)
        }
        return stats
    }

    /// Empties the flash data cache (the instruction cache keeps its lines).
    public func invalidateDataCache() { hk_iss_invalidate_data_cache(iss) }

    /// A symbol's address (Thumb bit cleared for functions).
    public func symbolAddress(_ symbol: String) throws -> UInt32 {
        var address: UInt32 = 0
        guard hk_iss_lookup(iss, symbol, &address, nil) == 0 else { throw ISSError.call(symbol: symbol, reason: lastError) }
        return address
    }

    public func write(_ bytes: [UInt8], at address: UInt32) throws {
        guard hk_iss_write(iss, address, bytes, bytes.count) == 0 else { throw ISSError.call(symbol: "write", reason: lastError) }
    }

    public func read(_ count: Int, at address: UInt32) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        guard hk_iss_read(iss, address, &out, count) == 0 else { throw ISSError.call(symbol: "read", reason: lastError) }
        return out
    }

    public func setFlashCache(lineBytes: Int, dataLines: Int, instructionLines: Int) {
        _ = hk_iss_set_flash_cache(iss, UInt32(lineBytes), UInt32(dataLines), UInt32(instructionLines))
    }

    /// A flash accelerator or cache, line by line (include/hk_iss.h, hk_iss_set_flash_model):
    /// the held line, prefetch of the next one, set-associative instruction and data caches.
    public struct FlashModel: Sendable, Equatable {
        public var lineBytes: Int
        public var instructionLines: Int, instructionWays: Int
        public var dataLines: Int, dataWays: Int
        public var prefetch: Bool

        public init(lineBytes: Int, instructionLines: Int, instructionWays: Int = 0, dataLines: Int, dataWays: Int = 0, prefetch: Bool) {
            (self.lineBytes, self.instructionLines, self.instructionWays) = (lineBytes, instructionLines, instructionWays)
            (self.dataLines, self.dataWays, self.prefetch) = (dataLines, dataWays, prefetch)
        }
    }

    public func setFlashModel(_ m: FlashModel) throws {
        var c = hk_iss_flash_model_t(line_bytes: UInt32(m.lineBytes), insn_lines: UInt32(m.instructionLines), insn_ways: UInt32(m.instructionWays),
                                     data_lines: UInt32(m.dataLines), data_ways: UInt32(m.dataWays), prefetch: m.prefetch ? 1 : 0)
        guard hk_iss_set_flash_model(iss, &c) == 0 else { throw ISSError.call(symbol: "hk_iss_set_flash_model", reason: lastError) }
    }

    public func regions() -> [Region] {
        var raw = [hk_iss_region_t](repeating: hk_iss_region_t(), count: 1024)
        let n = min(hk_iss_regions(iss, &raw, raw.count), raw.count)
        return raw.prefix(n).map {
            Region(marker: $0.id == HK_ISS_NO_MARKER ? nil : $0.id, entries: $0.entries, cycles: $0.cycles, instructions: $0.instructions)
        }
    }

    public func resetRegions() { hk_iss_regions_reset(iss) }
}
