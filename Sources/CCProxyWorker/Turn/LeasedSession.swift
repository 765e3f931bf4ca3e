// Runs in: a worker (`ccproxy-worker`).

import CCProxyClaude
import CCProxyWire

/// A persistent session this worker's turn holds (until `releaseSession`).
struct LeasedSession {
    /// The client's name for it.
    var name: String
    var lease: SessionLease

    /// How claude is to use it: resume what an earlier turn created, else start it.
    var mode: ClaudeSessionMode {
        lease.resume ? .resume(claudeSessionID: lease.claudeSessionID) : .start(claudeSessionID: lease.claudeSessionID)
    }
}
