// Runs in: a worker (`ccproxy-worker`).
// Reads one request (head and body) from a connection's parts, within the body limit,
// answering `Expect: 100-continue`.

import CCProxyCore
import NIOCore
import NIOHTTP1

/// Reads one whole request from the HTTP parts of a connection.
enum RequestReader {
    struct Read: Sendable {
        var head: HTTPRequestHead
        var body: [UInt8]
        /// The body exceeds `Limits.maxRequestBodyBytes` (it was dropped).
        var tooLarge: Bool
        /// The request was read to its end (else the connection cannot be reused).
        var complete: Bool
    }

    /// Reads head and body. A body over the limit is drained (so the client reads the 413
    /// instead of a reset) up to a hard bound; with `Expect: 100-continue` it is not asked
    /// for at all. An acceptable `Expect: 100-continue` gets its `100 Continue`.
    /// - Returns: the request, or nil when the connection ended before a whole head.
    static func read(
        _ parts: inout NIOAsyncChannelInboundStream<HTTPServerRequestPart>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    ) async throws -> Read? {
        var head: HTTPRequestHead?
        var body: [UInt8] = []
        var received = 0
        var tooLarge = false
        while let part = try await parts.next() {
            switch part {
            case .head(let h):
                head = h
                if let length = h.headers.first(name: "Content-Length").flatMap(Int.init),
                    length > Limits.maxRequestBodyBytes
                {
                    tooLarge = true
                }
                if h.headers[canonicalForm: "expect"].contains(where: { $0.lowercased() == "100-continue" }) {
                    // Refuse before the body is sent; the connection is not reused.
                    if tooLarge { return Read(head: h, body: [], tooLarge: true, complete: false) }
                    try await outbound.write(.head(HTTPResponseHead(version: h.version, status: .continue)))
                }
            case .body(var buffer):
                received += buffer.readableBytes
                if received > Limits.maxRequestBodyBytes {
                    tooLarge = true
                    body = []
                }
                if tooLarge {
                    if received > 4 * Limits.maxRequestBodyBytes {
                        return head.map { Read(head: $0, body: [], tooLarge: true, complete: false) }
                    }
                } else if let bytes = buffer.readBytes(length: buffer.readableBytes) {
                    body.append(contentsOf: bytes)
                }
            case .end:
                return head.map { Read(head: $0, body: body, tooLarge: tooLarge, complete: true) }
            }
        }
        return nil
    }
}
