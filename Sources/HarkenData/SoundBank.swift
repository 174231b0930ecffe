import CSampleRate
import CSndFile
import Foundation
import HarkenAudio

/// One recorded sound from an installed package (or a folder of your own), as 16 kHz mono audio.
public struct Sound: Sendable {
    public enum Category: String, Codable, Sendable, CaseIterable { case music, effect }

    public var path: String
    public var package: String
    public var category: Category
    public var audio: Audio
}

/// Real recorded music and sound effects from Debian packages (`make setup` installs them), split into
/// two disjoint pools by a stable hash of each file's path (see `DataPool.of(path:)`).
public enum SoundBank {
    /// A flat folder of sound files that one package installs.
    public struct Root: Sendable {
        public var package: String
        public var directory: String
        /// nil: a file of `musicSeconds` or longer is music, a shorter one an effect.
        public var category: Sound.Category?
        /// Only files whose name starts with this (a folder shared by several packages).
        public var namePrefix: String

        public init(package: String, directory: String, category: Sound.Category? = nil, namePrefix: String = "") {
            self.package = package
            self.directory = directory
            self.category = category
            self.namePrefix = namePrefix
        }
    }

    /// A file without an explicit category is music from this length on.
    public static let musicSeconds = 30.0
    /// Extensions looked at; anything else in a root is ignored.
    public static let extensions: Set<String> = ["wav", "flac", "ogg", "oga"]

    /// The packages `scripts/setup.sh` installs, and where each puts its sounds.
    public static let installed: [Root] = {
        let games = "/usr/share/games"
        var roots = [
            Root(package: "a7xpg-data", directory: "\(games)/a7xpg/sounds"),
            Root(package: "chromium-bsu-data", directory: "\(games)/chromium-bsu/wav", category: .effect),
            Root(package: "extremetuxracer-data", directory: "\(games)/etr/music", category: .music),
            Root(package: "extremetuxracer-data", directory: "\(games)/etr/sounds", category: .effect),
            Root(package: "frozen-bubble-data", directory: "\(games)/frozen-bubble/snd"),
            Root(package: "noiz2sa-data", directory: "\(games)/noiz2sa/sounds"),
            Root(package: "oxygen-sounds", directory: "/usr/share/sounds", category: .effect, namePrefix: "Oxygen-"),
            Root(package: "parsec47-data", directory: "\(games)/parsec47/sounds"),
            Root(package: "rrootage-data", directory: "\(games)/rrootage/sounds"),
            Root(package: "sonic-pi-samples", directory: "/usr/share/sonic-pi/samples", category: .effect),
            Root(package: "sound-theme-freedesktop", directory: "/usr/share/sounds/freedesktop/stereo", category: .effect),
            Root(package: "tumiki-fighters-data", directory: "\(games)/tumiki-fighters/sounds"),
        ]
        for game in ["gunroar", "mu-cade", "titanion", "torus-trooper"] {
            roots.append(Root(package: "\(game)-data", directory: "\(games)/\(game)/sounds/musics", category: .music))
            roots.append(Root(package: "\(game)-data", directory: "\(games)/\(game)/sounds/chunks", category: .effect))
        }
        return roots
    }()

    /// The sounds of one pool, in sorted path order. Files are opened and decoded one at a time in that
    /// order, and listing stops once `maxFiles` sounds are kept. Sounds longer than `maxSeconds` are cut
    /// to their middle `maxSeconds` (music intros are often quiet). A file that cannot be decoded, or is
    /// silent, is named once through `report` with the reason and skipped; so is a missing root folder.
    public static func load(_ pool: DataPool, category: Sound.Category? = nil, maxSeconds: Double = 30,
                            maxFiles: Int? = nil, roots: [Root] = SoundBank.installed,
                            report: (String) -> Void) -> [Sound] {
        var sounds: [Sound] = []
        if let maxFiles, maxFiles <= 0 { return sounds }
        for (path, root) in files(pool, roots: roots, report: report) {
            do {
                let header = try SoundFile.header(path)
                let kind = root.category ?? (header.seconds >= musicSeconds ? .music : .effect)
                if let category, kind != category { continue }
                let audio = try SoundFile.read(path, maxSeconds: maxSeconds)
                sounds.append(Sound(path: path, package: root.package, category: kind, audio: audio))
                if let maxFiles, sounds.count >= maxFiles { break }
            } catch {
                report("\(error)")
            }
        }
        return sounds
    }

    /// The (path, root) pairs of one pool, sorted by path, each path once.
    static func files(_ pool: DataPool, roots: [Root], report: (String) -> Void) -> [(String, Root)] {
        var found: [String: Root] = [:]
        for root in roots {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: root.directory) else {
                report("\(root.directory): cannot read the folder (package \(root.package); run make setup)")
                continue
            }
            for name in names where name.hasPrefix(root.namePrefix)
                && extensions.contains((name as NSString).pathExtension.lowercased()) {
                let path = (root.directory as NSString).appendingPathComponent(name)
                if DataPool.of(path: path) == pool, found[path] == nil { found[path] = root }
            }
        }
        return found.keys.sorted().map { ($0, found[$0]!) }
    }
}

/// Decodes anything libsndfile reads (WAV of any sample format, FLAC, OGG Vorbis, ...) to 16 kHz mono.
/// `Audio.read` insists on 16-bit PCM, the form Harken writes; recorded sounds come as they come.
enum SoundFile {
    struct Header { var frames: Int; var rate: Int; var channels: Int; var subtype: Int32
        var seconds: Double { rate > 0 ? Double(frames) / Double(rate) : 0 }
    }

    /// Peak below this (about -60 dBFS) is silence, not a sound.
    static let silencePeak = 33

    static func header(_ path: String) throws -> Header {
        try open(path) { _, header in header }
    }

    /// The whole file, or its middle `maxSeconds` when it is longer; throws on silence.
    static func read(_ path: String, maxSeconds: Double? = nil) throws -> Audio {
        let audio: Audio = try open(path) { file, h in
            var start = 0, count = h.frames
            if let maxSeconds, h.seconds > maxSeconds {
                count = max(1, Int(maxSeconds * Double(h.rate)))
                start = (h.frames - count) / 2
            }
            if start == 0, count == h.frames, h.subtype == Int32(SF_FORMAT_PCM_16) {
                return try Audio.read(path)   // sample-exact for 16 kHz mono 16-bit files
            }
            if start > 0, sf_seek(file, sf_count_t(start), SEEK_SET) < 0 {
                throw AudioError.readFailed(file: path, frame: start, reason: "cannot seek: \(String(cString: sf_strerror(file)))")
            }
            var interleaved = [Float](repeating: 0, count: count * h.channels)
            let got = Int(interleaved.withUnsafeMutableBufferPointer { sf_readf_float(file, $0.baseAddress, sf_count_t(count)) })
            guard got > 0 else {
                throw AudioError.readFailed(file: path, frame: start, reason: "no audio decoded: \(String(cString: sf_strerror(file)))")
            }
            var mono = [Float](repeating: 0, count: got)
            for f in 0..<got {
                var sum: Float = 0
                for c in 0..<h.channels { sum += interleaved[f * h.channels + c] }
                mono[f] = sum / Float(h.channels)
            }
            if h.rate != Audio.sampleRate { mono = try Audio.resample(mono, from: h.rate, file: path, resampling: .medium) }
            var samples = [Int16](repeating: 0, count: mono.count)
            src_float_to_short_array(mono, &samples, Int32(mono.count))
            return Audio(samples: samples)
        }
        let peak = audio.samples.reduce(0) { max($0, abs(Int($1))) }
        guard peak >= silencePeak else {
            throw AudioError.readFailed(file: path, frame: 0, reason: "silent (peak \(peak) of 32767)")
        }
        return audio
    }

    private static func open<T>(_ path: String, _ body: (OpaquePointer, Header) throws -> T) throws -> T {
        guard FileManager.default.fileExists(atPath: path) else {
            throw AudioError.cannotOpen(file: path, reason: "no such file")
        }
        var info = SF_INFO()
        guard let file = sf_open(path, Int32(SFM_READ), &info) else {
            throw AudioError.cannotOpen(file: path, reason: String(cString: sf_strerror(nil)))
        }
        defer { sf_close(file) }
        guard info.frames > 0, info.channels > 0, info.samplerate > 0 else {
            throw AudioError.readFailed(file: path, frame: 0, reason: "no audio frames")
        }
        let header = Header(frames: Int(info.frames), rate: Int(info.samplerate), channels: Int(info.channels),
                            subtype: info.format & Int32(SF_FORMAT_SUBMASK))
        return try body(file, header)
    }
}
