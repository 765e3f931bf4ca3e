// Runs in: a worker (`ccproxy-worker`).

import NIOCore

/// Passes claude's output through and adds a `.tick` every `period` while the channel is
/// active (see `ClaudeOutput`).
///
/// Ticks bypass the async stream's read back-pressure, deliberately: they are tiny and
/// bounded by time (one per period for at most `request_timeout`), and a slow client must not
/// delay them by more than what it is already reading.
final class KeepAliveTicker: ChannelInboundHandler {
    typealias InboundIn = ClaudeOutput
    typealias InboundOut = ClaudeOutput

    private let period: TimeAmount
    private var task: RepeatedTask?

    init(period: TimeAmount) {
        self.period = period
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let tick = NIOLoopBound(wrapInboundOut(.tick), eventLoop: context.eventLoop)
        task = context.eventLoop.scheduleRepeatedTask(initialDelay: period, delay: period) { _ in
            // The async channel hands reads to its consumer on read-complete; without it a tick
            // would wait for claude's next output, which is exactly when it is not needed.
            bound.value.fireChannelRead(tick.value)
            bound.value.fireChannelReadComplete()
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        task?.cancel()
        task = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        task?.cancel()
        task = nil
        context.fireChannelInactive()
    }
}
