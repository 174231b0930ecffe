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

    /// Probabilities are uint8 with scale 1/256 (microWakeWord's output), so the
    /// window mean exceeds c exactly when its sum exceeds the largest S with
    /// S / (256 * window) <= c, evaluated in doubles as microWakeWord's runtime does.
    public func config(stepMs: Int) -> hk_detector_config_t {
        var c = hk_detector_config_t()
        c.window = Int32(window)
        c.trigger_sum = DetectorSettings.sumLevel(cutoff, window: window)
        c.release_sum = DetectorSettings.sumLevel(release, window: window)
        c.refractory_steps = Int32((refractoryMs + stepMs - 1) / max(stepMs, 1))
        return c
    }

    static func sumLevel(_ level: Double, window: Int) -> Int32 {
        let denominator = 256.0 * Double(window)
        var s = Int32((level * denominator).rounded(.down))
        while Double(s + 1) / denominator <= level { s += 1 }
        while s >= 0 && Double(s) / denominator > level { s -= 1 }
        return s
    }
}
