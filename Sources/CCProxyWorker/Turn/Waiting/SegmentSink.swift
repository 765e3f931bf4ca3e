// Runs in: a worker (`ccproxy-worker`).

import CCProxyClaude

/// Holds the sink of the connection a waiting-capable turn answers now: the first request's,
/// none while the turn waits for the client's results, then the follow-up's.
///
/// `@unchecked Sendable`: the driver is the only one to use `current` while a segment runs;
/// `WaitingTurnLink` replaces it only while the driver is suspended waiting, and resuming the
/// driver orders the two (the continuation's resume happens before the driver reads again).
final class SegmentSinkBox: @unchecked Sendable {
    var current: (any TurnSink)?

    init(_ sink: any TurnSink) {
        current = sink
    }
}

/// The driver's sink for a turn that may wait: forwards to the box's current sink, and drops
/// output while none is attached (keep-alive ticks during the wait, the end of a turn that
/// was told to stop while it waited).
struct SegmentSink: TurnSink {
    let box: SegmentSinkBox

    mutating func begin() async throws {
        guard var sink = box.current else { return }
        try await sink.begin()
        box.current = sink
    }

    mutating func emit(_ delta: TurnDelta) async throws {
        guard var sink = box.current else { return }
        try await sink.emit(delta)
        box.current = sink
    }

    mutating func tick() async throws {
        guard var sink = box.current else { return }
        try await sink.tick()
        box.current = sink
    }

    mutating func finish(_ outcome: TurnOutcome) async throws {
        guard var sink = box.current else { return }
        try await sink.finish(outcome)
        box.current = sink
    }

    mutating func observe(rawLine: [UInt8]) {
        guard var sink = box.current else { return }
        sink.observe(rawLine: rawLine)
        box.current = sink
    }
}
