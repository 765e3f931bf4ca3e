// Runs in: a worker (`ccproxy-worker`).

import CCProxyCore

/// Which browser origins may call the API (config `cors_origins`), and the headers that say so.
///
/// Off when no origin is configured: then no CORS header is ever sent and `OPTIONS` is an
/// ordinary 405. `*` allows every origin; the allowed origin is echoed (never `*` itself) with
/// `Vary: Origin`, so caches keep answers per origin. Pure: no I/O.
struct CORSPolicy: Sendable {
    let origins: Set<String>

    init(origins: [String]) {
        self.origins = Set(origins)
    }

    var isEnabled: Bool { !origins.isEmpty }

    /// Whether a request from `origin` may read responses.
    func allows(_ origin: String?) -> Bool {
        guard let origin, isEnabled else { return false }
        return origins.contains("*") || origins.contains(origin)
    }

    /// Headers on every response while CORS is on: `Vary: Origin` always (a shared cache must
    /// not serve one origin's answer to another), the allow headers for an allowed origin.
    func responseHeaders(origin: String?) -> [(String, String)] {
        guard isEnabled else { return [] }
        guard let origin, allows(origin) else { return [("Vary", "Origin")] }
        return [
            ("Access-Control-Allow-Origin", origin),
            ("Vary", "Origin"),
            ("Access-Control-Expose-Headers", Self.exposedHeaders.joined(separator: ", ")),
        ]
    }

    /// Headers of a preflight answer (204) for an allowed origin. The requested headers are
    /// echoed when every one of them is allowed, so that SDKs' own headers (`x-stainless-*`)
    /// pass; otherwise only the fixed list is offered and the browser refuses the request.
    func preflightHeaders(origin: String, requestedHeaders: String?) -> [(String, String)] {
        var allowHeaders = Self.allowedHeaders.joined(separator: ", ")
        if let requestedHeaders {
            let names = requestedHeaders.split(separator: ",").map { String($0).trimmingWhitespace().lowercased() }.filter { !$0.isEmpty }
            if !names.isEmpty, names.allSatisfy(Self.isAllowedRequestHeader) {
                allowHeaders = names.joined(separator: ", ")
            }
        }
        return [
            ("Access-Control-Allow-Origin", origin),
            ("Vary", "Origin"),
            ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
            ("Access-Control-Allow-Headers", allowHeaders),
            ("Access-Control-Max-Age", String(Limits.corsPreflightMaxAgeSeconds)),
        ]
    }

    static let allowedHeaders = [
        "Authorization", "Content-Type", "X-Request-Id", "X-CC-Verbosity", "X-CC-Effort", "X-CC-Claude-Model",
        "X-CC-Session", "X-CC-Workspace", "X-CC-Require-Bridge", "OpenAI-Organization", "OpenAI-Project",
    ]

    static let exposedHeaders = [
        "X-Request-Id", "X-CC-Ignored-Params", "X-CC-Session-Reset", "Retry-After", "x-ratelimit-limit-requests",
        "x-ratelimit-remaining-requests", "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens",
    ]

    private static let allowedLowercased = Set(allowedHeaders.map { $0.lowercased() })

    private static func isAllowedRequestHeader(_ name: String) -> Bool {
        allowedLowercased.contains(name) || name.hasPrefix("x-stainless-") || name == "accept" || name == "user-agent"
    }
}
