import Foundation
import HarkenSupport

/// Natural English sentences from text Debian ships, for negative speech: `training` reads the
/// `fortunes` collections, `stress` the example sentences of WordNet. Different sources, so the
/// stress benchmark speaks sentences training never saw (a stress sentence that also occurs in
/// training is dropped from stress).
public enum TextSources {
    /// The training source: the fortune files of `fortunes` and `fortunes-min` (ascii-art left out).
    /// An explicit list, so installing another fortune package does not change the pool.
    static let fortuneFolder = "/usr/share/games/fortunes"
    static let fortuneFiles: [(name: String, package: String)] = [
        "art", "computers", "cookie", "debian", "definitions", "disclaimer", "drugs", "education",
        "ethnic", "food", "goedel", "humorists", "kids", "knghtbrd", "law", "linux", "linuxcookie",
        "literature", "love", "magic", "medicine", "men-women", "miscellaneous", "news", "paradoxum",
        "people", "perl", "pets", "platitudes", "politics", "pratchett", "riddles", "science",
        "songs-poems", "sports", "startrek", "tao", "translate-me", "wisdom", "work", "zippy",
    ].map { ($0, "fortunes") } + [("fortunes", "fortunes-min")]

    /// The stress source: the quoted usage examples in WordNet's glosses (`wordnet-base`).
    static let wordnetFolder = "/usr/share/wordnet"
    static let wordnetFiles = ["data.adj", "data.adv", "data.noun", "data.verb"]

    public static let minWords = 4
    public static let maxWords = 30

    /// The sentences of one pool, deduplicated (case and punctuation ignored), in source order.
    /// A sentence containing any of `words` (whole words, case-insensitive; pass the wake phrase's
    /// words) is left out. Throws `TextSourceError.missing` when a source package is not installed.
    public static func sentences(_ pool: DataPool, excluding words: Set<String> = []) throws -> [String] {
        try sentences(pool, excluding: words, fortuneFolder: fortuneFolder, wordnetFolder: wordnetFolder)
    }

    static func sentences(_ pool: DataPool, excluding words: Set<String>, fortuneFolder: String,
                          wordnetFolder: String) throws -> [String] {
        let excluded = Set(words.map { $0.lowercased() })
        var seen: Set<String> = []
        var kept: [String] = []
        if pool == .stress {
            // Training sentences are marked seen first, so nothing in stress also occurs in training.
            for s in try fortunes(fortuneFolder) { seen.insert(key(s)) }
        }
        for s in try pool == .training ? fortunes(fortuneFolder) : wordnetExamples(wordnetFolder) {
            guard seen.insert(key(s)).inserted else { continue }
            if !excluded.isEmpty, !excluded.isDisjoint(with: TextSources.words(s)) { continue }
            kept.append(s)
        }
        return kept
    }

    /// Lowercased words: runs of letters (so "Alexa's" holds the word "alexa").
    public static func words(_ sentence: String) -> [String] {
        sentence.lowercased().split { !$0.isLetter }.map(String.init)
    }

    /// A speakable sentence: `minWords`...`maxWords` words of ASCII letters with basic punctuation,
    /// starting with a letter, ending with . ! or ?, and no all-capitals word of two letters or more.
    public static func isSpeakable(_ s: String) -> Bool {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ .,!?';:-")
        guard let first = s.first, first.isLetter, let last = s.last, ".!?".contains(last),
              s.allSatisfy(allowed.contains), !s.contains("--"), !s.contains("  ") else { return false }
        let tokens = s.split(separator: " ")
        guard (minWords...maxWords).contains(tokens.count) else { return false }
        for t in tokens {
            let letters = t.filter(\.isLetter)
            if letters.count >= 2, letters.allSatisfy(\.isUppercase) { return false }
            if letters.isEmpty { return false }
        }
        return true
    }

    static func key(_ s: String) -> String { words(s).joined(separator: " ") }

    static func read(_ path: String, package: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TextSourceError.missing(file: path, package: package)
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func fortunes(_ fortuneFolder: String) throws -> [String] {
        var out: [String] = []
        for (name, package) in fortuneFiles {
            let text = try read((fortuneFolder as NSString).appendingPathComponent(name), package: package)
            var entry: [Substring] = []
            let lines: [Substring] = text.split(separator: "\n", omittingEmptySubsequences: false) + ["%"]
            for line in lines {
                if line == "%" {
                    out += split(entry.joined(separator: " "))
                    entry = []
                } else if !line.trimmingCharacters(in: .whitespaces).hasPrefix("--") {
                    // "-- Author, Work" lines are attributions, not speech.
                    entry.append(line)
                }
            }
        }
        return out
    }

    static func wordnetExamples(_ wordnetFolder: String) throws -> [String] {
        var out: [String] = []
        for name in wordnetFiles {
            let text = try read((wordnetFolder as NSString).appendingPathComponent(name), package: "wordnet-base")
            for line in text.split(separator: "\n") where !line.hasPrefix("  ") {
                guard let bar = line.firstIndex(of: "|") else { continue }
                // The gloss: a definition, then "; "-separated examples in double quotes.
                let quoted = line[bar...].split(separator: "\"", omittingEmptySubsequences: false)
                for (i, part) in quoted.enumerated() where i % 2 == 1 {
                    var s = clean(part)
                    if let last = s.last, !".!?".contains(last) { s += "." }
                    if let first = s.first, first.isLowercase { s = first.uppercased() + s.dropFirst() }
                    if isSpeakable(s) { out.append(s) }
                }
            }
        }
        return out
    }

    /// Splits running text into sentences after . ! or ? and keeps the speakable ones.
    static func split(_ text: String) -> [String] {
        let flat = clean(Substring(text.replacingOccurrences(of: "\"", with: "")))
        var out: [String] = []
        var current = ""
        var chars = Array(flat)[...]
        while let c = chars.popFirst() {
            current.append(c)
            if ".!?".contains(c), chars.first == " " || chars.isEmpty {
                let s = current.trimmingCharacters(in: .whitespaces)
                if isSpeakable(s) { out.append(s) }
                current = ""
            }
        }
        return out
    }

    /// Whitespace collapsed to single spaces, trimmed.
    static func clean(_ s: Substring) -> String {
        s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}

/// A text source that is not installed: the message names the file, its package and `make setup`.
public enum TextSourceError: CodedError, Equatable {
    public static let domain = "text"
    case missing(file: String, package: String)

    public var description: String {
        switch self {
        case let .missing(file, package):
            return "\(file): cannot read the sentence source (Debian package \(package); run make setup)"
        }
    }
}
