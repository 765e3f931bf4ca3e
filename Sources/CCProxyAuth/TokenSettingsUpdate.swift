/// The settings `TokenAuthority.update(idOrName:settings:)` changes: each nil field is kept.
/// For the two clearable ones, `.some(nil)` clears (no verbosity override, no principal).
public struct TokenSettingsUpdate: Sendable, Equatable {
    public var scopes: ScopeSet?
    public var rpm: Int?
    public var tpd: Int?
    public var maxConcurrent: Int?
    public var debugCapture: Bool?
    public var defaultVerbosity: String??
    public var principal: String??

    public init(
        scopes: ScopeSet? = nil, rpm: Int? = nil, tpd: Int? = nil, maxConcurrent: Int? = nil, debugCapture: Bool? = nil,
        defaultVerbosity: String?? = nil, principal: String?? = nil
    ) {
        self.scopes = scopes
        self.rpm = rpm
        self.tpd = tpd
        self.maxConcurrent = maxConcurrent
        self.debugCapture = debugCapture
        self.defaultVerbosity = defaultVerbosity
        self.principal = principal
    }

    /// Whether nothing would change.
    public var isEmpty: Bool {
        self == TokenSettingsUpdate()
    }
}
