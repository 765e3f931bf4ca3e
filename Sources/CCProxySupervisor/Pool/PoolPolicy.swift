// Runs in: the supervisor (`ccproxy serve`).
// The numbers that shape the worker pool, from the `workers:` section of the configuration.

/// Pool sizing and recycling.
public struct PoolPolicy: Sendable, Equatable {
    /// Idle workers kept ready at all times (pre-forked).
    public var minIdle: Int
    /// Idle workers above this are retired when they finish a connection.
    public var maxIdle: Int
    /// Hard ceiling on worker processes.
    public var maxWorkers: Int
    /// A worker is replaced after serving this many connections.
    public var maxRequestsPerWorker: Int
    /// Connections that may wait for a worker when all are busy; past it, 503.
    public var maxQueue: Int
    /// First respawn delay after a crash, doubled per consecutive crash up to `maxBackoff`.
    public var initialBackoffSeconds: Double
    public var maxBackoffSeconds: Double
    /// How long busy workers may finish their turns after SIGTERM before they are
    /// terminated, then killed `killAfterSeconds` later.
    public var drainTimeoutSeconds: Double
    public var killAfterSeconds: Double

    public init(
        minIdle: Int = 2, maxIdle: Int? = nil, maxWorkers: Int = 32, maxRequestsPerWorker: Int = 1000,
        maxQueue: Int = 128, initialBackoffSeconds: Double = 0.1, maxBackoffSeconds: Double = 10,
        drainTimeoutSeconds: Double = 630, killAfterSeconds: Double = 5
    ) {
        self.minIdle = minIdle
        self.maxIdle = maxIdle ?? max(minIdle * 2, minIdle + 2)
        self.maxWorkers = max(maxWorkers, minIdle)
        self.maxRequestsPerWorker = maxRequestsPerWorker
        self.maxQueue = maxQueue
        self.initialBackoffSeconds = initialBackoffSeconds
        self.maxBackoffSeconds = maxBackoffSeconds
        self.drainTimeoutSeconds = drainTimeoutSeconds
        self.killAfterSeconds = killAfterSeconds
    }
}
