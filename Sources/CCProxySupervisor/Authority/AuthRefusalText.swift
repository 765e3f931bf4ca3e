// Runs in: the supervisor (`ccproxy serve`).

import CCProxyCore

/// The errors the loop answers an authorization with by itself (without the authority thread).
enum AuthRefusalText {
    /// The authority queue is full, or the connection moved on while it waited: retryable.
    static var busy: APIError {
        var error = APIError.unavailable("authorization is busy; retry shortly")
        error.retryAfterSeconds = Limits.storeRetryAfterSeconds
        return error
    }
}
