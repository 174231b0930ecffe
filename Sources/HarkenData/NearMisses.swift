import Foundation
import HarkenSupport

/// A near miss of the wake phrase, as text any engine speaks (or espeak-ng phonemes in [[...]]).
public struct NearMissText: Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// Sounds like the phrase with one word changed: a rhyme or a word one or two phonemes away.
        case neighbour
        /// Part of the phrase alone: one of its words, or the start or end of a one-word phrase.
        case partial
    }
    public var text: String
    public var kind: Kind
    /// True when `text` is an espeak-ng phoneme string, which only espeak-ng reads.
    public var isPhonemes: Bool { text.hasPrefix("[[") }
}

extension Phonemes {
    /// Phonemes of each word without stress marks, in one espeak-ng call (one word per line).
    static func phonemize(_ words: [String]) throws -> [[String]] {
        guard !words.isEmpty else { return [] }
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("harken-words-\(UUID().uuidString).txt").path
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        try (words.map { $0 + "." }.joined(separator: "\n") + "\n").write(toFile: tmp, atomically: true, encoding: .utf8)
        let lines = try Executable.run("espeak-ng", ["-q", "-x", "-v", "en-us", "-f", tmp])
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard lines.count == words.count else {
            throw Executable.Failure.failed(tool: "espeak-ng", status: 0, output: "phonemized \(words.count) words into \(lines.count) lines")
        }
        return lines.map(plain)
    }

    /// Phoneme tokens without stress and length marks.
    static func plain(_ s: String) -> [String] {
        tokens(s).filter { !["'", ",", "#", " ", "%", "="].contains($0) }
    }

    static func letters(_ a: String, _ b: String) -> Int { editDistance(Array(a), Array(b)) }

    static func distance(_ a: [String], _ b: [String]) -> Int { editDistance(a, b) }

    /// Dictionary words (Debian's wamerican list) a listener could take for the phrase's words:
    /// the phrase with one word replaced by a word one phoneme away (two for words of five
    /// phonemes or more), never a homophone; at most `limit`, the closest first.
    public static func neighbours(of phrase: String, limit: Int = 12, dictionary: String = Phonemes.dictionary) throws -> [NearMissText] {
        let words = phrase.lowercased().split(separator: " ").map { String($0.filter(\.isLetter)) }.filter { !$0.isEmpty }
        let own = try phonemize(words)
        let candidates = try dictionaryWords(dictionary)
        var found: [(text: String, distance: Int, order: Int)] = []
        for (w, word) in words.enumerated() {
            let target = own[w]
            // Spelling is a cheap first filter: a word one or two phonemes away is rarely more
            // than three letters away.
            let near = candidates.filter { abs($0.count - word.count) <= 2 && $0.lowercased() != word && letters($0.lowercased(), word) <= 3 }
            let sounds = try phonemize(near)
            let allowed = target.count >= 5 ? 2 : 1
            var seen = Set<[String]>()
            for (candidate, p) in zip(near, sounds) {
                let d = distance(p, target)
                guard d >= 1, d <= allowed, seen.insert(p).inserted else { continue }
                var replaced = words
                replaced[w] = candidate.lowercased()
                found.append((replaced.joined(separator: " "), d, w))
            }
        }
        // Closest first, then alternate between the phrase's words so each gets its neighbours.
        var byWord: [Int: [(text: String, distance: Int, order: Int)]] = [:]
        for f in found.sorted(by: { ($0.distance, $0.text) < ($1.distance, $1.text) }) { byWord[f.order, default: []].append(f) }
        var out: [NearMissText] = []
        var round = 0
        while out.count < limit, byWord.values.contains(where: { $0.count > round }) {
            for w in byWord.keys.sorted() where out.count < limit {
                if let f = byWord[w], f.count > round { out.append(NearMissText(text: f[round].text, kind: .neighbour)) }
            }
            round += 1
        }
        return out
    }

    /// Each word of a multi-word phrase alone; for one word, dictionary words that are its first
    /// or last phonemes (at least half of them), else its first and last syllables in phonemes.
    public static func partials(of phrase: String, dictionary: String = Phonemes.dictionary) throws -> [NearMissText] {
        let words = phrase.lowercased().split(separator: " ").map { String($0.filter(\.isLetter)) }.filter { !$0.isEmpty }
        if words.count > 1 { return words.map { NearMissText(text: $0, kind: .partial) } }
        guard let word = words.first else { return [] }
        let target = try phonemize([word])[0]
        let near = try dictionaryWords(dictionary).filter { w in
            let w = w.lowercased()
            guard w.count >= 2, w.count < word.count + 2, w != word else { return false }
            return letters(w, String(word.prefix(w.count))) <= 1 || letters(w, String(word.suffix(w.count))) <= 1
        }
        let sounds = try phonemize(near)
        // Its first or last phonemes, give or take one ("alex" for "alexa"), closest and longest first.
        var found: [(text: String, distance: Int, length: Int)] = []
        for (candidate, p) in zip(near, sounds) where p.count * 2 >= target.count && p.count < target.count {
            let d = min(distance(p, Array(target.prefix(p.count))), distance(p, Array(target.suffix(p.count))))
            if d <= 1, !found.contains(where: { $0.text == candidate.lowercased() }) { found.append((candidate.lowercased(), d, p.count)) }
        }
        var out = found.sorted { ($0.distance, -$0.length, $0.text) < ($1.distance, -$1.length, $1.text) }
            .map { NearMissText(text: $0.text, kind: .partial) }
        if out.isEmpty {
            let spelt = try of(word)
            let t = tokens(spelt), half = t.count / 2 + 1
            out = [t.prefix(half).joined(), t.suffix(half).joined()].map { NearMissText(text: "[[\($0)]]", kind: .partial) }
        }
        return Array(out.prefix(4))
    }

    /// Neighbours, then partial phrases; a word that is both ("alex" for "alexa") counts as partial.
    public static func nearMissTexts(of phrase: String) throws -> (neighbours: [NearMissText], partials: [NearMissText]) {
        let partials = try partials(of: phrase)
        let neighbours = try neighbours(of: phrase).filter { n in !partials.contains { $0.text == n.text } }
        return (neighbours, partials)
    }

    /// Debian's American English word list (package wamerican).
    public static let dictionary = "/usr/share/dict/american-english"

    static func dictionaryWords(_ path: String) throws -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw CorpusError.unreadable("\(path): cannot read the word list (make setup installs Debian's wamerican)")
        }
        return text.split(separator: "\n").map(String.init).filter { w in !w.isEmpty && w.allSatisfy { $0.isASCII && $0.isLetter } }
    }
}
