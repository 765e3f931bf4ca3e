// Runs in: a worker (`ccproxy-worker`).
// Answers a scrape of `metrics_listen`: the supervisor accepted the connection and handed
// it here with the exposition it rendered; the worker parses the request (the supervisor
// reads no client byte) and sends the exposition, as is.

/// The HTTP side of a metrics scrape.
enum MetricsResponder {
    /// The exposition's media type (Prometheus text format 0.0.4).
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// `/metrics` (any method, as the reference) is answered 200 with `exposition`; any
    /// other path 404. No authentication: bind `metrics_listen` where only scrapers reach it.
    static func answer(_ request: HTTPRequest, exposition: [UInt8], writer: inout ResponseWriter) async throws {
        guard request.path == "/metrics" else {
            try await writer.send(error: .notFound("no route for \(request.method.rawValue) \(request.path) (metrics are at /metrics)"))
            return
        }
        try await writer.send(status: .ok, contentType: contentType, body: exposition)
    }
}
