/// The two disjoint pools of recorded sounds and natural sentences: `training` feeds synthesis and
/// training, `stress` only Harken's stress benchmark, so the benchmark hears audio training never used.
public enum DataPool: String, Codable, Sendable, CaseIterable {
    case training, stress

    /// The pool of one file, from a stable hash (64-bit FNV-1a) of its path: the assignment never
    /// depends on which other files exist, so installing a package never moves a file between pools.
    /// About one file in three goes to `stress`.
    public static func of(path: String) -> DataPool {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in path.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash % 3 == 0 ? .stress : .training
    }
}
