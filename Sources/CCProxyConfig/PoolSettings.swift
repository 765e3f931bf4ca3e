/// The worker pool, from the `workers:` mapping of the configuration.
///
/// After loading, `1 <= minIdle <= maxWorkers <= 1024` and `maxRequestsPerWorker >= 1`.
public struct PoolSettings: Sendable, Equatable {
    /// Idle workers the supervisor keeps ready (`min_idle`). Default 2.
    public var minIdle: Int
    /// Most worker processes alive at once (`max`). Default 32.
    public var maxWorkers: Int
    /// Requests a worker serves before it is replaced (`max_requests`). Default 1000.
    public var maxRequestsPerWorker: Int

    /// The most workers a configuration may ask for.
    public static let workerCeiling = 1024

    public init(minIdle: Int = 2, maxWorkers: Int = 32, maxRequestsPerWorker: Int = 1000) {
        self.minIdle = minIdle
        self.maxWorkers = maxWorkers
        self.maxRequestsPerWorker = maxRequestsPerWorker
    }
}
