// Runs in: ccproxy-bridge (the laptop-side daemon), on the connection's event loop.
import CCProxyBridgeProtocol
import CCProxyCore
import Foundation
import Logging
import NIOCore
import NIOWebSocket

/// The upgraded websocket: text frames in, through the codec, to the dispatcher; answers
/// back out. Also the keep-alive: a ping every `Limits.bridgePingIntervalSeconds`, and
/// two in a row unanswered (by a pong or any other frame) drop the connection, so a dead
/// path through a proxy is noticed and the daemon reconnects.
///
/// A frame that breaks the protocol (binary, malformed envelope, a `req` with no id…)
/// closes the connection with the reason in the close frame, as the server does.
final class BridgeSessionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let dispatcher: BridgeDispatcher
    private let link: BridgeLink
    private let logger: Logger
    private var unanswered = 0
    private var pinger: RepeatedTask?
    private var closing = false

    init(dispatcher: BridgeDispatcher, link: BridgeLink, logger: Logger) {
        self.dispatcher = dispatcher
        self.link = link
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        link.markUpgraded()
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let channel = context.channel
        let interval = TimeAmount.milliseconds(Int64(Limits.bridgePingIntervalSeconds * 1000))
        pinger = context.eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
            bound.value.ping(channel)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        pinger?.cancel()
    }

    func channelInactive(context: ChannelHandlerContext) {
        pinger?.cancel()
        context.fireChannelInactive()
    }

    private func ping(_ channel: any Channel) {
        if unanswered >= 2 {
            link.recordClose("no answer to two pings")
            channel.close(promise: nil)
            return
        }
        unanswered += 1
        let frame = WebSocketFrame(fin: true, opcode: .ping, maskKey: .random(), data: channel.allocator.buffer(string: "ka"))
        channel.writeAndFlush(frame, promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        unanswered = 0
        switch frame.opcode {
        case .text:
            receive(Data(frame.unmaskedData.readableBytesView), context: context)
        case .ping:
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .pong:
            break
        case .connectionClose:
            var body = frame.unmaskedData
            let code = body.readWebSocketErrorCode()
            let reason = body.readString(length: body.readableBytes) ?? ""
            let said = reason.isEmpty ? "code \(code.map { "\($0)" } ?? "none")" : reason
            link.recordClose("server closed: \(said)")
            // Refused (1008), or the server could not serve it (1011, e.g. no mount): back off.
            if code == .policyViolation || code == .unexpectedServerError { link.markRefused() }
            if !closing {
                closing = true
                var echo = context.channel.allocator.buffer(capacity: 2)
                echo.write(webSocketErrorCode: code ?? .normalClosure)
                let answer = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: echo)
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(answer)).whenComplete { _ in channel.close(promise: nil) }
            }
        case .binary:
            fail(context, .unacceptableData, "binary frames are not part of the bridge protocol")
        default:
            fail(context, .protocolError, "unexpected websocket opcode")
        }
    }

    private func receive(_ text: Data, context: ChannelHandlerContext) {
        let head: BridgeFrameHead
        do {
            head = try BridgeCodec.head(of: text)
        } catch {
            fail(context, .protocolError, error.description)
            return
        }
        switch head {
        case .request(let id, let method):
            if method == BridgeMethod.hello.rawValue { link.markHandshakeCompleted() }
            let channel = context.channel
            dispatcher.handle(id: id, method: method, frame: text) { answer in
                BridgeLink.send(answer, on: channel)
            }
        case .response, .event:
            // The server only asks; anything else it sends is ignored (reference behaviour).
            logger.debug("ignored frame from server")
        }
    }

    private func fail(_ context: ChannelHandlerContext, _ code: WebSocketErrorCode, _ reason: String) {
        logger.warning("closing: \(reason)")
        link.recordClose("closed by daemon: \(reason)")
        guard !closing else { return }
        closing = true
        var data = context.channel.allocator.buffer(capacity: 2 + reason.utf8.count)
        data.write(webSocketErrorCode: code)
        data.writeString(String(reason.prefix(120)))
        let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: data)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(frame)).whenComplete { _ in channel.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        link.recordClose("\(error)")
        context.close(promise: nil)
    }
}
