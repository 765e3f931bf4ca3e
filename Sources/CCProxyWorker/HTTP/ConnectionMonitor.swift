// Runs in: a worker (`ccproxy-worker`).
// The first handler of a client connection's pipeline, next to the socket: it follows the
// raw request framing (for the keep-alive hand-back), watches write progress (a client that
// stops reading loses its connection instead of holding the worker), and offers a flush
// barrier (every response byte is in the kernel before the socket is handed back).

import CCProxyCore
import NIOCore
import NIOHTTP1

/// Raw-byte bookkeeping and the write-progress watchdog of one connection. Event-loop bound:
/// use it from the channel's event loop only (wrap it in `NIOLoopBound` elsewhere).
final class ConnectionMonitor: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private(set) var scanner = MessageBoundaryScanner(maxHeadBytes: Limits.maxRequestHeadBytes)
    private let writeTimeout: TimeAmount
    private var context: ChannelHandlerContext?
    /// Writes handed to the socket whose promise has not completed.
    private var pendingWrites = 0
    private var lastProgress = NIODeadline.now()
    private var watchdog: RepeatedTask?
    /// Set when the watchdog closed the connection.
    private(set) var stalled = false

    init(writeTimeoutSeconds: Double) {
        writeTimeout = .milliseconds(Int64(writeTimeoutSeconds * 1000))
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let period = TimeAmount.milliseconds(min(1000, max(10, writeTimeout.nanoseconds / 4_000_000)))
        watchdog = context.eventLoop.scheduleRepeatedTask(initialDelay: period, delay: period) { [weak self] _ in
            self?.checkProgress()
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        watchdog?.cancel()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        watchdog?.cancel()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        scanner.consume(Array(buffer.readableBytesView))
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let tracked = promise ?? context.eventLoop.makePromise()
        if pendingWrites == 0 { lastProgress = .now() }
        pendingWrites += 1
        tracked.futureResult.whenComplete { [weak self] _ in
            guard let self else { return }
            self.pendingWrites -= 1
            self.lastProgress = .now()
        }
        context.write(data, promise: tracked)
    }

    /// Completes once every byte written so far is in the kernel (writes complete in order);
    /// nil when the handler has left the pipeline (the connection is closed).
    func flushBarrier() -> EventLoopFuture<Void>? {
        guard let context else { return nil }
        let promise = context.eventLoop.makePromise(of: Void.self)
        write(context: context, data: wrapOutboundOut(ByteBuffer()), promise: promise)
        context.flush()
        return promise.futureResult
    }

    private func checkProgress() {
        guard let context, pendingWrites > 0, NIODeadline.now() - lastProgress >= writeTimeout else { return }
        stalled = true
        context.close(promise: nil)
    }
}

/// Sits after the HTTP encoder, on the application side: records each response's status
/// and when its first body bytes left, for the completion log line.
final class ResponseObserver: ChannelOutboundHandler {
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let record: RequestRecord

    init(record: RequestRecord) {
        self.record = record
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status.code >= 200:
            let streaming = head.headers["content-type"].contains { $0.lowercased().hasPrefix("text/event-stream") }
            record.noteHead(status: Int(head.status.code), streaming: streaming)
        case .body(let body):
            if body.readableBytes > 0 { record.noteBody() }
        default:
            break
        }
        context.write(data, promise: promise)
    }
}
