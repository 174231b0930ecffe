import Foundation
import HarkenAudio
import HarkenSupport

/// A text-to-speech voice of one of the Debian engines, with its delivery settings.
public struct Voice: Codable, Hashable, Sendable {
    public var engine: String     // espeak-ng, flite, festival
    public var name: String
    /// The speaker's identity for splits: engine and voice, without rate and pitch.
    public var id: String { "\(engine):\(name)" }

    public init(engine: String, name: String) {
        self.engine = engine
        self.name = name
    }

    /// Every voice whose engine is installed here.
    public static func available() -> [Voice] {
        var voices: [Voice] = []
        if Executable.find("espeak-ng") != nil {
            for base in ["en-us", "en", "en-gb-x-rp", "en-gb-scotland", "en-029"] {
                for variant in ["", "+f2", "+f3", "+f4", "+m1", "+m3", "+m7", "+klatt"] {
                    voices.append(Voice(engine: "espeak-ng", name: base + variant))
                }
            }
        }
        if Executable.find("flite") != nil {
            voices += ["kal", "kal16", "awb", "rms", "slt"].map { Voice(engine: "flite", name: $0) }
        }
        if Executable.find("text2wave") != nil {
            let dirs = ["/usr/share/festival/voices/english/kal_diphone": "kal_diphone",
                        "/usr/share/festival/voices/us/cmu_us_slt_arctic_hts": "cmu_us_slt_arctic_hts"]
            for (dir, name) in dirs.sorted(by: { $0.key < $1.key }) where FileManager.default.fileExists(atPath: dir) {
                voices.append(Voice(engine: "festival", name: name))
            }
        }
        return voices
    }

    /// Speaks text, or an espeak-ng phoneme string in [[...]], at a rate (1 = normal) and
    /// a pitch offset, as 16 kHz mono int16.
    public func speak(_ text: String, rate: Double = 1, pitch: Int = 0) throws -> Audio {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("harken-voice-\(UUID().uuidString).wav").path
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        switch engine {
        case "espeak-ng":
            try Executable.run("espeak-ng", ["-v", name, "-s", String(Int(165 * rate)), "-p", String(50 + pitch), "-w", tmp, text])
        case "flite":
            try Executable.run("flite", ["-voice", name, "--setf", "duration_stretch=\(String(format: "%.3f", 1 / rate))",
                                         "--setf", "int_f0_target_mean=\(100 + pitch)", "-t", text, "-o", tmp])
        default:
            let textFile = tmp + ".txt"
            try text.write(toFile: textFile, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: textFile) }
            try Executable.run("text2wave", ["-eval", "(voice_\(name))",
                                             "-eval", "(Parameter.set 'Duration_Stretch \(String(format: "%.3f", 1 / rate)))",
                                             "-o", tmp, textFile])
        }
        return try Audio.read(tmp)
    }
}
