// Runs in: ccproxy-bridge (the laptop-side daemon).
import CCProxyBridgeProtocol
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOWebSocket

/// The daemon's current websocket, if any, as seen from outside the event loop: the
/// watcher sends its events through it, and shutdown says `bye` on it. Frames are sent
/// from any thread (NIO channels are thread-safe); a frame sent while no connection is up
/// is dropped (the server rebuilds its view on the next connection anyway).
final class BridgeLink: Sendable {
    private struct State {
        var channel: (any Channel)?
        var upgraded = false
        var handshakeCompleted = false
        /// The server closed with 1008 (policy violation): it refused this daemon (the
        /// principal has a bridge already, too many bridges), not a restart.
        var refused = false
        var closeReason: String?
    }

    private let state = NIOLockedValueBox(State())

    func attach(_ channel: any Channel) {
        state.withLockedValue { $0 = State(channel: channel) }
    }

    /// Forgets the previous connection's state before a new attempt.
    func reset() {
        state.withLockedValue { $0 = State() }
    }

    func detach() {
        state.withLockedValue { $0.channel = nil }
    }

    func markUpgraded() { state.withLockedValue { $0.upgraded = true } }
    func markHandshakeCompleted() { state.withLockedValue { $0.handshakeCompleted = true } }
    func markRefused() { state.withLockedValue { $0.refused = true } }
    func recordClose(_ reason: String) {
        state.withLockedValue { if $0.closeReason == nil { $0.closeReason = reason } }
    }

    var upgraded: Bool { state.withLockedValue { $0.upgraded } }
    var handshakeCompleted: Bool { state.withLockedValue { $0.handshakeCompleted } }
    var refused: Bool { state.withLockedValue { $0.refused } }
    var closeReason: String? { state.withLockedValue { $0.closeReason } }
    var channel: (any Channel)? { state.withLockedValue { $0.channel } }

    /// Sends one text frame on the current connection, if it is upgraded.
    func send(_ text: Data) {
        guard let channel = state.withLockedValue({ $0.upgraded ? $0.channel : nil }) else { return }
        Self.send(text, on: channel)
    }

    static func send(_ text: Data, on channel: any Channel) {
        let frame = WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: channel.allocator.buffer(bytes: text))
        channel.writeAndFlush(frame, promise: nil)
    }

    /// Sends `bye`, then a normal close frame, then closes; the future completes when the
    /// channel is closed.
    func sayGoodbye(reason: String) -> EventLoopFuture<Void>? {
        guard let channel = self.channel else { return nil }
        if upgraded {
            Self.send(BridgeCodec.event(.bye(ByeEvent(reason: reason))), on: channel)
            var data = channel.allocator.buffer(capacity: 2 + reason.utf8.count)
            data.write(webSocketErrorCode: .normalClosure)
            data.writeString(reason)
            let close = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: data)
            channel.writeAndFlush(close, promise: nil)
        }
        // The server answers the close frame and closes; if it does not, close anyway.
        channel.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
        return channel.closeFuture
    }
}
