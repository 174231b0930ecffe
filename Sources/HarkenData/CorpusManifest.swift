import Foundation
import HarkenSupport

extension Corpus {
    /// Writes `manifest.jsonl` for `records` atomically (a temporary file renamed over the old one).
    public static func writeManifest(_ records: [ClipRecord], to dir: String) throws {
        let lines = try records.map { try HarkenJSON.string($0, pretty: false) }.joined(separator: "\n") + "\n"
        let manifest = (dir as NSString).appendingPathComponent("manifest.jsonl")
        let tmp = manifest + ".tmp-\(getpid())"
        try lines.write(toFile: tmp, atomically: false, encoding: .utf8)
        guard rename(tmp, manifest) == 0 else { throw CorpusError.unreadable("\(manifest): cannot write (\(String(cString: strerror(errno))))") }
    }
}
