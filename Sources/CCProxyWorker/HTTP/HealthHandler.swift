// Runs in: a worker (`ccproxy-worker`).

import CCProxyCore

/// `GET /healthz` (always 200 while the process serves) and `GET /readyz` (200 only if the
/// supervisor's startup probe of `claude --version` succeeded).
struct HealthHandler {
    let settings: ProxySettings

    func health(writer: inout ResponseWriter) async throws {
        let ready = settings.claudeVersion != nil
        let body = #"{"status":"ok","claude_ready":\#(ready),"claude_version":\#(JSONString.quote(settings.claudeVersion ?? ""))}"# + "\n"
        try await writer.send(status: .ok, body: Array(body.utf8))
    }

    func ready(writer: inout ResponseWriter) async throws {
        if let version = settings.claudeVersion {
            let body = #"{"status":"ready","claude_version":\#(JSONString.quote(version))}"# + "\n"
            try await writer.send(status: .ok, body: Array(body.utf8))
        } else {
            let reason = settings.claudeProbeError ?? "claude --version did not succeed"
            let body = #"{"status":"not_ready","error":\#(JSONString.quote(reason))}"# + "\n"
            try await writer.send(status: .serviceUnavailable, body: Array(body.utf8))
        }
    }
}
