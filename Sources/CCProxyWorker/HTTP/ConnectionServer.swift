// Runs in: a worker (`ccproxy-worker`).
// Adopts a client socket received from the supervisor into a SwiftNIO HTTP/1.1 pipeline,
// reads one request within the limits, and routes it.

import CCProxyCore
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// Serves one client connection: one request, one response, close.
struct ConnectionServer {
    let context: WorkerContext

    /// Serves the connection on `descriptor` (owned from now on) until its response is done.
    func serve(descriptor: Int32, connectionID: UInt64) async {
        var logger = context.logger
        logger[metadataKey: "connection"] = "\(connectionID)"
        do {
            let channel = try await ClientBootstrap(group: context.eventLoopGroup)
                .withConnectedSocket(descriptor) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(
                            wrappingChannelSynchronously: channel)
                    }
                }
            let eventLoop = channel.channel.eventLoop
            try await channel.executeThenClose { inbound, outbound in
                // The whole request must arrive within the read timeout.
                let readDeadline = eventLoop.scheduleTask(in: .milliseconds(Int64(Limits.requestReadTimeoutSeconds * 1000))) {
                    channel.channel.close(promise: nil)
                }
                defer { readDeadline.cancel() }
                guard let (head, body, tooLarge) = try await Self.readRequest(inbound) else { return }
                readDeadline.cancel()
                let request = HTTPRequest(head: head, body: body)
                var requestLogger = logger
                requestLogger[metadataKey: "request_id"] = "\(request.requestID)"
                var writer = ResponseWriter(outbound: outbound, requestID: request.requestID)
                if Self.headBytes(head) > Limits.maxRequestHeadBytes {
                    try await writer.send(
                        error: APIError(
                            status: 431, type: "invalid_request_error", code: "request_header_too_large",
                            message: "request head exceeds \(Limits.maxRequestHeadBytes) bytes"))
                    return
                }
                if tooLarge {
                    try await writer.send(error: .payloadTooLarge("request body exceeds \(Limits.maxRequestBodyBytes) bytes"))
                    return
                }
                let router = Router(context: context, logger: requestLogger, connection: channel.channel)
                try await router.handle(request, writer: &writer)
            }
        } catch {
            logger.debug("connection ended with an error", metadata: ["error": "\(error)"])
        }
    }

    /// The size of the request head as sent: request line and header lines.
    static func headBytes(_ head: HTTPRequestHead) -> Int {
        var total = head.method.rawValue.utf8.count + 1 + head.uri.utf8.count + " HTTP/1.1\r\n".utf8.count + 2
        for (name, value) in head.headers { total += name.utf8.count + 2 + value.utf8.count + 2 }
        return total
    }

    /// Reads head and body. A body over the limit is drained (so the client reads the 413
    /// instead of a reset) up to a hard bound, and reported as `tooLarge`.
    private static func readRequest(
        _ inbound: NIOAsyncChannelInboundStream<HTTPServerRequestPart>
    ) async throws -> (HTTPRequestHead, [UInt8], Bool)? {
        var head: HTTPRequestHead?
        var body: [UInt8] = []
        var received = 0
        var tooLarge = false
        for try await part in inbound {
            switch part {
            case .head(let h):
                head = h
                if let length = h.headers.first(name: "Content-Length").flatMap(Int.init),
                    length > Limits.maxRequestBodyBytes
                {
                    tooLarge = true
                }
            case .body(var buffer):
                received += buffer.readableBytes
                if received > Limits.maxRequestBodyBytes {
                    tooLarge = true
                    body = []
                }
                if tooLarge {
                    if received > 4 * Limits.maxRequestBodyBytes { return head.map { ($0, [], true) } }
                } else if let bytes = buffer.readBytes(length: buffer.readableBytes) {
                    body.append(contentsOf: bytes)
                }
            case .end:
                return head.map { ($0, body, tooLarge) }
            }
        }
        return nil
    }
}
