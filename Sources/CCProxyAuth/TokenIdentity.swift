/// Who a request is, once the supervisor has authorized its bearer: what it tells the worker.
///
/// Carries no hash, prefix or secret. Scopes are the stored strings, so a worker can check a
/// further scope (a workspace, a persistent session) with ``grants(_:)``.
public struct TokenIdentity: Sendable, Equatable, Codable {
    /// The token id (16 hex characters).
    public var id: String
    /// The token's name.
    public var name: String
    /// Granted scopes as stored.
    public var scopes: [String]
    /// The bridge principal, if any.
    public var principal: String?
    /// Whether requests are captured for debugging.
    public var debugCapture: Bool
    /// The token's verbosity override, if any.
    public var defaultVerbosity: String?
    /// Requests per minute; 0 = unlimited.
    public var rateLimitRPM: Int
    /// Tokens per UTC day; 0 = unlimited.
    public var rateLimitTPD: Int
    /// Turns in progress at once; 0 = unlimited.
    public var maxConcurrent: Int

    public init(
        id: String, name: String, scopes: [String], principal: String? = nil, debugCapture: Bool = false,
        defaultVerbosity: String? = nil, rateLimitRPM: Int = 0, rateLimitTPD: Int = 0, maxConcurrent: Int = 0
    ) {
        self.id = id
        self.name = name
        self.scopes = scopes
        self.principal = principal
        self.debugCapture = debugCapture
        self.defaultVerbosity = defaultVerbosity
        self.rateLimitRPM = rateLimitRPM
        self.rateLimitTPD = rateLimitTPD
        self.maxConcurrent = maxConcurrent
    }

    /// Whether the token holds `required` (exact, or `workspace:*` for any workspace).
    public func grants(_ required: String) -> Bool {
        ScopeSet.grants(required, in: scopes)
    }
}
