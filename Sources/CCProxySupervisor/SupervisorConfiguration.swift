// Runs in: the supervisor (`ccproxy serve`).

public import CCProxyCore

/// What the supervisor needs to run, already validated and resolved by `ccproxy serve`.
public struct SupervisorConfiguration: Sendable {
    /// Where to listen when no socket was passed by systemd (`""` host = all interfaces).
    public var listenHost: String
    public var listenPort: Int
    /// The state directory: database, admin socket, ephemeral workspaces.
    public var stateDirectory: String
    /// The `ccproxy-worker` executable.
    public var workerExecutable: String
    /// The snapshot every worker receives.
    public var settings: ProxySettings
    public var policy: PoolPolicy

    public init(
        listenHost: String, listenPort: Int, stateDirectory: String, workerExecutable: String,
        settings: ProxySettings, policy: PoolPolicy
    ) {
        self.listenHost = listenHost
        self.listenPort = listenPort
        self.stateDirectory = stateDirectory
        self.workerExecutable = workerExecutable
        self.settings = settings
        self.policy = policy
    }
}
