#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One row of the token registry: everything stored about a bearer token except its secret.
///
/// The secret itself is never stored; ``hash`` is its argon2id encoded string
/// (`$argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>`), which carries its own salt and parameters.
public struct TokenRecord: Sendable, Equatable {
    /// 16 lowercase hex characters (8 random bytes); stable across rotations.
    public var id: String
    /// A label chosen by the operator; not unique.
    public var name: String
    /// The 8 hex characters after `ccp_` in the bearer; unique, and the lookup key.
    public var prefix: String
    /// The argon2id encoded hash of the bearer's secret part.
    public var hash: String
    /// Granted scopes, in the order they were given (e.g. `["chat", "workspace:*"]`).
    public var scopes: [String]
    /// When the token was created (whole seconds).
    public var createdAt: Date
    /// When the token stops being accepted, or nil for never.
    public var expiresAt: Date?
    /// When a request last authenticated with it (updated at most once a minute), or nil.
    public var lastUsedAt: Date?
    /// Requests per minute allowed; 0 means unlimited.
    public var rateLimitRPM: Int
    /// Tokens (input + output) per UTC day allowed; 0 means unlimited.
    public var rateLimitTPD: Int
    /// Turns in progress at once allowed; 0 means unlimited.
    public var maxConcurrent: Int
    /// Whether requests made with this token are captured for debugging.
    public var debugCapture: Bool
    /// `text-only`, `verbose` or `narrated`, overriding the server default; nil for none.
    public var defaultVerbosity: String?
    /// The identity a bridge connection made with this token belongs to; nil for none.
    public var principal: String?

    public init(
        id: String, name: String, prefix: String, hash: String, scopes: [String],
        createdAt: Date, expiresAt: Date? = nil, lastUsedAt: Date? = nil,
        rateLimitRPM: Int = 0, rateLimitTPD: Int = 0, debugCapture: Bool = false,
        defaultVerbosity: String? = nil, principal: String? = nil, maxConcurrent: Int = 0
    ) {
        self.id = id
        self.name = name
        self.prefix = prefix
        self.hash = hash
        self.scopes = scopes
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
        self.rateLimitRPM = rateLimitRPM
        self.rateLimitTPD = rateLimitTPD
        self.debugCapture = debugCapture
        self.defaultVerbosity = defaultVerbosity
        self.principal = principal
        self.maxConcurrent = maxConcurrent
    }

    /// Whether the token is expired at `now` (expiry is exclusive: at `expiresAt` it is over).
    public func isExpired(at now: Date) -> Bool {
        guard let expiresAt else { return false }
        return expiresAt <= now
    }
}
