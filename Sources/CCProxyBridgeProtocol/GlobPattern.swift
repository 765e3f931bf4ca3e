/// A shell-style pattern for one path component, with the semantics of Go's
/// `filepath.Match` (what the reference used): `*` any run of characters, `?` one
/// character, `[abc]`, `[a-z]`, `[^…]`/`[!…]` classes, `\` escapes the next character.
/// `/` never occurs in a component, so it needs no special case.
///
/// A malformed pattern (an unclosed class, a trailing `\`) matches nothing, as Go's
/// returns an error there; an ignore file with a typo then hides less, never everything.
public struct GlobPattern: Sendable, Equatable {
    public let text: String
    private let pattern: [Character]

    public init(_ text: String) {
        self.text = text
        self.pattern = Array(text)
    }

    public func matches(_ name: String) -> Bool {
        Self.match(pattern[...], Array(name)[...]) ?? false
    }

    /// nil when the pattern is malformed at the point reached.
    private static func match(_ p: ArraySlice<Character>, _ s: ArraySlice<Character>) -> Bool? {
        var p = p
        var s = s
        while let c = p.first {
            switch c {
            case "*":
                let rest = p.dropFirst().drop { $0 == "*" }
                if rest.isEmpty { return true }
                var tail = s
                while true {
                    if let r = match(rest, tail) {
                        if r { return true }
                    } else {
                        return nil
                    }
                    guard !tail.isEmpty else { return false }
                    tail = tail.dropFirst()
                }
            case "?":
                guard !s.isEmpty else { return false }
                p = p.dropFirst()
                s = s.dropFirst()
            case "[":
                guard let (matched, rest) = matchClass(p.dropFirst(), s.first) else { return nil }
                guard matched, !s.isEmpty else { return false }
                p = rest
                s = s.dropFirst()
            case "\\":
                p = p.dropFirst()
                guard let literal = p.first else { return nil }
                guard s.first == literal else { return false }
                p = p.dropFirst()
                s = s.dropFirst()
            default:
                guard s.first == c else { return false }
                p = p.dropFirst()
                s = s.dropFirst()
            }
        }
        return s.isEmpty
    }

    /// Matches `ch` against the class starting after `[`; returns whether it matched and
    /// the pattern after `]`, or nil for a malformed class.
    private static func matchClass(_ p: ArraySlice<Character>, _ ch: Character?) -> (Bool, ArraySlice<Character>)? {
        var p = p
        var negated = false
        if let first = p.first, first == "^" || first == "!" {
            negated = true
            p = p.dropFirst()
        }
        var matched = false
        var firstItem = true
        while true {
            guard let c = p.first else { return nil }
            if c == "]" && !firstItem { break }
            firstItem = false
            guard let lo = literal(&p) else { return nil }
            var hi = lo
            if p.first == "-", let next = p.dropFirst().first, next != "]" {
                p = p.dropFirst()
                guard let h = literal(&p) else { return nil }
                hi = h
            }
            if let ch, lo <= ch && ch <= hi { matched = true }
        }
        return (matched != negated, p.dropFirst())
    }

    private static func literal(_ p: inout ArraySlice<Character>) -> Character? {
        guard var c = p.first else { return nil }
        p = p.dropFirst()
        if c == "\\" {
            guard let escaped = p.first else { return nil }
            c = escaped
            p = p.dropFirst()
        }
        return c
    }
}
