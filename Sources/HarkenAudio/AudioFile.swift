import CSampleRate
import CSndFile
import Foundation

/// 16 kHz mono int16 audio, the form every stage after the edge works on.
public struct Audio: Sendable {
    public static let sampleRate = 16_000
    public var samples: [Int16]
    public var seconds: Double { Double(samples.count) / Double(Audio.sampleRate) }

    public init(samples: [Int16]) { self.samples = samples }

    /// libsamplerate's converters: `best` keeps 97 % of the band, `medium` (several times faster,
    /// for the hours of TTS output a corpus converts) 90 %, which still covers the frontend's
    /// filterbank (it ends at 7.5 kHz) within a few percent.
    public enum Resampling: Sendable { case best, medium }

    /// Reads any 16-bit PCM file libsndfile knows; downmixes to mono and
    /// resamples to 16 kHz (libsamplerate, best sinc unless told) when needed. A 16 kHz mono
    /// file is read sample-exactly, with no float round trip.
    public static func read(_ path: String, resampling: Resampling = .best) throws -> Audio {
        guard FileManager.default.fileExists(atPath: path) else {
            throw AudioError.cannotOpen(file: path, reason: "no such file")
        }
        var info = SF_INFO()
        guard let file = sf_open(path, Int32(SFM_READ), &info) else {
            throw AudioError.cannotOpen(file: path, reason: String(cString: sf_strerror(nil)))
        }
        defer { sf_close(file) }
        let subtype = info.format & Int32(SF_FORMAT_SUBMASK)
        guard subtype == Int32(SF_FORMAT_PCM_16) else {
            throw AudioError.unsupportedFormat(file: path, found: subtypeName(subtype))
        }
        let channels = Int(info.channels), frames = Int(info.frames)
        var interleaved = [Int16](repeating: 0, count: frames * channels)
        let got = interleaved.withUnsafeMutableBufferPointer { sf_readf_short(file, $0.baseAddress, sf_count_t(frames)) }
        guard got == frames else {
            throw AudioError.readFailed(file: path, frame: Int(got), reason: String(cString: sf_strerror(file)))
        }
        var mono = interleaved
        if channels > 1 {
            mono = (0..<frames).map { f in
                var sum = 0
                for c in 0..<channels { sum += Int(interleaved[f * channels + c]) }
                return Int16(clamping: Int((Double(sum) / Double(channels)).rounded()))
            }
        }
        if Int(info.samplerate) == sampleRate { return Audio(samples: mono) }
        return Audio(samples: try resample(mono, from: Int(info.samplerate), file: path, resampling: resampling))
    }

    static func resample(_ input: [Int16], from rate: Int, file: String, resampling: Resampling = .best) throws -> [Int16] {
        var floats = [Float](repeating: 0, count: input.count)
        src_short_to_float_array(input, &floats, Int32(input.count))
        let output = try resample(floats, from: rate, file: file, resampling: resampling)
        var result = [Int16](repeating: 0, count: output.count)
        src_float_to_short_array(output, &result, Int32(result.count))
        return result
    }

    /// Float samples (full scale ±1) at `rate` resampled to 16 kHz by libsamplerate; `file` names
    /// the source in the error.
    public static func resample(_ input: [Float], from rate: Int, file: String, resampling: Resampling) throws -> [Float] {
        let ratio = Double(sampleRate) / Double(rate)
        var output = [Float](repeating: 0, count: Int(Double(input.count) * ratio) + 64)
        var data = SRC_DATA()
        let status: Int32 = input.withUnsafeBufferPointer { inp in
            output.withUnsafeMutableBufferPointer { out in
                data.data_in = inp.baseAddress
                data.data_out = out.baseAddress
                data.input_frames = Int(inp.count)
                data.output_frames = Int(out.count)
                data.src_ratio = ratio
                return src_simple(&data, Int32(resampling == .best ? SRC_SINC_BEST_QUALITY : SRC_SINC_MEDIUM_QUALITY), 1)
            }
        }
        guard status == 0 else { throw AudioError.resampleFailed(file: file, reason: String(cString: src_strerror(status))) }
        return Array(output.prefix(Int(data.output_frames_gen)))
    }

    static func subtypeName(_ subtype: Int32) -> String {
        switch subtype {
        case Int32(SF_FORMAT_PCM_S8), Int32(SF_FORMAT_PCM_U8): return "8-bit PCM"
        case Int32(SF_FORMAT_PCM_24): return "24-bit PCM"
        case Int32(SF_FORMAT_PCM_32): return "32-bit PCM"
        case Int32(SF_FORMAT_FLOAT): return "32-bit float"
        case Int32(SF_FORMAT_DOUBLE): return "64-bit float"
        case Int32(SF_FORMAT_ULAW): return "u-law"
        case Int32(SF_FORMAT_ALAW): return "A-law"
        default: return String(format: "sample format 0x%04x", subtype)
        }
    }

    /// Writes 16 kHz mono 16-bit PCM WAV, through a temporary file and a rename.
    public func writeWAV(to path: String) throws {
        let tmp = path + ".tmp-\(getpid())"
        var info = SF_INFO()
        info.samplerate = Int32(Audio.sampleRate)
        info.channels = 1
        info.format = Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16)
        guard let file = sf_open(tmp, Int32(SFM_WRITE), &info) else {
            throw AudioError.cannotOpen(file: path, reason: String(cString: sf_strerror(nil)))
        }
        let written = samples.withUnsafeBufferPointer { sf_writef_short(file, $0.baseAddress, sf_count_t($0.count)) }
        sf_close(file)
        guard written == samples.count else {
            unlink(tmp)
            throw AudioError.readFailed(file: path, frame: Int(written), reason: "short write")
        }
        guard rename(tmp, path) == 0 else {
            unlink(tmp)
            throw AudioError.cannotOpen(file: path, reason: String(cString: strerror(errno)))
        }
    }
}
