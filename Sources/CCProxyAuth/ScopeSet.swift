import CCProxyCore

/// The scopes of one token, without duplicates, in the order they were first given.
public struct ScopeSet: Sendable, Hashable, CustomStringConvertible {
    /// The scopes, deduplicated, in order.
    public private(set) var scopes: [Scope]

    /// The set holding `scopes` once each, keeping first occurrences in order.
    public init(_ scopes: [Scope]) {
        var unique: [Scope] = []
        for scope in scopes where !unique.contains(scope) {
            unique.append(scope)
        }
        self.scopes = unique
    }

    /// The default for new tokens: `chat` only.
    public static let `default` = ScopeSet([.chat])

    /// Parses a comma-separated list such as `"chat, workspace:docs"`.
    ///
    /// Items are trimmed and empty items skipped; a list with no items is ``default``.
    ///
    /// - Throws: ``ScopeError`` naming the first unknown scope.
    public static func parse(_ text: String) throws(ScopeError) -> ScopeSet {
        let items = text.split(separator: ",").map { $0.trimmingASCIIWhitespace() }.filter { !$0.isEmpty }
        guard !items.isEmpty else { return .default }
        var scopes: [Scope] = []
        for item in items {
            guard let scope = Scope(item) else { throw ScopeError(scope: item) }
            scopes.append(scope)
        }
        return ScopeSet(scopes)
    }

    /// The set with `scope` added at the end, unless it is already present.
    public func inserting(_ scope: Scope) -> ScopeSet {
        ScopeSet(scopes + [scope])
    }

    /// Whether this set satisfies `required` (see ``grants(_:in:)``).
    public func grants(_ required: String) -> Bool {
        Self.grants(required, in: strings)
    }

    /// Whether `granted` (stored scope strings) satisfies the scope `required`: an exact
    /// match, or `workspace:*` for any `workspace:<name>`.
    public static func grants(_ required: String, in granted: some Sequence<String>) -> Bool {
        let wildcard = Scope.anyWorkspace.description
        let coveredByWildcard = required.hasPrefix(Scope.workspacePrefix) && required != wildcard
        for scope in granted where scope == required || (coveredByWildcard && scope == wildcard) {
            return true
        }
        return false
    }

    /// The scopes as stored, e.g. `["chat", "workspace:*"]`.
    public var strings: [String] { scopes.map(\.description) }

    /// `chat, workspace:*`: the form the CLI prints.
    public var description: String { strings.joined(separator: ", ") }
}

extension Substring {
    func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
