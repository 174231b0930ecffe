import Foundation

/// The folder holding Targets/, Templates/ and Firmware/. Commands locate it once and pass it
/// down; nothing below the command line looks for it.
public struct HarkenHome: Sendable, Equatable {
    public let root: URL

    public init(root: URL) { self.root = root.standardizedFileURL }

    public var targets: URL { root.appendingPathComponent("Targets") }
    public var templates: URL { root.appendingPathComponent("Templates") }
    public var firmware: URL { root.appendingPathComponent("Firmware") }

    static let folders = ["Targets", "Templates", "Firmware"]

    /// Where a folder holds all three.
    public static func isHome(_ url: URL) -> Bool {
        folders.allSatisfy { FileManager.default.fileExists(atPath: url.appendingPathComponent($0).path) }
    }

    /// `$HARKEN_HOME`; else beside the binary as `make install` lays it out (<prefix>/bin/harken and
    /// <prefix>/share/harken/); else the repository a development build sits in (.build/<config>/harken,
    /// possibly one level deeper under a triple folder). The working directory is not searched: a
    /// binary must not behave differently depending on where it is run from.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment,
                              executable: URL? = nil) throws -> HarkenHome {
        if let env = environment["HARKEN_HOME"], !env.isEmpty {
            let url = URL(fileURLWithPath: env)
            guard isHome(url) else { throw TargetError.noHome(searched: ["HARKEN_HOME=\(env)"]) }
            return HarkenHome(root: url)
        }
        let exe = (executable ?? Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).resolvingSymlinksInPath()
        let bin = exe.deletingLastPathComponent()
        var candidates = [bin.deletingLastPathComponent().appendingPathComponent("share/harken")]
        var up = bin
        for _ in 0..<3 where up.path != "/" {
            up = up.deletingLastPathComponent()
            candidates.append(up)
        }
        for c in candidates where isHome(c) { return HarkenHome(root: c) }
        throw TargetError.noHome(searched: candidates.map(\.standardizedFileURL.path))
    }
}
