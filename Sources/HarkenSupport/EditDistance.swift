/// Levenshtein distance: the fewest insertions, deletions and substitutions turning `a` into `b`
/// (characters of a misspelt key, phonemes of a near miss).
public func editDistance<T: Equatable>(_ a: [T], _ b: [T]) -> Int {
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var row = Array(0...b.count)
    for i in 1...a.count {
        var prev = row[0]
        row[0] = i
        for j in 1...b.count {
            let cur = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1))
            prev = cur
        }
    }
    return row[b.count]
}
