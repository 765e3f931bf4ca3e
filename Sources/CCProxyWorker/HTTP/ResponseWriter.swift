// Runs in: a worker (`ccproxy-worker`).

import CCProxyCore
import NIOCore
import NIOHTTP1

/// Writes the one response of a connection: a complete body, or an event stream.
///
/// Every response carries `X-Request-Id`. The connection stays open after it (HTTP/1.1
/// keep-alive; the worker then hands the idle socket back to the supervisor) unless the
/// client asked for `Connection: close` or the worker is draining: then the response says
/// `Connection: close` (see `ConnectionPersistence`).
struct ResponseWriter {
    let outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    let requestID: String
    /// Decides the `Connection` header when the head is written.
    var persistence: ConnectionPersistence = .closing()
    /// Extra headers for whatever response is written (e.g. `X-CC-Ignored-Params`).
    var extraHeaders: [(String, String)] = []

    init(outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>, requestID: String) {
        self.outbound = outbound
        self.requestID = requestID
    }

    /// A complete response with a body.
    mutating func send(status: HTTPResponseStatus, contentType: String = "application/json", body: [UInt8], headers: [(String, String)] = []) async throws {
        var head = makeHead(status: status)
        head.headers.add(name: "Content-Type", value: contentType)
        head.headers.add(name: "Content-Length", value: String(body.count))
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        try await outbound.write(.head(head))
        try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body))))
        try await outbound.write(.end(nil))
    }

    /// A 204 No Content (no body, so no content headers either, RFC 9110 §8.6).
    mutating func sendNoContent(headers: [(String, String)]) async throws {
        var head = makeHead(status: .noContent)
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        try await outbound.write(.head(head))
        try await outbound.write(.end(nil))
    }

    /// An error in the OpenAI shape.
    ///
    /// `Retry-After` when the error says when to retry (429, 503). `x-should-retry: false` when
    /// a retry could run the turn again (a failed or timed-out turn, an internal error): the
    /// openai SDKs otherwise retry 5xx twice, re-running claude and its tools each time.
    mutating func send(error: APIError, headers: [(String, String)] = []) async throws {
        var headers = headers
        if let seconds = error.retryAfterSeconds { headers.append(("Retry-After", String(seconds))) }
        if error.status >= 500 && error.status != 503 { headers.append(("x-should-retry", "false")) }
        try await send(status: HTTPResponseStatus(statusCode: error.status), body: error.jsonBody(), headers: headers)
    }

    /// Starts a `text/event-stream` response (status 200).
    mutating func startEventStream() async throws {
        var head = makeHead(status: .ok)
        head.headers.add(name: "Content-Type", value: "text/event-stream")
        head.headers.add(name: "Cache-Control", value: "no-cache")
        head.headers.add(name: "X-Accel-Buffering", value: "no")
        try await outbound.write(.head(head))
    }

    /// Writes (and flushes) bytes of the event stream.
    func streamBytes(_ bytes: [UInt8]) async throws {
        try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: bytes))))
    }

    /// Ends the event stream.
    func endEventStream() async throws {
        try await outbound.write(.end(nil))
    }

    private func makeHead(status: HTTPResponseStatus) -> HTTPResponseHead {
        var headers = HTTPHeaders()
        headers.add(name: "X-Request-Id", value: requestID)
        if let connection = persistence.connectionHeaderAtHead() { headers.add(name: "Connection", value: connection) }
        for (name, value) in extraHeaders { headers.add(name: name, value: value) }
        return HTTPResponseHead(version: .http1_1, status: status, headers: headers)
    }
}
