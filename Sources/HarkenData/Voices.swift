import Foundation
import HarkenAudio
import HarkenSupport

/// A text-to-speech voice of one of the engines, with its delivery settings.
///
/// The engines: espeak-ng (every English language voice × every variant, and each language voice
/// bare), flite and festival (every voice installed), and Piper, the optional neural engine
/// (`make setup` installs it into `.venv-piper`; `HARKEN_PIPER_PYTHON` names another Python that has
/// it), whose one voice is varied through its noise settings.
public struct Voice: Codable, Hashable, Sendable {
    public var engine: String     // espeak-ng, flite, festival, piper
    public var name: String
    /// The speaker's identity for splits: engine and voice, without rate and pitch.
    public var id: String { "\(engine):\(name)" }

    public init(engine: String, name: String) {
        self.engine = engine
        self.name = name
    }

    /// Every voice whose engine is installed here.
    public static func available() -> [Voice] { available(report: { _ in }) }

    /// Every voice whose engine is installed here, asked of the engines themselves, sorted by engine
    /// then name. `report` hears, once each, what was left out and why.
    public static func available(report: (String) -> Void = { _ in }) -> [Voice] {
        var voices: [Voice] = []
        if Executable.find("espeak-ng") != nil {
            let variants = [""] + espeakVariants().map { "+" + $0 }
            for language in espeakLanguages() {
                voices += variants.map { Voice(engine: "espeak-ng", name: language + $0) }
            }
        }
        if Executable.find("flite") != nil { voices += fliteVoices(report: report) }
        if Executable.find("text2wave") != nil { voices += festivalVoices() }
        voices += Piper.voices(report: report)
        return voices.sorted { ($0.engine, $0.name) < ($1.engine, $1.name) }
    }

    /// `espeak-ng --voices=en`'s English language voices (the gmw/ files; mbrola voices need data
    /// Debian does not ship), by language code, in the program's order, without repeats.
    public static func espeakLanguages() -> [String] {
        var seen = Set<String>()
        return espeakTable("--voices=en").filter { $0.file.hasPrefix("gmw/") && seen.insert($0.language).inserted }.map(\.language)
    }

    /// `espeak-ng --voices=variant`'s variants (klatt ones included), by the name `-v lang+name` takes.
    public static func espeakVariants() -> [String] {
        espeakTable("--voices=variant").compactMap { $0.file.hasPrefix("!v/") ? String($0.file.dropFirst(3)) : nil }
    }

    /// espeak-ng's voice table: Pty, Language, Age/Gender, VoiceName, File, Other languages.
    static func espeakTable(_ option: String) -> [(language: String, file: String)] {
        guard let text = try? Executable.run("espeak-ng", [option]) else { return [] }
        return text.split(separator: "\n").dropFirst().compactMap { line in
            let f = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            return f.count >= 5 ? (String(f[1]), String(f[4])) : nil
        }
    }

    /// `flite -lv`'s voices, less the limited-domain ones (awb_time speaks clock times and is silent
    /// on anything else): each speaks a probe phrase and must be heard.
    static func fliteVoices(report: (String) -> Void) -> [Voice] {
        guard let text = try? Executable.run("flite", ["-lv"]) else { return [] }
        let names = text.replacingOccurrences(of: "Voices available:", with: "").split(whereSeparator: \.isWhitespace).map(String.init)
        return names.compactMap { name in
            let voice = Voice(engine: "flite", name: name)
            let peak = (try? voice.speak("hello world").samples.map { Int(abs(Int32($0))) }.max()) ?? nil
            guard let peak, peak > 1000 else {
                report("flite: \(name) is silent on ordinary text (a limited-domain voice); skipping it")
                return nil
            }
            return voice
        }
    }

    /// Festival's English voices: each folder of /usr/share/festival/voices/{english,us,british,uk}
    /// holding festvox/<name>.scm, which `(voice_<name>)` loads.
    static let festivalRoot = "/usr/share/festival/voices"
    static func festivalVoices() -> [Voice] {
        let fm = FileManager.default
        return ["english", "us", "british", "uk"].flatMap { language -> [Voice] in
            let dir = festivalRoot + "/" + language
            let names = (try? fm.contentsOfDirectory(atPath: dir)) ?? []
            return names.sorted().filter { fm.fileExists(atPath: "\(dir)/\($0)/festvox/\($0).scm") }.map { Voice(engine: "festival", name: $0) }
        }
    }

    /// Speaks text, or an espeak-ng phoneme string in [[...]] (which only espeak-ng reads), at a rate
    /// (1 = normal) and a pitch offset (espeak-ng: on its 0–99 scale from 50; flite: Hz from 100;
    /// festival and Piper take none), as 16 kHz mono int16.
    public func speak(_ text: String, rate: Double = 1, pitch: Int = 0) throws -> Audio {
        if engine == "piper" { return try speakAll([Utterance(text, rate: rate, pitch: pitch)])[0] }
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
        return try Audio.read(tmp, resampling: .medium)
    }

    /// Speaks each utterance, in order. Piper runs one process for the whole batch (its start-up
    /// costs more than a sentence); the other engines speak one at a time.
    public func speakAll(_ items: [Utterance]) throws -> [Audio] {
        guard engine == "piper" else { return try items.map { try speak($0.text, rate: $0.rate, pitch: $0.pitch) } }
        return try Piper.speak(items, voice: self)
    }
}

/// One thing to say, and how.
public struct Utterance: Codable, Hashable, Sendable {
    public var text: String
    public var rate: Double
    public var pitch: Int

    public init(_ text: String, rate: Double = 1, pitch: Int = 0) {
        self.text = text
        self.rate = rate
        self.pitch = pitch
    }
}

/// Piper (piper-tts in a venv of its own) driven through scripts/piper_speak.py.
enum Piper {
    /// The voice's variations, as `<voice>@ns<noise_scale>-nw<noise_w>`; the bare name is Piper's
    /// default (0.667, 0.8). Noise scale varies the voice's timbre and intonation, noise_w its rhythm.
    /// They are one speaker: a split by voice name puts the same person on both sides.
    static let noiseScales = [0.333, 0.667, 1.0], noiseWidths = [0.4, 0.8, 1.2]
    static let defaults = (noiseScale: 0.667, noiseW: 0.8)

    static func names(of base: String) -> [String] {
        noiseScales.flatMap { ns in
            noiseWidths.map { nw in ns == defaults.noiseScale && nw == defaults.noiseW ? base : "\(base)@ns\(ns)-nw\(nw)" }
        }
    }

    /// (base voice, noise_scale, noise_w) of a voice name.
    static func settings(of name: String) throws -> (base: String, noiseScale: Double, noiseW: Double) {
        let parts = name.split(separator: "@", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return (name, defaults.noiseScale, defaults.noiseW) }
        let fields = parts[1].split(separator: "-")
        guard fields.count == 2, fields[0].hasPrefix("ns"), fields[1].hasPrefix("nw"),
              let ns = Double(fields[0].dropFirst(2)), let nw = Double(fields[1].dropFirst(2)) else {
            throw Executable.Failure.failed(tool: "piper", status: 2, output: "voice \(name): expected <voice>@ns<noise_scale>-nw<noise_w>")
        }
        return (parts[0], ns, nw)
    }

    /// Folders that may hold .venv-piper and scripts/piper_speak.py: $HARKEN_HOME, `make install`'s
    /// share/harken beside the binary, the folders above the binary, and this source file's repository.
    static func homes() -> [String] {
        var homes: [String] = []
        if let env = getenv("HARKEN_HOME").map({ String(cString: $0) }), !env.isEmpty { homes.append(env) }
        if let exe = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            var up = exe.deletingLastPathComponent()
            homes.append(up.deletingLastPathComponent().appendingPathComponent("share/harken").path)
            for _ in 0..<3 where up.path != "/" {
                up = up.deletingLastPathComponent()
                homes.append(up.path)
            }
        }
        homes.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path)
        return homes
    }

    /// `$HARKEN_PIPER_PYTHON`, else the first home's .venv-piper/bin/python; and the driver script.
    static func locate() -> (python: String, script: String)? {
        let fm = FileManager.default
        let script = homes().map { $0 + "/scripts/piper_speak.py" }.first { fm.fileExists(atPath: $0) }
        let python: String?
        if let env = getenv("HARKEN_PIPER_PYTHON").map({ String(cString: $0) }), !env.isEmpty {
            python = fm.isExecutableFile(atPath: env) ? env : nil
        } else {
            python = homes().map { $0 + "/.venv-piper/bin/python" }.first { fm.isExecutableFile(atPath: $0) }
        }
        guard let python, let script else { return nil }
        return (python, script)
    }

    /// The driver's `--list`, asked once per Python (it imports onnxruntime).
    private final class Listed: @unchecked Sendable {
        let lock = NSLock()
        var voices: [String: [String]] = [:]
    }
    private static let listed = Listed()
    static func installed() -> (python: String, script: String, voices: [String])? {
        guard let (python, script) = locate() else { return nil }
        let key = python + "\n" + script
        if let voices = listed.lock.withLock({ listed.voices[key] }) { return voices.isEmpty ? nil : (python, script, voices) }
        let out = (try? Executable.run(python, [script, "--list"])) ?? ""
        let voices = out.split(separator: "\n").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        listed.lock.withLock { listed.voices[key] = voices }
        return voices.isEmpty ? nil : (python, script, voices)
    }

    static func voices(report: (String) -> Void) -> [Voice] {
        guard let found = installed() else {
            report("piper: not installed (make setup installs it into .venv-piper); skipping its voices")
            return []
        }
        return found.voices.flatMap(names(of:)).map { Voice(engine: "piper", name: $0) }
    }

    static func speak(_ items: [Utterance], voice: Voice) throws -> [Audio] {
        guard !items.isEmpty else { return [] }
        guard let (python, script, _) = installed() else { throw Executable.Failure.missing("piper (.venv-piper or HARKEN_PIPER_PYTHON)") }
        let (base, ns, nw) = try settings(of: voice.name)
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("harken-piper-\(UUID().uuidString)").path
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? fm.removeItem(atPath: dir) }
        var lines: [String] = []
        for (n, item) in items.enumerated() {
            if item.text.hasPrefix("[[") {
                throw Executable.Failure.failed(tool: "piper", status: 2, output: "utterance \(n): Piper reads text, not espeak-ng phonemes: \(item.text)")
            }
            let job: [String: Any] = ["text": item.text, "length_scale": 1 / item.rate, "noise_scale": ns, "noise_w": nw,
                                      "out": "\(dir)/\(n).wav"]
            lines.append(String(decoding: try JSONSerialization.data(withJSONObject: job, options: [.sortedKeys]), as: UTF8.self))
        }
        let jobs = dir + "/jobs.jsonl"
        try (lines.joined(separator: "\n") + "\n").write(toFile: jobs, atomically: true, encoding: .utf8)
        try Executable.run(python, [script, "--voice", base, jobs])
        return try items.indices.map { try Audio.read("\(dir)/\($0).wav", resampling: .medium) }
    }
}
