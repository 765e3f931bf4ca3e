// Runs in: a worker (`ccproxy-worker`).
// Adopts a client socket received from the supervisor into a SwiftNIO HTTP/1.1 pipeline and
// serves its requests within the limits: a deadline for each request's head and body, the
// request timeout closing the connection, a write-progress watchdog. After a response on a
// keep-alive connection with no further request bytes read, the socket goes back to the
// supervisor (the worker never parks on an idle client); pipelined requests are served first.

import CCProxyCore
import CCProxyPosix
import CCProxyWire
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// How a connection left the worker.
enum ConnectionOutcome: ~Copyable {
    /// Closed (or lost).
    case closed
    /// Still open and idle between requests: give it back to the supervisor.
    case handBack(OwnedDescriptor)
    /// An accepted `GET /bridge`, unanswered: the socket becomes the bridge's websocket.
    case bridge(OwnedDescriptor, BridgeAdmission)
    /// The follow-up of a turn waiting in another worker, unanswered: the socket goes there.
    case waitingTurn(OwnedDescriptor, FollowUp)
}

/// How the request loop left a connection (the descriptors are duplicates of the socket:
/// the NIO channel is closed already).
private enum Leaving: Sendable {
    case closed
    case handBack(Int32)
    case bridge(Int32, BridgeAdmission)
    case waitingTurn(Int32, FollowUp)
}

/// Serves one client connection: one or more requests (keep-alive, pipelining), then close
/// or hand back.
struct ConnectionServer {
    let context: WorkerContext

    /// What to do after a response.
    private enum NextStep: Sendable {
        /// Exactly between requests: the duplicate of the socket to hand back (the NIO
        /// channel is closed already).
        case handBack(Int32)
        /// More of a request has been read already (pipelined): serve it.
        case serveNext
        /// Close the connection (lingering, when bytes may be unread).
        case close(linger: Bool)
    }

    /// Serves the connection on `descriptor` (owned from now on).
    /// - Parameter exposition: for a scrape of `metrics_listen`, the metrics to answer
    ///   `GET /metrics` with (see `MetricsResponder`); the connection then closes after one response.
    /// - Returns: `.handBack` with the socket when it is idle between keep-alive requests.
    @discardableResult
    /// - Parameter continuing: the follow-up (read by another worker) of the turn waiting here,
    ///   answered first, in place of reading a request.
    func serve(
        descriptor: Int32, connectionID: UInt64, exposition: [UInt8]? = nil,
        continuing: (FollowUp, WaitingTurnLink)? = nil
    ) async -> ConnectionOutcome {
        var logger = context.logger
        logger[metadataKey: "connection"] = "\(connectionID)"
        var leaving = Leaving.closed
        do {
            let record = RequestRecord()
            let (channel, monitor) = try await ClientBootstrap(group: context.eventLoopGroup)
                .withConnectedSocket(descriptor) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let monitor = ConnectionMonitor(writeTimeoutSeconds: Limits.writeProgressTimeoutSeconds)
                        try channel.pipeline.syncOperations.addHandler(monitor)
                        // A passed follow-up's request was read by another worker: this
                        // pipeline answers it without having seen it, which NIO's pipelining
                        // assistance does not allow. Requests are served one at a time anyway.
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                            withPipeliningAssistance: continuing == nil, withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(ResponseObserver(record: record))
                        let async = try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(
                            wrappingChannelSynchronously: channel)
                        return (async, NIOLoopBound(monitor, eventLoop: channel.eventLoop))
                    }
                }
            let connection = Connection(
                context: context, channel: channel.channel, monitor: monitor, record: record, logger: logger,
                descriptor: descriptor, exposition: exposition)
            try await channel.executeThenClose { inbound, outbound in
                leaving = try await connection.serveRequests(inbound: inbound, outbound: outbound, continuing: continuing)
            }
        } catch {
            logger.debug("connection ended with an error", metadata: ["error": "\(error)"])
        }
        switch leaving {
        case .closed: return .closed
        case .handBack(let fd): return .handBack(OwnedDescriptor(adopting: fd))
        case .bridge(let fd, let admission): return .bridge(OwnedDescriptor(adopting: fd), admission)
        case .waitingTurn(let fd, let followUp): return .waitingTurn(OwnedDescriptor(adopting: fd), followUp)
        }
    }

    /// One adopted connection's request loop.
    private struct Connection {
        let context: WorkerContext
        let channel: any Channel
        let monitor: NIOLoopBound<ConnectionMonitor>
        let record: RequestRecord
        let logger: Logger
        let descriptor: Int32
        let exposition: [UInt8]?

        /// Serves requests until the connection closes, is idle (the socket to hand back)
        /// or becomes a bridge.
        func serveRequests(
            inbound: NIOAsyncChannelInboundStream<HTTPServerRequestPart>,
            outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>,
            continuing: (FollowUp, WaitingTurnLink)? = nil
        ) async throws -> Leaving {
            var parts = inbound.makeAsyncIterator()
            var served = 0
            if let (followUp, link) = continuing {
                // The request was read by another worker: this connection's bytes so far are
                // its, so the next request starts at the scanner's first boundary.
                let persistence = try await continueTurn(followUp, link: link, outbound: outbound)
                switch try await nextStep(served: 0, keepAlive: persistence.keepsAlive) {
                case .handBack(let fd): return .handBack(fd)
                case .serveNext: break
                case .close(let linger):
                    if linger { await lingeringClose(&parts) }
                    return .closed
                }
            }
            while true {
                let eventLoop = channel.eventLoop
                // Head and body must arrive within the read timeout (slowloris), per request.
                let channel = self.channel
                let readDeadline = eventLoop.scheduleTask(in: .seconds(Limits.requestReadTimeoutSeconds)) {
                    channel.close(promise: nil)
                }
                let read = try await RequestReader.read(&parts, outbound: outbound)
                readDeadline.cancel()
                guard let read else { return .closed }
                served += 1
                let (persistence, departure) = try await respond(to: read, served: served, outbound: outbound)
                switch departure {
                case .bridge(let admission)?:
                    guard let fd = try await leaveForBridge(served: served) else { return .closed }
                    return .bridge(fd, admission)
                case .waitingTurn(var followUp)?:
                    guard let fd = try await leaveForBridge(served: served) else { return .closed }
                    followUp.keepAlive = read.head.isKeepAlive && served < Limits.maxPipelinedRequests
                    followUp.http10 = read.head.version == .http1_0
                    return .waitingTurn(fd, followUp)
                case nil:
                    break
                }
                switch try await nextStep(served: served, keepAlive: persistence.keepsAlive) {
                case .handBack(let fd):
                    return .handBack(fd)
                case .serveNext:
                    continue
                case .close(let linger):
                    if linger { await lingeringClose(&parts) }
                    return .closed
                }
            }
        }

        /// Answers one request, then waits until its last byte is in the kernel.
        private func respond(
            to read: RequestReader.Read, served: Int, outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
        ) async throws -> (ConnectionPersistence, Departure?) {
            var request = HTTPRequest(head: read.head, body: read.body)
            request.deadline = .now() + .milliseconds(Int64(context.settings.requestTimeoutSeconds * 1000))
            record.begin(requestID: request.requestID, method: read.head.method.rawValue, path: request.path)
            if let model = request.declaredModel { record.noteModel(model) }
            let supervisor = context.supervisor
            let persistence = ConnectionPersistence(
                clientWantsKeepAlive: exposition == nil && read.head.isKeepAlive && read.complete && !read.tooLarge && served < Limits.maxPipelinedRequests,
                httpVersion10: read.head.version == .http1_0, draining: { supervisor.isDraining })
            var writer = ResponseWriter(outbound: outbound, requestID: request.requestID)
            writer.persistence = persistence
            var requestLogger = logger
            requestLogger[metadataKey: "request_id"] = "\(request.requestID)"
            // The request timeout stops claude (in the turn); this closes the connection too
            // if the response is still not finished a little later.
            let channel = self.channel
            let responseDeadline = channel.eventLoop.scheduleTask(
                deadline: request.deadline + .milliseconds(Int64(Limits.responseGraceSeconds * 1000))
            ) { channel.close(promise: nil) }
            let exposition = self.exposition
            defer {
                responseDeadline.cancel()
                requestLogger.info("request completed", metadata: record.metadata())
                if exposition == nil, let observation = record.observation() {
                    try? supervisor.send(.requestObserved(observation))
                }
            }
            var admission: Departure?
            try await RequestRecord.$current.withValue(record) {
                if ConnectionServer.headBytes(read.head) > Limits.maxRequestHeadBytes {
                    try await writer.send(
                        error: APIError(
                            status: 431, type: "invalid_request_error", code: "request_header_too_large",
                            message: "request head exceeds \(Limits.maxRequestHeadBytes) bytes"))
                } else if read.tooLarge {
                    try await writer.send(error: .payloadTooLarge("request body exceeds \(Limits.maxRequestBodyBytes) bytes"))
                } else if let exposition {
                    try await MetricsResponder.answer(request, exposition: exposition, writer: &writer)
                } else {
                    let router = Router(context: context, logger: requestLogger, connection: channel)
                    admission = try await router.handle(request, writer: &writer)
                    if case .bridge? = admission { record.noteHead(status: 101) }
                }
            }
            // Every response byte in the kernel before anything else happens to the socket.
            let monitor = self.monitor
            try await channel.eventLoop.flatSubmit {
                monitor.value.flushBarrier() ?? channel.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel)
            }.get()
            return (persistence, admission)
        }

        /// Answers the follow-up of the turn waiting here: its results go to claude, and its
        /// answer is this connection's response.
        private func continueTurn(
            _ followUp: FollowUp, link: WaitingTurnLink, outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
        ) async throws -> ConnectionPersistence {
            let supervisor = context.supervisor
            let persistence = ConnectionPersistence(
                clientWantsKeepAlive: followUp.keepAlive, httpVersion10: followUp.http10, draining: { supervisor.isDraining })
            var writer = ResponseWriter(outbound: outbound, requestID: followUp.requestID)
            writer.persistence = persistence
            record.begin(requestID: followUp.requestID, method: "POST", path: "/v1/chat/completions")
            var requestLogger = logger
            requestLogger[metadataKey: "request_id"] = "\(followUp.requestID)"
            let deadline = NIODeadline.now() + .milliseconds(Int64(context.settings.requestTimeoutSeconds * 1000))
            let channel = self.channel
            let responseDeadline = channel.eventLoop.scheduleTask(
                deadline: deadline + .milliseconds(Int64(Limits.responseGraceSeconds * 1000))
            ) { channel.close(promise: nil) }
            defer {
                responseDeadline.cancel()
                requestLogger.info("request completed", metadata: record.metadata())
                if let observation = record.observation() { try? supervisor.send(.requestObserved(observation)) }
            }
            let identity = CompletionIdentity(id: CompletionID.make(), created: Int(Date().timeIntervalSince1970), model: followUp.model)
            let sink = link.makeSink(writer, identity, followUp)
            guard link.resume(results: followUp.results, sink: sink, connection: channel, deadline: deadline) != nil else {
                try await writer.send(
                    error: .upstreamError("the turn waiting for these results ended before they came; send the request again"))
                return persistence
            }
            requestLogger.info("follow-up continues the waiting turn", metadata: ["results": "\(followUp.results.count)"])
            await RequestRecord.$current.withValue(record) { await link.segmentFinished() }
            let monitor = self.monitor
            try await channel.eventLoop.flatSubmit {
                monitor.value.flushBarrier() ?? channel.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel)
            }.get()
            return persistence
        }

        /// An accepted `GET /bridge` leaves the pipeline, on the event loop so no read slips
        /// in: the socket's duplicate, or nil (the channel is closed either way) when the
        /// client sent bytes past the request, which a websocket client may not do before
        /// its 101.
        private func leaveForBridge(served: Int) async throws -> Int32? {
            let monitor = self.monitor
            let channel = self.channel
            let descriptor = self.descriptor
            return try await channel.eventLoop.submit { () -> Int32? in
                let scanner = monitor.value.scanner
                defer { channel.close(promise: nil) }
                guard scanner.atBoundary, scanner.completedMessages == served, !scanner.isLost else { return nil }
                return (try? OwnedDescriptor.duplicate(descriptor))?.relinquish()
            }.get()
        }

        /// Decides, on the event loop (so no read can slip in between), what follows a response.
        private func nextStep(served: Int, keepAlive: Bool) async throws -> NextStep {
            let monitor = self.monitor
            let channel = self.channel
            let descriptor = self.descriptor
            return try await channel.eventLoop.submit { () -> NextStep in
                let scanner = monitor.value.scanner
                let idle = scanner.atBoundary && scanner.completedMessages == served
                guard keepAlive else { return .close(linger: !idle) }
                if scanner.isLost { return .close(linger: true) }
                guard idle else { return .serveNext }
                guard let copy = try? OwnedDescriptor.duplicate(descriptor) else { return .close(linger: false) }
                channel.close(promise: nil)
                return .handBack(copy.relinquish())
            }.get()
        }

        /// Closes after a final response without resetting it: output first, then what the
        /// client still sends is read and dropped for a moment (Apache's lingering close).
        private func lingeringClose(_ parts: inout NIOAsyncChannelInboundStream<HTTPServerRequestPart>.AsyncIterator) async {
            let channel = self.channel
            try? await channel.close(mode: .output)
            let linger = channel.eventLoop.scheduleTask(in: .seconds(Limits.lingeringCloseSeconds)) {
                channel.close(promise: nil)
            }
            defer { linger.cancel() }
            while (try? await parts.next()) != nil {}
        }
    }

    /// The size of the request head as sent: request line and header lines.
    static func headBytes(_ head: HTTPRequestHead) -> Int {
        var total = head.method.rawValue.utf8.count + 1 + head.uri.utf8.count + " HTTP/1.1\r\n".utf8.count + 2
        for (name, value) in head.headers { total += name.utf8.count + 2 + value.utf8.count + 2 }
        return total
    }
}

extension TimeAmount {
    /// A duration in (fractional) seconds.
    static func seconds(_ value: Double) -> TimeAmount {
        .milliseconds(Int64((value * 1000).rounded()))
    }
}
