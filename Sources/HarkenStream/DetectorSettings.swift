import HarkenRuntime

/// Detector settings in human units; `config(stepMs:)` turns them into the
/// integer form the device compares against (sums over the window, steps).
public struct DetectorSettings: Codable, Sendable, Equatable {
    /// Fire when the window's mean probability exceeds this.
    public var cutoff: Double
    /// Re-arm only once the mean has fallen to or below this.
    public var release: Double
    /// Number of inference outputs averaged.
    public var window: Int
    /// After a detection nothing fires for this long.
    public var refractoryMs: Int

    public init(cutoff: Double, release: Double? = nil, window: Int, refractoryMs: Int = 1000) {
        self.cutoff = cutoff
        self.release = release ?? cutoff
        self.window = window
        self.refractoryMs = refractoryMs
    }

    /// Probabilities are uint8 with scale 1/256 (microWakeWord's output), so
    /// mean > c  <=>  sum > c * 256 * window, and the device compares sums.
    public func config(stepMs: Int) -> hk_detector_config_t {
        var c = hk_detector_config_t()
        c.window = Int32(window)
        c.trigger_sum = Int32((cutoff * 256 * Double(window)).rounded(.down))
        c.release_sum = Int32((release * 256 * Double(window)).rounded(.down))
        c.refractory_steps = Int32((refractoryMs + stepMs - 1) / max(stepMs, 1))
        return c
    }
}
