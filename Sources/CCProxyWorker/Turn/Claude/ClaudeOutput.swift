// Runs in: a worker (`ccproxy-worker`).

import CCProxyClaude

/// What a turn reads from its claude process: stream-json events in order, and ticks.
///
/// A tick is not claude output: the pipe's pipeline injects one every keep-alive period so
/// that the single consumer of the turn can notice a quiet stream (and write an SSE comment)
/// without a second task writing to the client concurrently.
enum ClaudeOutput: Sendable {
    /// An event, and the line it was parsed from when the turn keeps raw lines.
    case event(ClaudeEvent, raw: [UInt8]?)
    case tick
}
