import CCProxyCore

/// Why `TokenAuthority.authorize` refused a bearer, and the error the client receives.
///
/// Every authentication failure gives the client the same 401 `invalid bearer token`, so
/// that the response does not tell an unknown token from a revoked or expired one; ``reason``
/// keeps the difference for logs and metrics.
public struct AuthRefusal: Error, Sendable, Equatable {
    /// What went wrong, for the server's own logs.
    public enum Reason: String, Sendable, Equatable {
        /// Not `ccp_<8 hex>_<24 hex>`.
        case malformed
        /// No token has this prefix (never existed, revoked, or rotated away).
        case unknown
        /// The secret does not match the stored hash.
        case wrongSecret
        /// The token's expiry has passed.
        case expired
        /// Authenticated, but the token lacks the required scope.
        case missingScope
        /// The token database could not be read.
        case storeUnavailable
        /// Too many wrong secrets for this prefix or from this source: refused unhashed.
        case throttled
    }

    /// What went wrong.
    public var reason: Reason
    /// The response for the client.
    public var error: APIError
    /// Who it was, when the bearer authenticated and only the scope was missing (so that the
    /// 403 can still report the token's limits).
    public var identity: TokenIdentity?

    public init(reason: Reason, error: APIError) {
        self.reason = reason
        self.error = error
    }

    /// 401 `invalid bearer token`.
    public static func invalidBearer(_ reason: Reason) -> AuthRefusal {
        AuthRefusal(reason: reason, error: .unauthorized("invalid bearer token"))
    }

    /// 403 `token missing required scope: <scope>`.
    public static func missingScope(_ scope: String, identity: TokenIdentity? = nil) -> AuthRefusal {
        var refusal = AuthRefusal(reason: .missingScope, error: .forbidden("token missing required scope: \(scope)"))
        refusal.identity = identity
        return refusal
    }

    /// 429 after too many wrong secrets for the prefix or from the source; argon2 did not run.
    public static func throttled(retryAfter seconds: Int) -> AuthRefusal {
        AuthRefusal(
            reason: .throttled,
            error: APIError(
                status: 429, type: "rate_limit_error", code: "rate_limit_exceeded",
                message: "too many failed authentications; retry later", retryAfterSeconds: seconds))
    }

    /// 503: the token database is locked or failing; the request may be retried.
    public static func storeUnavailable() -> AuthRefusal {
        var error = APIError.unavailable("token store unavailable; retry shortly")
        error.retryAfterSeconds = Limits.storeRetryAfterSeconds
        return AuthRefusal(reason: .storeUnavailable, error: error)
    }
}
