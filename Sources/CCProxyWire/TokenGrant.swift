/// What a worker learns about the bearer of a request once the supervisor has authorized
/// it: identity and per-token preferences, never the hash or the secret.
public struct TokenGrant: Sendable, Equatable {
    public var tokenID: String
    public var name: String
    public var scopes: [String]
    public var principal: String?
    public var debugCapture: Bool
    public var defaultVerbosity: String?
    /// The token's rate-limit state after this request (the `x-ratelimit-*` headers).
    public var limits: RateLimitFigures
    /// Where the principal's connected bridge is mounted (set by the supervisor when it
    /// grants; nil without a principal or a bridge): the working directory of its turns that
    /// would otherwise get an ephemeral one.
    public var bridgeMount: String?
    /// The socket of that bridge's `exec` requests, when its daemon allows exec (then the
    /// turn gets the `mcp__bridge__exec` tool); nil otherwise.
    public var bridgeExecSocket: String?
    /// The token is at its concurrent-turn cap, and one of its turns waits for the client's
    /// function results: this request was admitted only to continue that turn. If it does
    /// not (`findWaitingTurn` finds none), the worker answers 429 as the cap would have.
    public var followUpOnly: Bool = false

    public init(
        tokenID: String, name: String, scopes: [String], principal: String? = nil,
        debugCapture: Bool = false, defaultVerbosity: String? = nil, limits: RateLimitFigures = .none,
        bridgeMount: String? = nil, bridgeExecSocket: String? = nil
    ) {
        self.tokenID = tokenID
        self.name = name
        self.scopes = scopes
        self.principal = principal
        self.debugCapture = debugCapture
        self.defaultVerbosity = defaultVerbosity
        self.limits = limits
        self.bridgeMount = bridgeMount
        self.bridgeExecSocket = bridgeExecSocket
    }

    func encode(into w: inout WireWriter) {
        w.string(tokenID)
        w.string(name)
        w.strings(scopes)
        w.optionalString(principal)
        w.bool(debugCapture)
        w.optionalString(defaultVerbosity)
        limits.encode(into: &w)
        w.optionalString(bridgeMount)
        w.optionalString(bridgeExecSocket)
        w.bool(followUpOnly)
    }

    static func decode(from r: inout WireReader) throws(WireError) -> TokenGrant {
        var grant = TokenGrant(
            tokenID: try r.string("tokenID"), name: try r.string("name"), scopes: try r.strings("scopes"),
            principal: try r.optionalString("principal"), debugCapture: try r.bool("debugCapture"),
            defaultVerbosity: try r.optionalString("defaultVerbosity"), limits: try RateLimitFigures.decode(from: &r),
            bridgeMount: try r.optionalString("bridgeMount"), bridgeExecSocket: try r.optionalString("bridgeExecSocket"))
        grant.followUpOnly = try r.bool("followUpOnly")
        return grant
    }
}
