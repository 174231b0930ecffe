import Foundation
import HarkenAudio
import HarkenGraph
import HarkenStream
import HarkenSupport

/// Detector overrides from the command line; nil keeps the manifest's value.
public struct DetectorOverrides: Sendable {
    public var cutoff: Double?
    public var release: Double?
    public var window: Int?
    public var refractoryMs: Int?
    public init(cutoff: Double? = nil, release: Double? = nil, window: Int? = nil, refractoryMs: Int? = nil) {
        self.cutoff = cutoff; self.release = release; self.window = window; self.refractoryMs = refractoryMs
    }
}

extension Pipeline {
    public static func detectorSettings(model: String, manifest: String?, overrides: DetectorOverrides) throws -> DetectorSettings {
        let path = manifest ?? ModelManifest.besideModel(model)
        var cutoff = 0.5, window = 5
        if manifest != nil || FileManager.default.fileExists(atPath: path) {
            let m = try ModelManifest.load(path: path)
            cutoff = m.micro.probability_cutoff
            window = m.micro.sliding_window_size
        }
        let c = overrides.cutoff ?? cutoff
        return DetectorSettings(cutoff: c, release: overrides.release ?? c, window: overrides.window ?? window,
                                refractoryMs: overrides.refractoryMs ?? 1000)
    }

    /// `harken simulate`: audio through frontend, model and detector.
    public static func simulate(model: String, audio: Audio, manifest: String? = nil, overrides: DetectorOverrides = .init(),
                                rounding: FeatureRounding = .device, keepTrace: Bool = true, job: Job = .silent) throws -> SimulationReport {
        let (_, plan) = try load(model: model)
        let settings = try detectorSettings(model: model, manifest: manifest, overrides: overrides)
        let sim = try Simulator(plan: plan, detector: settings, rounding: rounding, file: model)
        let progress = job.stage("simulate")
        return sim.run(audio, keepTrace: keepTrace, progress: { progress($0, "") })
    }
}
