/// A token's rate-limit state as the supervisor saw it when it answered an authorization:
/// what the worker reports in `x-ratelimit-*` headers. For requests, the limit is the
/// token's requests per minute and the remaining count what its bucket holds after this
/// request; for tokens, the limit is tokens per UTC day and the remaining count what is left
/// of today's. An unlimited dimension carries ``unlimited`` in both fields.
public struct RateLimitFigures: Sendable, Equatable {
    /// What an unlimited dimension reports: the largest value every client parses as an
    /// integer (2^31 − 1), so clients that pace themselves by the headers never wait.
    public static let unlimited: UInt64 = 2_147_483_647

    public var requestsLimit: UInt64
    public var requestsRemaining: UInt64
    public var tokensLimit: UInt64
    public var tokensRemaining: UInt64

    public init(requestsLimit: UInt64, requestsRemaining: UInt64, tokensLimit: UInt64, tokensRemaining: UInt64) {
        self.requestsLimit = requestsLimit
        self.requestsRemaining = requestsRemaining
        self.tokensLimit = tokensLimit
        self.tokensRemaining = tokensRemaining
    }

    /// No limits at all.
    public static let none = RateLimitFigures(
        requestsLimit: unlimited, requestsRemaining: unlimited, tokensLimit: unlimited, tokensRemaining: unlimited)

    func encode(into w: inout WireWriter) {
        w.u64(requestsLimit)
        w.u64(requestsRemaining)
        w.u64(tokensLimit)
        w.u64(tokensRemaining)
    }

    static func decode(from r: inout WireReader) throws(WireError) -> RateLimitFigures {
        RateLimitFigures(requestsLimit: try r.u64(), requestsRemaining: try r.u64(), tokensLimit: try r.u64(), tokensRemaining: try r.u64())
    }
}
