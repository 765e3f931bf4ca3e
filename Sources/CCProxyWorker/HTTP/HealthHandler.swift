// Runs in: a worker (`ccproxy-worker`).

import CCProxyCore

/// `GET /healthz` (always 200 while the process serves) and `GET /readyz` (200 only if the
/// supervisor's startup probe of `claude --version` succeeded).
struct HealthHandler {
    let settings: ProxySettings

    /// `{"claude_ready","claude_version","status":"ok"}`.
    private struct Health: Encodable {
        let status = "ok"
        let claudeReady: Bool
        let claudeVersion: String

        enum CodingKeys: String, CodingKey {
            case status
            case claudeReady = "claude_ready"
            case claudeVersion = "claude_version"
        }
    }

    /// `{"claude_version","status":"ready"}`, or `{"error","status":"not_ready"}`.
    private struct Readiness: Encodable {
        let status: String
        let claudeVersion: String?
        let error: String?

        enum CodingKeys: String, CodingKey {
            case status, error
            case claudeVersion = "claude_version"
        }
    }

    func health(writer: inout ResponseWriter) async throws {
        let body = Health(claudeReady: settings.claudeVersion != nil, claudeVersion: settings.claudeVersion ?? "")
        try await writer.send(status: .ok, body: ResponseEncoder().body(body))
    }

    func ready(writer: inout ResponseWriter) async throws {
        if let version = settings.claudeVersion {
            let body = Readiness(status: "ready", claudeVersion: version, error: nil)
            try await writer.send(status: .ok, body: ResponseEncoder().body(body))
        } else {
            let reason = settings.claudeProbeError ?? "claude --version did not succeed"
            let body = Readiness(status: "not_ready", claudeVersion: nil, error: reason)
            try await writer.send(status: .serviceUnavailable, body: ResponseEncoder().body(body))
        }
    }
}
