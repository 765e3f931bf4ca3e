// Runs in: a bridge worker (`ccproxy-worker` holding a `/bridge` websocket), on the
// connection's event loop.

import CCProxyBridgeProtocol
import CCProxyCore
import Foundation
import NIOCore

/// What the exec tool (`ccproxy-worker mcp-bridge-exec`) sends on the bridge worker's exec
/// socket: one length-prefixed frame (`ChannelFrame`) of this JSON, per connection.
struct ExecToolRequest: Codable, Sendable, Equatable {
    var command: String
}

/// One connection on the exec socket: one request in, one answer out (the daemon's `resp`
/// frame as it came, or a failure frame of the worker's), then the connection closes.
final class ExecClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private var decoder = ChannelFrameDecoder()
    private var asked = false
    private let onRequest: (String, @escaping (Data) -> Void) -> Void

    /// - Parameter onRequest: called once, on the event loop, with the command and the
    ///   function that answers it.
    init(onRequest: @escaping (String, @escaping (Data) -> Void) -> Void) {
        self.onRequest = onRequest
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let channel = context.channel
        let answer: (Data) -> Void = { frame in
            guard let bytes = try? ChannelFrame.encode(frame) else {
                channel.close(promise: nil)
                return
            }
            channel.writeAndFlush(channel.allocator.buffer(bytes: bytes)).whenComplete { _ in channel.close(promise: nil) }
        }
        do {
            guard !asked, let frame = try decoder.feed(buffer.readableBytesView).first else { return }
            asked = true
            guard frame.count <= Limits.maxBridgeExecCommandBytes + 64,
                let request = try? JSONDecoder().decode(ExecToolRequest.self, from: frame),
                request.command.utf8.count <= Limits.maxBridgeExecCommandBytes
            else {
                answer(BridgeCodec.failure(id: 0, BridgeError(.invalidArgument, "not an exec request, or a command over \(Limits.maxBridgeExecCommandBytes) bytes")))
                return
            }
            onRequest(request.command, answer)
        } catch {
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
