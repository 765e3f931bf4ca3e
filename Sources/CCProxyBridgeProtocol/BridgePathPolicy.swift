import Foundation

/// Which names under the root the server never sees.
///
/// The built-in deny list (`.ssh .aws .gnupg id_rsa* id_ed25519* id_ecdsa* .env .env.*`),
/// the patterns of `<root>/.ccproxyignore`, and `.ccproxyignore` itself (the server must
/// not read, nor rewrite, the list that guards the laptop). Each pattern is matched against
/// every component of a path, so `a/.ssh/config` and `.env.local/x` are denied as well as
/// the names themselves. A denied name is not listed and behaves as absent (`not_found`)
/// for every operation, writes included: the reference answered `permission_denied`, which
/// told the server the file was there.
public struct BridgePathPolicy: Sendable, Equatable {
    public static let builtInPatterns = [
        ".ssh", ".aws", ".gnupg", "id_rsa*", "id_ed25519*", "id_ecdsa*", ".env", ".env.*",
    ]
    /// The name of the ignore file at the root.
    public static let ignoreFileName = ".ccproxyignore"

    public let patterns: [GlobPattern]

    /// The policy for a root whose `.ccproxyignore` holds `ignoreFile` (nil: no such file).
    /// Lines are trimmed; blank lines and `#` comments are skipped; a trailing `/` is
    /// dropped (a directory pattern denies the directory's name).
    public init(ignoreFile: String?) {
        var all = Self.builtInPatterns + [Self.ignoreFileName]
        for raw in (ignoreFile ?? "").split(whereSeparator: \.isNewline) {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            while line.count > 1 && line.hasSuffix("/") { line.removeLast() }
            if line.hasPrefix("/") { line.removeFirst() }
            if line.isEmpty { continue }
            all.append(line)
        }
        patterns = all.map(GlobPattern.init)
    }

    /// Whether one name is denied.
    public func denies(name: String) -> Bool {
        patterns.contains { $0.matches(name) }
    }

    /// Whether any component of `components` is denied.
    public func denies(components: [String]) -> Bool {
        components.contains { denies(name: $0) }
    }
}
