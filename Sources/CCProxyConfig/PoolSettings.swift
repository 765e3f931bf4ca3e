/// The worker pool, from the `workers:` mapping of the configuration.
///
/// After loading, `1 <= minIdle <= maxWorkers <= 1024`, `minIdle <= maxIdle`,
/// `maxRequestsPerWorker >= 1`, `queueLength >= 0`, `maxKeepAlive >= 0`,
/// `maxWaitingPerSource >= 1`, every duration is positive and
/// `spawnBackoffSeconds <= spawnBackoffMaxSeconds`.
public struct PoolSettings: Sendable, Equatable {
    /// Idle workers the supervisor keeps ready (`min_idle`). Default 2.
    public var minIdle: Int
    /// Idle workers kept at most; more are retired when they finish (`max_idle`).
    /// Nil (the default) means `max(2 × min_idle, min_idle + 2)`.
    public var maxIdle: Int?
    /// Most worker processes alive at once (`max`). Default 32.
    public var maxWorkers: Int
    /// Requests a worker serves before it is replaced (`max_requests`). Default 1000.
    public var maxRequestsPerWorker: Int
    /// Connections that wait for a worker when all `max` are busy; past it the supervisor
    /// answers 503 (`queue_length`). Default 128.
    public var queueLength: Int
    /// Longest wait in that queue before a 503, in seconds (`queue_timeout`). Default 30.
    public var queueTimeoutSeconds: Double
    /// First delay before respawning after a crash, doubled per consecutive crash
    /// (`spawn_backoff`), in seconds. Default 0.1.
    public var spawnBackoffSeconds: Double
    /// Ceiling of that delay (`spawn_backoff_max`), in seconds. Default 10.
    public var spawnBackoffMaxSeconds: Double
    /// How long an idle keep-alive connection waits for its next request
    /// (`keepalive_timeout`), in seconds. Default 60.
    public var keepAliveTimeoutSeconds: Double
    /// Most idle keep-alive connections held at once; the oldest is closed past it
    /// (`max_keepalive`). 0 turns keep-alive off. Default 1024.
    public var maxKeepAlive: Int
    /// Most connections from one client address waiting in the supervisor, queued or idle
    /// keep-alive (`max_waiting_per_source`). Default 256.
    public var maxWaitingPerSource: Int

    /// The most workers a configuration may ask for.
    public static let workerCeiling = 1024

    public init(
        minIdle: Int = 2, maxIdle: Int? = nil, maxWorkers: Int = 32, maxRequestsPerWorker: Int = 1000,
        queueLength: Int = 128, queueTimeoutSeconds: Double = 30, spawnBackoffSeconds: Double = 0.1,
        spawnBackoffMaxSeconds: Double = 10, keepAliveTimeoutSeconds: Double = 60, maxKeepAlive: Int = 1024,
        maxWaitingPerSource: Int = 256
    ) {
        self.minIdle = minIdle
        self.maxIdle = maxIdle
        self.maxWorkers = maxWorkers
        self.maxRequestsPerWorker = maxRequestsPerWorker
        self.queueLength = queueLength
        self.queueTimeoutSeconds = queueTimeoutSeconds
        self.spawnBackoffSeconds = spawnBackoffSeconds
        self.spawnBackoffMaxSeconds = spawnBackoffMaxSeconds
        self.keepAliveTimeoutSeconds = keepAliveTimeoutSeconds
        self.maxKeepAlive = maxKeepAlive
        self.maxWaitingPerSource = maxWaitingPerSource
    }
}
