/// The environment a turn's `claude` runs with: an allow-list, never the server's own.
///
/// The server's environment holds what a tenant must not see: `CCPROXY_*` (the state
/// directory, a seeded bearer), systemd's `LISTEN_*`, `NOTIFY_SOCKET`, `INVOCATION_ID` and
/// journal variables, whatever an env file added. claude gets only
/// - the basics every program expects (`PATH`, `LANG`, `LC_*`, `TZ`, `TERM`, `COLORTERM`);
/// - the names the operator lists in `claude_environment` (a trailing `*` matches a prefix;
///   default `ProxySettings.defaultClaudeEnvironment`: the API credentials and endpoint,
///   `CLAUDE_CODE_*`, the proxy variables);
/// - `HOME`, `CLAUDE_CONFIG_DIR` and `TMPDIR`, set per turn by the caller.
/// Names in `denied` never pass, whatever the list says. A pure value: unit-tested.
public struct ClaudeEnvironment: Sendable, Equatable {
    /// Always passed when the server has them.
    public static let basics = ["PATH", "LANG", "LC_*", "TZ", "TERM", "COLORTERM", "LANGUAGE"]
    /// Never passed (the server's own, systemd's, and what the turn sets itself).
    public static let denied = [
        "CCPROXY_*", "LISTEN_*", "NOTIFY_SOCKET", "INVOCATION_ID", "JOURNAL_STREAM", "SYSTEMD_*",
        "WATCHDOG_*", "MANAGERPID", "CREDENTIALS_DIRECTORY", "HOME", "CLAUDE_CONFIG_DIR", "TMPDIR",
        "IS_SANDBOX",
    ]

    /// The operator's list (`claude_environment`).
    public var passed: [String]

    public init(passed: [String]) {
        self.passed = passed
    }

    /// Why a `claude_environment` entry is unusable, or nil if it is fine.
    public static func problem(with pattern: String) -> String? {
        let stem = pattern.hasSuffix("*") ? String(pattern.dropLast()) : pattern
        guard let first = stem.unicodeScalars.first else {
            return pattern.isEmpty ? "is empty" : "must not be a bare *"
        }
        let allowed = { (c: Unicode.Scalar) in (c >= "A" && c <= "Z") || (c >= "a" && c <= "z") || (c >= "0" && c <= "9") || c == "_" }
        guard stem.unicodeScalars.allSatisfy(allowed), !(first >= "0" && first <= "9") else {
            return "must be a variable name (letters, digits, _), optionally ending in *"
        }
        if denied.contains(where: { matches(stem, $0) || matches(pattern, $0) }) || stem.hasPrefix("CCPROXY") {
            return "names a variable claude never gets (the server's own or systemd's)"
        }
        return nil
    }

    /// claude's environment: the allowed entries of `server` (`KEY=VALUE` strings, in order),
    /// then `turn` (HOME, CLAUDE_CONFIG_DIR, TMPDIR, ...), which always win.
    public func filter(_ server: [String], turn: [(name: String, value: String)]) -> [String] {
        let patterns = Self.basics + passed
        var out: [String] = []
        for entry in server {
            guard let equals = entry.firstIndex(of: "=") else { continue }
            let name = String(entry[..<equals])
            guard !name.isEmpty, !Self.denied.contains(where: { Self.matches(name, $0) }),
                patterns.contains(where: { Self.matches(name, $0) })
            else { continue }
            if turn.contains(where: { $0.name == name }) { continue }
            out.append(entry)
        }
        return out + turn.map { $0.name + "=" + $0.value }
    }

    /// Whether `name` matches `pattern` (exactly, or by prefix when it ends in `*`).
    static func matches(_ name: String, _ pattern: String) -> Bool {
        pattern.hasSuffix("*") ? name.hasPrefix(pattern.dropLast()) : name == pattern
    }
}
