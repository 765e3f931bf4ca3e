// Runs in: a bridge worker (`ccproxy-worker` holding a `/bridge` websocket), on the
// connection's event loop.

import CCProxyBridgeProtocol
import CCProxyCore
import Foundation
import Logging
import CCProxyPosix
import CCProxyWire
import NIOCore
import NIOPosix
import NIOWebSocket

/// What the supervisor said to a bridge's registration.
enum BridgeRegistrationAnswer: Sendable {
    /// Registered; `helperChannel` is this worker's end of the stream socket to the
    /// bridge's FUSE helper.
    case accepted(bridgeID: UInt64, helperChannel: ReceivedDescriptor)
    case refused(String)
    /// The channel to the supervisor failed (it is gone: the worker exits anyway).
    case failed(String)
}

/// The shell around `BridgeConversation`: websocket frames in and out, the hello timer, the
/// keep-alive deadline, the supervisor's registration, and the close handshake (the server
/// sends its close frame, waits `closeGraceSeconds` for the echo, then closes the socket).
///
/// `decided` is completed once: with the bridge's number when the supervisor registered it,
/// nil when the websocket ended before (refused, hello failed, the daemon went away).
final class BridgeServerHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    static let closeGraceSeconds: Double = 1

    private var conversation: BridgeConversation
    private let register: @Sendable (HelloResult) async -> BridgeRegistrationAnswer
    /// Where each answered call's figures go (the supervisor's metrics).
    private let report: @Sendable (BridgeCallObservation) -> Void
    private var meter = BridgeCallMeter()
    /// Where exec sockets go (`BridgePaths.execSocket`).
    private let stateDirectory: String
    /// Whether the daemon said `allow_exec` in its hello.
    private var daemonAllowsExec = false
    /// The exec socket's listener and path, while the bridge serves exec requests.
    private var execServer: (channel: any Channel, path: String)?
    /// The methods of the helper's requests waiting for the daemon's answer, by id.
    private var helperMethods: [UInt64: BridgeMethod] = [:]
    /// Exec requests sent to the daemon, by id, with how to answer each.
    private var execReplies: [UInt64: (Data) -> Void] = [:]
    /// Exec ids start far above the helper's (which count from 1), so the two never meet.
    private var nextExecID: UInt64 = 1 << 62
    private let decided: EventLoopPromise<UInt64?>
    private var isDecided = false
    private let logger: Logger
    private var helloTimer: Scheduled<Void>?
    private var closeTimer: Scheduled<Void>?
    private var context: ChannelHandlerContext?
    /// The channel to the bridge's FUSE helper, once registered.
    private var relay: (any Channel)?

    init(
        conversation: BridgeConversation, decided: EventLoopPromise<UInt64?>, logger: Logger, stateDirectory: String,
        report: @escaping @Sendable (BridgeCallObservation) -> Void,
        register: @escaping @Sendable (HelloResult) async -> BridgeRegistrationAnswer
    ) {
        self.report = report
        self.stateDirectory = stateDirectory
        self.conversation = conversation
        self.decided = decided
        self.logger = logger
        self.register = register
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        send(text: conversation.helloRequest(), context: context)
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        helloTimer = context.eventLoop.scheduleTask(in: .seconds(Limits.bridgeHelloTimeoutSeconds)) {
            bound.value.perform(bound.value.conversation.helloTimedOut())
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        helloTimer?.cancel()
        closeTimer?.cancel()
        relay?.close(promise: nil)
        stopExec()
        decide(nil)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if conversation.phase == .closed {
            // Our close was sent; the daemon's echo ends the handshake.
            if frame.opcode == .connectionClose { context.close(promise: nil) }
            return
        }
        perform(conversation.received(Self.inbound(frame)))
    }

    /// Backpressure, both ways the daemon could make this worker queue: while the websocket
    /// itself cannot take more (a daemon that sends pings and never reads the pongs) or the
    /// helper's channel cannot (a flood of watch events), the websocket is not read.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        updateReading()
        context.fireChannelWritabilityChanged()
    }

    private var relayWritable = true

    private func updateReading() {
        guard let context else { return }
        context.channel.setOption(ChannelOptions.autoRead, value: context.channel.isWritable && relayWritable)
            .whenFailure { _ in }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            logger.info("bridge websocket silent past its keep-alive; closing")
            perform(conversation.shutdownSilent())
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.info("bridge websocket failed", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    /// The server stops (called on the event loop).
    func shutdown() {
        perform(conversation.shutdown())
    }

    private func perform(_ steps: [BridgeStep]) {
        guard let context else { return }
        for step in steps {
            switch step {
            case .send(let text):
                send(text: text, context: context)
            case .answer(let id, let errorCode, let frame):
                if let call = meter.answered(id: id, errorCode: errorCode, atMicros: MonotonicClock.microseconds()) { report(call) }
                if let reply = execReplies.removeValue(forKey: id) {
                    reply(frame)
                } else if let relay,
                    let bytes = try? ChannelFrame.encode(HelperFrames.answer(frame, id: id, method: helperMethods.removeValue(forKey: id)))
                {
                    relay.writeAndFlush(relay.allocator.buffer(bytes: bytes), promise: nil)
                }
            case .forward(let frame):
                guard let relay, let bytes = try? ChannelFrame.encode(frame) else { continue }
                relay.writeAndFlush(relay.allocator.buffer(bytes: bytes), promise: nil)
            case .pong(let payload):
                var buffer = context.channel.allocator.buffer(capacity: payload.count)
                buffer.writeBytes(payload)
                context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: buffer)), promise: nil)
            case .register(let hello):
                helloTimer?.cancel()
                daemonAllowsExec = hello.allowExec
                logger.info(
                    "bridge daemon said hello",
                    metadata: ["daemon": "\(hello.daemonVersion)", "root": "\(hello.root)", "protocol": "\(hello.protocolVersion)"])
                let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
                let eventLoop = context.eventLoop
                let register = self.register
                Task {
                    let answer = await register(hello)
                    eventLoop.execute { bound.value.registrationAnswered(answer) }
                }
            case .close(let code, let reason):
                helloTimer?.cancel()
                logger.info("closing bridge websocket", metadata: ["code": "\(code)", "reason": "\(reason)"])
                var buffer = context.channel.allocator.buffer(capacity: 2 + reason.utf8.count)
                buffer.writeInteger(code)
                buffer.writeString(reason)
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: buffer)))
                    .whenFailure { _ in channel.close(promise: nil) }
                closeTimer = context.eventLoop.scheduleTask(in: .seconds(Self.closeGraceSeconds)) {
                    channel.close(promise: nil)
                }
            }
        }
    }

    private func registrationAnswered(_ answer: BridgeRegistrationAnswer) {
        switch answer {
        case .accepted(let bridgeID, let helperChannel):
            // The supervisor counts this worker as a bridge worker from now on, whatever
            // happens to the relay: decided, and a failed relay closes the websocket.
            decide(bridgeID)
            guard let context, let fd = helperChannel.take() else {
                perform(conversation.mountEnded("the server lost the bridge's mount channel"))
                return
            }
            startRelay(fd.relinquish(), context: context)
            if daemonAllowsExec, let path = BridgePaths.execSocket(stateDirectory: stateDirectory, bridgeID: bridgeID) {
                startExec(path: path, context: context)
            }
        case .refused(let reason):
            perform(conversation.refused(reason))
            decide(nil)
        case .failed(let reason):
            perform(conversation.refused("server error: \(reason)"))
            decide(nil)
        }
    }

    /// Adopts the helper's channel on this event loop: its frames go to the daemon as text
    /// frames, the daemon's answers and watch events come back through `.forward`.
    private func startRelay(_ fd: Int32, context: ChannelHandlerContext) {
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        ClientBootstrap(group: eventLoop)
            .channelOption(
                ChannelOptions.writeBufferWaterMark,
                value: .init(low: Limits.bridgeRelayHighWaterBytes / 2, high: Limits.bridgeRelayHighWaterBytes))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let relay = HelperRelayHandler(
                        onFrame: { frame in
                            eventLoop.execute { bound.value.fromHelper(frame) }
                        },
                        onEnd: { reason in
                            eventLoop.execute { bound.value.perform(bound.value.conversation.mountEnded(reason)) }
                        },
                        onWritability: { writable in
                            eventLoop.execute {
                                bound.value.relayWritable = writable
                                bound.value.updateReading()
                            }
                        })
                    try channel.pipeline.syncOperations.addHandler(relay)
                }
            }
            .withConnectedSocket(fd)
            .whenComplete { result in
                let handler = bound.value
                switch result {
                case .success(let relay):
                    handler.relay = relay
                    handler.conversation.registered()
                    if handler.conversation.phase == .closed || handler.context == nil { relay.close(promise: nil) }
                case .failure(let error):
                    closeDescriptor(fd)
                    handler.perform(handler.conversation.mountEnded("could not adopt the bridge's mount channel: \(error)"))
                }
            }
    }

    /// Listens on the exec socket (0600, in the service user's `<state>/bridges`): the exec
    /// tool of the principal's turns connects there (the sandbox binds it in for them only).
    private func startExec(path: String, context: ChannelHandlerContext) {
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        let logger = self.logger
        ServerBootstrap(group: eventLoop)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ExecClientHandler { command, reply in
                            eventLoop.execute { bound.value.execRequested(command, reply: reply) }
                        })
                }
            }
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true)
            .whenComplete { result in
                let handler = bound.value
                switch result {
                case .success(let server):
                    chmod(path, 0o600)
                    if handler.conversation.phase == .closed {
                        server.close(promise: nil)
                        unlink(path)
                    } else {
                        handler.execServer = (server, path)
                        logger.info("bridge exec socket ready", metadata: ["socket": "\(path)"])
                    }
                case .failure(let error):
                    logger.warning("no exec tool for this bridge: cannot listen", metadata: ["socket": "\(path)", "error": "\(error)"])
                }
            }
    }

    private func stopExec() {
        if let server = execServer {
            server.channel.close(promise: nil)
            unlink(server.path)
            execServer = nil
        }
        let waiting = execReplies.values
        execReplies.removeAll()
        for reply in waiting { reply(BridgeCodec.failure(id: 0, BridgeError(.io, "the bridge went away"))) }
    }

    /// An exec request of a turn: sent to the daemon as `exec` of the command line alone, which
    /// the daemon runs with the laptop user's shell (`$SHELL -c`, else `/bin/sh`) in its root,
    /// with its timeout; answered with the daemon's answer.
    private func execRequested(_ command: String, reply: @escaping (Data) -> Void) {
        guard let context, conversation.phase == .serving else {
            reply(BridgeCodec.failure(id: 0, BridgeError(.io, "the bridge went away")))
            return
        }
        guard execReplies.count < Limits.maxBridgeConcurrentExecs else {
            reply(BridgeCodec.failure(id: 0, BridgeError(.unsupported, "too many commands running on the laptop (\(Limits.maxBridgeConcurrentExecs))")))
            return
        }
        let id = nextExecID
        nextExecID += 1
        execReplies[id] = reply
        meter.requested(id: id, method: BridgeMethod.exec.rawValue, atMicros: MonotonicClock.microseconds())
        send(text: BridgeCodec.request(id: id, method: .exec, params: ExecParams(cmd: command)), context: context)
    }

    /// A request of the FUSE helper: timed, and sent to the daemon as one text frame.
    private func fromHelper(_ frame: Data) {
        guard let context, conversation.phase == .serving else { return }
        if case .request(let id, let method)? = try? BridgeCodec.head(of: frame) {
            meter.requested(id: id, method: method, atMicros: MonotonicClock.microseconds())
            // What its answer must decode as (see `HelperFrames`). The helper asks one thing
            // at a time; ids of requests it gave up on are forgotten past a bound.
            helperMethods[id] = BridgeMethod(rawValue: method)
            if helperMethods.count > Self.maxRememberedHelperRequests { helperMethods = helperMethods.filter { $0.key + 64 > id } }
        }
        send(text: frame, context: context)
    }

    /// How many helper requests without an answer are remembered.
    private static let maxRememberedHelperRequests = 256

    private func decide(_ bridgeID: UInt64?) {
        guard !isDecided else { return }
        isDecided = true
        decided.succeed(bridgeID)
    }

    private func send(text: Data, context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: text.count)
        buffer.writeBytes(text)
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: buffer)), promise: nil)
    }

    /// A frame as the conversation sees it (the aggregator has joined fragments already).
    static func inbound(_ frame: WebSocketFrame) -> BridgeInbound {
        var data = frame.unmaskedData
        switch frame.opcode {
        case .text: return .text(Data(data.readableBytesView))
        case .binary: return .binary
        case .ping: return .ping(Data(data.readableBytesView))
        case .pong: return .pong
        case .connectionClose:
            let code: UInt16? = data.readInteger()
            return .close(code: code, reason: data.readString(length: data.readableBytes) ?? "")
        default: return .other
        }
    }
}

/// Writes the `101 Switching Protocols` head as the socket's first bytes, before any
/// websocket frame (it sits nearest the socket, so frames pass it already encoded).
final class SwitchingProtocolsWriter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let head: [UInt8]

    init(head: [UInt8]) {
        self.head = head
    }

    func channelActive(context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: head.count)
        buffer.writeBytes(head)
        context.writeAndFlush(NIOAny(buffer), promise: nil)
        context.fireChannelActive()
    }
}
