// Runs in: a worker (`ccproxy-worker`) that took a `/bridge` websocket; once the supervisor
// registers the bridge, a bridge worker until the websocket ends.

import CCProxyBridgeProtocol
import CCProxyCore
import CCProxyWire
import Logging
import NIOCore
import NIOPosix
import NIOWebSocket

/// One bridge websocket on a socket the HTTP pipeline let go of: the 101, then the
/// conversation (`BridgeServerHandler`). The worker decides what it is from `decided`:
/// still a pool worker when the bridge was not registered, a bridge worker otherwise.
struct BridgeWorkerSession {
    let context: WorkerContext
    let logger: Logger

    /// An open bridge websocket.
    struct Open: Sendable {
        /// The bridge's number once registered; nil when the websocket ended before.
        let decided: EventLoopFuture<UInt64?>
        let closed: EventLoopFuture<Void>
        let shutdown: @Sendable () -> Void
    }

    /// Adopts `descriptor` (owned from now on) and starts the conversation.
    func open(descriptor: Int32, admission: BridgeAdmission) async throws -> Open {
        let supervisor = context.supervisor
        let logger = self.logger
        let serverVersion = "ccproxy/\(CCProxyVersion.string)"
        let stateDirectory = context.settings.stateDirectory
        let channel = try await ClientBootstrap(group: context.eventLoopGroup)
            .channelOption(
                ChannelOptions.writeBufferWaterMark,
                value: .init(low: Limits.bridgeRelayHighWaterBytes / 2, high: Limits.bridgeRelayHighWaterBytes))
            .withConnectedSocket(descriptor) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let decided = channel.eventLoop.makePromise(of: UInt64?.self)
                    let handler = BridgeServerHandler(
                        conversation: BridgeConversation(serverVersion: serverVersion), decided: decided, logger: logger,
                        stateDirectory: stateDirectory,
                        report: { call in try? supervisor.send(.bridgeCallObserved(call)) }
                    ) { hello in
                        do {
                            switch try await supervisor.registerBridge(
                                daemonVersion: hello.daemonVersion, root: hello.root, allowWrite: hello.allowWrite,
                                allowExec: hello.allowExec)
                            {
                            case .success(let accepted):
                                return .accepted(bridgeID: accepted.bridgeID, helperChannel: accepted.helperChannel)
                            case .failure(let error): return .refused(error.message)
                            }
                        } catch {
                            return .failed("\(error)")
                        }
                    }
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(SwitchingProtocolsWriter(head: admission.switchingProtocols))
                    try sync.addHandler(WebSocketFrameEncoder())
                    try sync.addHandler(ByteToMessageHandler(WebSocketFrameDecoder(maxFrameSize: Limits.maxBridgeFrameBytes)))
                    try sync.addHandler(WebSocketProtocolErrorHandler(isServer: true))
                    try sync.addHandler(
                        NIOWebSocketFrameAggregator(
                            minNonFinalFragmentSize: 1, maxAccumulatedFrameCount: Limits.maxBridgeFrameFragments,
                            maxAccumulatedFrameSize: Limits.maxBridgeFrameBytes))
                    try sync.addHandler(IdleStateHandler(readTimeout: .seconds(Limits.bridgePingIntervalSeconds * 3)))
                    try sync.addHandler(handler)
                    let bound = NIOLoopBound(handler, eventLoop: channel.eventLoop)
                    let eventLoop = channel.eventLoop
                    return Open(
                        decided: decided.futureResult, closed: channel.closeFuture,
                        shutdown: { eventLoop.execute { bound.value.shutdown() } })
                }
            }
        return channel
    }
}
