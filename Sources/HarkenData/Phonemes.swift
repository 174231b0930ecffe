import HarkenSupport

/// espeak-ng's phoneme spelling of text, and its near neighbours: strings one
/// phoneme away from the wake phrase, which sound close but are not it.
public enum Phonemes {
    public static func of(_ text: String) throws -> String {
        try Executable.run("espeak-ng", ["-q", "-x", "-v", "en-us", text]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// espeak-ng's English phonemes, longest first so tokenising takes "dZ" before "d".
    static let inventory = ["tS", "dZ", "eI", "aI", "OI", "aU", "oU", "A@", "e@", "i@", "U@", "O@", "3:", "A:", "i:", "u:", "O:",
                            "@L", "@", "I", "E", "a", "0", "V", "U", "i", "u", "A", "O", "p", "b", "t", "d", "k", "g", "f", "v",
                            "T", "D", "s", "z", "S", "Z", "h", "m", "n", "N", "l", "r", "w", "j"]

    /// Pairs a listener confuses easily: voicing, place, and neighbouring vowels.
    static let confusable: [String: [String]] = {
        let pairs: [(String, String)] = [("p", "b"), ("t", "d"), ("k", "g"), ("f", "v"), ("s", "z"), ("S", "Z"), ("tS", "dZ"),
                                         ("m", "n"), ("T", "D"), ("l", "r"), ("eI", "aI"), ("eI", "E"), ("A@", "O@"), ("I", "i:"),
                                         ("V", "A:"), ("oU", "O:"), ("u:", "U"), ("A:", "a"), ("d", "dZ"), ("h", "f"), ("n", "N")]
        var m: [String: [String]] = [:]
        for (a, b) in pairs { m[a, default: []].append(b); m[b, default: []].append(a) }
        return m
    }()

    /// Splits a phoneme string into phonemes, keeping stress marks and spaces as their own tokens.
    public static func tokens(_ s: String) -> [String] {
        var out: [String] = []
        var rest = Substring(s)
        while let c = rest.first {
            if let p = inventory.first(where: { rest.hasPrefix($0) }) {
                out.append(p)
                rest = rest.dropFirst(p.count)
            } else {
                out.append(String(c))
                rest = rest.dropFirst()
            }
        }
        return out
    }

    /// Every string that differs from `phrase` in exactly one confusable phoneme.
    public static func nearMisses(_ phrase: String) -> [String] {
        let t = tokens(phrase)
        var out: [String] = []
        for (i, p) in t.enumerated() {
            for q in confusable[p] ?? [] {
                var v = t
                v[i] = q
                out.append(v.joined())
            }
        }
        return out
    }
}
