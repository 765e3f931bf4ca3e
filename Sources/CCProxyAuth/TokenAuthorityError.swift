import CCProxyStore

/// Why a token management operation (create, resolve, revoke, rotate, update, seed, usage)
/// failed. The descriptions are the CLI's error messages.
public enum TokenAuthorityError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No token has this id or name.
    case notFound(String)
    /// Several tokens have this name; the caller must use the id.
    case ambiguousName(String, count: Int)
    /// The name is empty.
    case emptyName
    /// A rate limit is negative.
    case negativeLimit(String)
    /// The lifetime is not positive.
    case nonPositiveTTL
    /// The verbosity is not `text-only`, `verbose` or `narrated`.
    case invalidVerbosity(String)
    /// The principal is empty or contains whitespace or control characters.
    case invalidPrincipal(String)
    /// Hashing the secret failed.
    case hashing(HashingError)
    /// The token database failed.
    case store(StoreError)

    public var description: String {
        switch self {
        case .notFound(let key):
            "token not found: \(key)"
        case .ambiguousName(let name, let count):
            "ambiguous name \"\(name)\" matches \(count) tokens; use the id"
        case .emptyName:
            "token name must not be empty"
        case .negativeLimit(let which):
            "\(which) must be 0 (unlimited) or more"
        case .nonPositiveTTL:
            "ttl must be positive"
        case .invalidVerbosity(let value):
            "default verbosity \"\(value)\" must be one of: \(TokenAuthority.verbosities.joined(separator: ", "))"
        case .invalidPrincipal(let value):
            "invalid principal \"\(value)\": must be 1 to 64 bytes, without spaces or control characters"
        case .hashing(let error):
            error.description
        case .store(let error):
            "token database: \(error.description)"
        }
    }
}
