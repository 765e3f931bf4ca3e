// Runs in: a worker (`ccproxy-worker`).

import CCProxyWire

extension RateLimitFigures {
    /// The `x-ratelimit-*` headers OpenAI clients read, on every response to an
    /// authenticated request (an unlimited dimension reports `RateLimitFigures.unlimited`).
    var responseHeaders: [(String, String)] {
        [
            ("x-ratelimit-limit-requests", String(requestsLimit)),
            ("x-ratelimit-remaining-requests", String(requestsRemaining)),
            ("x-ratelimit-limit-tokens", String(tokensLimit)),
            ("x-ratelimit-remaining-tokens", String(tokensRemaining)),
        ]
    }
}
