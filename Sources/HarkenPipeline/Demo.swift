import Foundation
import HarkenAudio
import HarkenData
import HarkenStream
import HarkenSupport
import HarkenTargets

/// What `harken demo` reports: the scene, which of its phrases the simulator detected, the
/// compiled model, and the firmware built and benchmarked on an emulated board.
public struct DemoReport: Codable, Sendable {
    public var schemaVersion = 1
    public var phrase: String
    public var scene: String
    /// Where each utterance of the phrase starts in the scene, and whether a detection followed it.
    public var phraseStartsS: [Double]
    public var phrasesDetected: [Bool]
    public var compile: CompileResult
    public var simulate: SimulationReport
    public var firmware: FirmwareResult?
    public var bench: BenchReport?

    public var detectedCount: Int { phrasesDetected.filter { $0 }.count }
}

extension Pipeline {
    /// A detection belongs to the utterance that started at most this long before it.
    static let demoDetectionWindowS = 2.5

    /// `harken demo`: a scene of the phrase in several voices -> C -> simulation (detections checked
    /// against where the phrase was spoken) -> firmware for `board`, built and benchmarked on its
    /// emulator when it has one. `board` nil skips the firmware.
    public static func demo(model: String, phrase: String, outDir: String, board: String?, home: HarkenHome,
                            overrides: DetectorOverrides = .init(), job: Job = .silent) throws -> DemoReport {
        let scene = try DemoScene.make(phrase: phrase)
        let wav = (outDir as NSString).appendingPathComponent("scene.wav")
        try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
        try scene.audio.writeWAV(to: wav)
        let compiled = try compile(model: model, outDir: (outDir as NSString).appendingPathComponent("c"))
        try job.checkCancelled()
        let report = try simulate(model: model, audio: scene.audio, overrides: overrides, keepTrace: false, job: job)
        let detected = scene.phraseStartsS.map { start in
            report.detections.contains { $0.timeS >= start && $0.timeS <= start + demoDetectionWindowS }
        }
        var result = DemoReport(phrase: phrase, scene: wav, phraseStartsS: scene.phraseStartsS, phrasesDetected: detected,
                                compile: compiled, simulate: report)
        guard let board else { return result }
        try job.checkCancelled()
        let target = try TargetCatalog.board(board, home: home)
        let fwDir = (outDir as NSString).appendingPathComponent("firmware-\(board)")
        let firmware = try self.firmware(model: model, target: target, home: home, outDir: fwDir, build: target.template == "baremetal")
        result.firmware = firmware
        if let elf = firmware.elf, target.emulator != nil {
            result.bench = try benchEmulated(model: model, elf: elf, target: target, steps: 200, audio: scene.audio, timeout: 5, job: job)
        }
        return result
    }
}
