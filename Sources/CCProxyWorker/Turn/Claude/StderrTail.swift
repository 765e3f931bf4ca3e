// Runs in: a worker (`ccproxy-worker`).

import CCProxyCore
import NIOCore
import CCProxyPosix

/// The newest `Limits.claudeStderrTailBytes` bytes claude wrote to stderr, for error messages
/// and logs. Filled by `StderrTailHandler` on the event loop, read by the turn afterwards.
final class StderrTail: Sendable {
    private let bytes = Locked<[UInt8]>([])

    func append(_ buffer: ByteBuffer) {
        bytes.withLock { tail in
            tail.append(contentsOf: buffer.readableBytesView)
            if tail.count > Limits.claudeStderrTailBytes {
                tail.removeFirst(tail.count - Limits.claudeStderrTailBytes)
            }
        }
    }

    /// The tail as text, trimmed.
    var text: String {
        String(decoding: bytes.withLock { $0 }, as: UTF8.self).trimmingWhitespace()
    }
}

/// Reads claude's stderr pipe into a `StderrTail`.
final class StderrTailHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let tail: StderrTail

    init(tail: StderrTail) {
        self.tail = tail
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        tail.append(unwrapInboundIn(data))
    }
}
