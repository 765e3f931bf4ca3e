/// A scope list named a scope that does not exist.
public struct ScopeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The unknown scope, as given (trimmed).
    public var scope: String

    public init(scope: String) {
        self.scope = scope
    }

    /// `unknown scope "<s>" (valid: chat, session:persistent, admin, workspace:*, workspace:<name>, bridge:connect)`
    public var description: String {
        "unknown scope \"\(scope)\" (valid: chat, session:persistent, admin, workspace:*, workspace:<name>, bridge:connect)"
    }
}
