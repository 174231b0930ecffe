import HarkenSupport

/// Errors at the audio boundary; each names the file and what was expected.
public enum AudioError: CodedError, Equatable {
    public static let domain = "audio"

    case cannotOpen(file: String, reason: String)
    case unsupportedFormat(file: String, found: String)
    case readFailed(file: String, frame: Int, reason: String)
    case resampleFailed(file: String, reason: String)
    case frontendConfig(code: Int32)

    public var description: String {
        switch self {
        case let .cannotOpen(file, reason): return "\(file): cannot open audio: \(reason)"
        case let .unsupportedFormat(file, found): return "\(file): expected 16-bit PCM audio (WAV, FLAC or any container libsndfile reads), found \(found)"
        case let .readFailed(file, frame, reason): return "\(file): read failed at frame \(frame): \(reason)"
        case let .resampleFailed(file, reason): return "\(file): resampling to 16 kHz failed: \(reason)"
        case let .frontendConfig(code): return "frontend configuration rejected (code \(code))"
        }
    }
}
