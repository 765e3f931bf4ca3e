/// Finds the known key an unknown one was probably meant to be, for "did you mean" hints.
enum KeySuggestion {
    /// The closest known key if it is close enough to be a likely typo, else nil.
    ///
    /// Keys are compared case-insensitively with `_` and `-` ignored (so `sessionTTL` and
    /// `session-ttl` suggest `session_ttl`), then by edit distance of at most 2.
    static func closest(to key: String, among known: [String]) -> String? {
        let wanted = normalized(key)
        var best: (key: String, distance: Int)?
        for candidate in known {
            let distance = editDistance(wanted, normalized(candidate))
            if distance <= 2, distance < (best?.distance ?? Int.max) {
                best = (candidate, distance)
            }
        }
        return best?.key
    }

    /// The message suffix for an unknown key: ` (did you mean "x"?)` or "".
    static func hint(for key: String, among known: [String]) -> String {
        closest(to: key, among: known).map { " (did you mean \(quoted($0))?)" } ?? ""
    }

    private static func normalized(_ key: String) -> [Character] {
        Array(key.lowercased().filter { $0 != "_" && $0 != "-" })
    }

    private static func editDistance(_ lhs: [Character], _ rhs: [Character]) -> Int {
        if lhs.isEmpty || rhs.isEmpty { return max(lhs.count, rhs.count) }
        var previous = Array(0...rhs.count)
        for (i, left) in lhs.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: rhs.count)
            for (j, right) in rhs.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (left == right ? 0 : 1))
            }
            previous = current
        }
        return previous[rhs.count]
    }
}
