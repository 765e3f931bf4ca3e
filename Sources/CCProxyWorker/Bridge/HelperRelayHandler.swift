// Runs in: a bridge worker (`ccproxy-worker` holding a `/bridge` websocket), on the
// connection's event loop.

import CCProxyBridgeProtocol
import Foundation
import NIOCore

/// The worker's end of the stream socket to the bridge's FUSE helper: length-prefixed
/// frames (`ChannelFrame`) in, each handed to `onFrame` (which sends it to the daemon);
/// `onEnd` when the helper is gone or broke the framing.
final class HelperRelayHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var decoder = ChannelFrameDecoder()
    private let onFrame: (Data) -> Void
    private let onEnd: (String) -> Void
    private let onWritability: (Bool) -> Void
    private var ended = false

    /// - Parameter onWritability: the channel to the helper can take more (true) or has
    ///   `Limits.bridgeRelayHighWaterBytes` queued (false): the websocket stops being read
    ///   meanwhile, so a daemon cannot make the worker queue without bound.
    init(onFrame: @escaping (Data) -> Void, onEnd: @escaping (String) -> Void, onWritability: @escaping (Bool) -> Void) {
        self.onFrame = onFrame
        self.onEnd = onEnd
        self.onWritability = onWritability
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        onWritability(context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        do {
            for frame in try decoder.feed(buffer.readableBytesView) { onFrame(frame) }
        } catch {
            end("the FUSE helper broke its channel's framing: \(error)")
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        end("the bridge's mount on the server ended")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        end("the bridge's mount on the server failed: \(error)")
        context.close(promise: nil)
    }

    private func end(_ reason: String) {
        guard !ended else { return }
        ended = true
        onEnd(reason)
    }
}
