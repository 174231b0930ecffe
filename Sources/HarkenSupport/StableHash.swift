/// 64-bit FNV-1a of a string's UTF-8 bytes: the same value in every process and release (Swift's
/// `Hasher` is seeded per process), for assignments that must never move (data pools, held-out
/// voices) and cache keys.
public func stableHash(_ s: String) -> UInt64 {
    s.utf8.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
}
