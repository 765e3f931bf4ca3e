// Runs in: the supervisor (`ccproxy serve`).
// What the pool counts, for `ccproxyctl status` now and the metrics exposition later.

/// Why the supervisor answered a connection with its own 503.
public enum RefusalReason: String, Sendable, Equatable, CaseIterable {
    /// Every worker busy, the pool at `max`, and the wait queue full (`queue_length`).
    case queueFull = "queue_full"
    /// Waited longer than `queue_timeout` in the queue.
    case queueTimeout = "queue_timeout"
    /// Too many connections from the same source already waiting (`max_waiting_per_source`).
    case perSourceLimit = "per_source_limit"
    /// The server is shutting down.
    case draining
    /// No worker can be started (respawning halted after a fatal configuration error).
    case noWorkers = "no_workers"
}

/// Why the supervisor closed a connection it held without answering (keep-alive or a
/// request head that is still arriving). The client saw a complete response before, or
/// never sent a complete request.
public enum ConnectionCloseReason: String, Sendable, Equatable, CaseIterable {
    /// Idle longer than `keepalive_timeout`.
    case idleTimeout = "idle_timeout"
    /// More idle keep-alive connections than `max_keepalive`: the oldest goes.
    case idleLimit = "idle_limit"
    /// The request head did not arrive within the head deadline.
    case headTimeout = "head_timeout"
    /// Too many connections from its source waiting already.
    case perSourceLimit = "per_source_limit"
    /// The client closed it.
    case peerClosed = "peer_closed"
    /// The server is shutting down.
    case draining
    /// A follow-up's connection whose waiting turn ended before it could take it.
    case waitingTurnGone = "waiting_turn_gone"
}

/// Monotonic counters kept by the pool state machine. Read-only to everyone else.
public struct PoolCounters: Sendable, Equatable {
    /// Connections answered 503 by the supervisor, by reason.
    public internal(set) var refusals: [RefusalReason: UInt64] = [:]
    /// Connections the supervisor closed itself, by reason.
    public internal(set) var closes: [ConnectionCloseReason: UInt64] = [:]
    /// Connections handed back by workers (keep-alive or an incomplete head).
    public internal(set) var handBacks: UInt64 = 0
    /// Connections handed to workers (first time and again after keep-alive).
    public internal(set) var handOffs: UInt64 = 0
    /// Workers that crashed (signal or an exit code outside the protocol).
    public internal(set) var crashes: UInt64 = 0
    /// Workers retired after `max_requests`.
    public internal(set) var recycles: UInt64 = 0

    /// All refusals together.
    public var refusedTotal: UInt64 { refusals.values.reduce(0, +) }

    public init() {}
}
