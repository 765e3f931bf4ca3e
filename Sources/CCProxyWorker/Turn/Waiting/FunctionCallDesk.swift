// Runs in: a worker (`ccproxy-worker`), on its event loop.

import CCProxyBridgeProtocol
import CCProxyCore
import CCProxyPosix
import CCProxyWire
import Foundation
import Logging
import NIOCore
import NIOPosix

/// The worker's end of a turn's function-call socket (`<turn>/fc.sock`, 0600, bound into
/// claude's sandbox): the function server connects once per call (`FunctionCallRequest`)
/// and gets the client's result (`FunctionCallAnswer`) once the follow-up has brought it,
/// so that claude, which waits for its tool, continues in the same process.
///
/// Safe from any thread (the state is locked; answers are written on each connection's
/// loop). `close` answers calls still waiting with an error (the turn is over), so no
/// function server is left blocked.
final class FunctionCallDesk: Sendable {
    let path: String
    private let state = Locked(State())

    private struct State {
        var book = FunctionCallBook()
        var waiting: [(FunctionCallRequest, @Sendable (FunctionCallAnswer) -> Void)] = []
        var server: (any Channel)?
        var closed = false
    }

    private init(path: String) {
        self.path = path
    }

    /// Listens on `path`. nil when it cannot (the turn then cannot wait: its calls end it,
    /// and their follow-up is served from the transcript).
    static func open(path: String, eventLoop: any EventLoop, logger: Logger) async -> FunctionCallDesk? {
        guard path.utf8.count < 108 else {
            logger.warning("the function-call socket's path is too long; calls end their turn", metadata: ["socket": "\(path)"])
            return nil
        }
        let desk = FunctionCallDesk(path: path)
        do {
            let server = try await ServerBootstrap(group: eventLoop)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            FunctionCallHandler { request, reply in desk.asked(request, reply: reply) })
                    }
                }
                .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
            chmod(path, 0o600)
            desk.state.withLock { $0.server = server }
            return desk
        } catch {
            logger.warning("cannot listen on the function-call socket; calls end their turn", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// The calls the client got.
    func offered(_ calls: [ToolCall]) {
        state.withLock { $0.book.offered(calls) }
    }

    /// The client's results: calls waiting for them are answered now.
    func answered(_ results: [FollowUp.Result]) {
        let waiting = state.withLock { state in
            state.book.answered(results)
            defer { state.waiting = [] }
            return state.waiting
        }
        for (request, reply) in waiting { asked(request, reply: reply) }
    }

    /// Stops listening and answers every waiting call with an error.
    func close() {
        let (server, waiting) = state.withLock { state -> ((any Channel)?, [(FunctionCallRequest, @Sendable (FunctionCallAnswer) -> Void)]) in
            guard !state.closed else { return (nil, []) }
            state.closed = true
            defer { state.waiting = [] }
            return (state.server, state.waiting)
        }
        guard let server else { return }
        server.close(promise: nil)
        unlink(path)
        for (_, reply) in waiting { reply(Self.turnOver) }
    }

    private static let turnOver = FunctionCallAnswer(text: "the turn ended before the client's result came", isError: true)

    private func asked(_ request: FunctionCallRequest, reply: @escaping @Sendable (FunctionCallAnswer) -> Void) {
        let claim = state.withLock { state -> FunctionCallBook.Claim? in
            guard !state.closed else { return nil }
            let claim = state.book.claim(request)
            if claim == .notYet { state.waiting.append((request, reply)) }
            return claim
        }
        switch claim {
        case nil: reply(Self.turnOver)
        case .answer(let answer)?: reply(answer)
        case .notYet?: break
        }
    }
}

/// One connection on the function-call socket: one request in, one answer out, then close.
private final class FunctionCallHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var decoder = ChannelFrameDecoder()
    private var asked = false
    private let onRequest: (FunctionCallRequest, @escaping @Sendable (FunctionCallAnswer) -> Void) -> Void

    init(onRequest: @escaping (FunctionCallRequest, @escaping @Sendable (FunctionCallAnswer) -> Void) -> Void) {
        self.onRequest = onRequest
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let channel = context.channel
        do {
            guard !asked else { return }
            guard decoder.pendingBytes + buffer.readableBytes <= Limits.maxFunctionServerLineBytes else {
                context.close(promise: nil)
                return
            }
            guard let frame = try decoder.feed(buffer.readableBytesView).first else { return }
            asked = true
            guard let request = try? JSONDecoder().decode(FunctionCallRequest.self, from: frame) else {
                context.close(promise: nil)
                return
            }
            onRequest(request) { answer in
                guard let data = try? JSONEncoder().encode(answer), let bytes = try? ChannelFrame.encode(data) else {
                    channel.close(promise: nil)
                    return
                }
                channel.writeAndFlush(channel.allocator.buffer(bytes: bytes)).whenComplete { _ in channel.close(promise: nil) }
            }
        } catch {
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
