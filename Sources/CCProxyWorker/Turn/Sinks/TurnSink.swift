// Runs in: a worker (`ccproxy-worker`).

import CCProxyClaude
import CCProxyCore

/// Where a turn's output goes: the one place output leaves the turn.
///
/// The driver calls `begin` once claude runs, then `emit` for every rendered delta and `tick`
/// for every keep-alive tick, then `finish` once with the outcome — unless the client is gone,
/// in which case nothing more is called. A sink that wraps another (a capture tee, say)
/// forwards every call; renderers and the driver never know which sink they feed.
protocol TurnSink {
    /// Called once, after claude started and before any output.
    mutating func begin() async throws
    /// One piece of rendered output.
    mutating func emit(_ delta: TurnDelta) async throws
    /// The keep-alive period passed; a sink that streams writes something harmless if it has
    /// been quiet that long.
    mutating func tick() async throws
    /// The end of the turn: a completed answer or a failure.
    mutating func finish(_ outcome: TurnOutcome) async throws
    /// One line of claude's output as it was printed, before it is rendered; only when the
    /// turn keeps raw lines (a debug capture). Never fails the turn.
    mutating func observe(rawLine: [UInt8])
}

extension TurnSink {
    mutating func observe(rawLine: [UInt8]) {}
}

/// What every response object of one completion shares.
struct CompletionIdentity: Sendable {
    var id: String
    /// Unix seconds at the start of the turn.
    var created: Int
    /// The model id the client asked for (alias or passthrough id).
    var model: String
}
