// Runs in: the supervisor (`ccproxy serve`).
// The numbers that shape the worker pool, from the `workers:` section of the configuration.

import CCProxyCore

/// Pool sizing, recycling, queueing and keep-alive. Every duration is in seconds of the
/// monotonic clock the shell feeds the state machine.
public struct PoolPolicy: Sendable, Equatable {
    /// Idle workers kept ready at all times (pre-forked) (`min_idle`).
    public var minIdle: Int
    /// Idle workers above this are retired when they finish a connection (`max_idle`).
    public var maxIdle: Int
    /// Hard ceiling on worker processes (`max`).
    public var maxWorkers: Int
    /// A worker is replaced after serving this many connections (`max_requests`).
    public var maxRequestsPerWorker: Int
    /// Connections that may wait for a worker when all are busy; past it, 503 (`queue_length`).
    public var maxQueue: Int
    /// Longest wait in that queue; past it, 503 (`queue_timeout`).
    public var queueTimeoutSeconds: Double
    /// First respawn delay after a crash, doubled per consecutive crash up to `maxBackoff`
    /// (`spawn_backoff`, `spawn_backoff_max`).
    public var initialBackoffSeconds: Double
    public var maxBackoffSeconds: Double
    /// How long an idle keep-alive connection waits in the supervisor for its next request
    /// (`keepalive_timeout`).
    public var keepAliveTimeoutSeconds: Double
    /// Most idle keep-alive connections held at once; past it the oldest is closed
    /// (`max_keepalive`).
    public var maxKeepAliveConnections: Int
    /// Most connections from one source address waiting in the supervisor (queued or idle
    /// keep-alive) (`max_waiting_per_source`).
    public var maxWaitingPerSource: Int
    /// Time from a request's first byte until its head must have arrived; a connection whose
    /// head is still incomplete then is closed.
    public var headTimeoutSeconds: Double
    /// How long busy workers may finish their turns after SIGTERM before they are
    /// terminated, then killed `killAfterSeconds` later.
    public var drainTimeoutSeconds: Double
    public var killAfterSeconds: Double
    /// How long a turn whose claude called the client's functions holds its worker waiting for
    /// the follow-up (`tool_result_timeout`); then it is told to end.
    public var waitingTurnTimeoutSeconds: Double = Limits.defaultToolResultTimeoutSeconds
    /// How long a waiting turn found for a follow-up stays reserved while the connection is
    /// passed over.
    public var reservationTimeoutSeconds: Double = Limits.waitingTurnReservationSeconds

    public init(
        minIdle: Int = 2, maxIdle: Int? = nil, maxWorkers: Int = 32, maxRequestsPerWorker: Int = 1000,
        maxQueue: Int = 128, queueTimeoutSeconds: Double = 30, initialBackoffSeconds: Double = 0.1,
        maxBackoffSeconds: Double = 10, keepAliveTimeoutSeconds: Double = 60, maxKeepAliveConnections: Int = 1024,
        maxWaitingPerSource: Int = 256, headTimeoutSeconds: Double = 30,
        drainTimeoutSeconds: Double = 630, killAfterSeconds: Double = 5
    ) {
        self.minIdle = minIdle
        self.maxIdle = max(maxIdle ?? max(minIdle * 2, minIdle + 2), minIdle)
        self.maxWorkers = max(maxWorkers, minIdle)
        self.maxRequestsPerWorker = maxRequestsPerWorker
        self.maxQueue = maxQueue
        self.queueTimeoutSeconds = queueTimeoutSeconds
        self.initialBackoffSeconds = initialBackoffSeconds
        self.maxBackoffSeconds = maxBackoffSeconds
        self.keepAliveTimeoutSeconds = keepAliveTimeoutSeconds
        self.maxKeepAliveConnections = maxKeepAliveConnections
        self.maxWaitingPerSource = maxWaitingPerSource
        self.headTimeoutSeconds = headTimeoutSeconds
        self.drainTimeoutSeconds = drainTimeoutSeconds
        self.killAfterSeconds = killAfterSeconds
    }
}
