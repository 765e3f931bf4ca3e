// Runs in: a worker (`ccproxy-worker`).

public import CCProxyCore
public import CCProxyWire

/// The supervisor refused an authorization: the error the client must see and, when the
/// bearer was authenticated (a 403 or 429), the token's rate-limit state for its headers.
public struct SupervisorRefusal: Error, Sendable, Equatable {
    public var error: APIError
    public var limits: RateLimitFigures?

    public init(error: APIError, limits: RateLimitFigures? = nil) {
        self.error = error
        self.limits = limits
    }
}
