import HarkenSupport

/// The two disjoint pools of recorded sounds and natural sentences: `training` feeds synthesis and
/// training, `stress` only Harken's stress benchmark, so the benchmark hears audio training never used.
public enum DataPool: String, Codable, Sendable, CaseIterable {
    case training, stress

    /// The pool of one file, from a stable hash (64-bit FNV-1a) of its path: the assignment never
    /// depends on which other files exist, so installing a package never moves a file between pools.
    /// About one file in three goes to `stress`.
    public static func of(path: String) -> DataPool {
        stableHash(path) % 3 == 0 ? .stress : .training
    }
}
