// Runs in: the supervisor (`ccproxy serve`).

public import CCProxyConfig
import CCProxyCore

extension PoolPolicy {
    /// The policy the `workers:` section (and `request_timeout`) of a configuration asks for.
    public init(_ configuration: Configuration) {
        let workers = configuration.workers
        self.init(
            minIdle: workers.minIdle, maxIdle: workers.maxIdle, maxWorkers: workers.maxWorkers,
            maxRequestsPerWorker: workers.maxRequestsPerWorker, maxQueue: workers.queueLength,
            queueTimeoutSeconds: workers.queueTimeoutSeconds, initialBackoffSeconds: workers.spawnBackoffSeconds,
            maxBackoffSeconds: workers.spawnBackoffMaxSeconds, keepAliveTimeoutSeconds: workers.keepAliveTimeoutSeconds,
            maxKeepAliveConnections: workers.maxKeepAlive, maxWaitingPerSource: workers.maxWaitingPerSource,
            headTimeoutSeconds: Limits.requestReadTimeoutSeconds,
            // Busy workers get their whole turn, and a little, to finish after SIGTERM.
            drainTimeoutSeconds: configuration.requestTimeoutSeconds + 30)
        waitingTurnTimeoutSeconds = configuration.toolResultTimeoutSeconds
    }
}
