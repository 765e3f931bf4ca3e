// Runs in: the supervisor (`ccproxy serve`).

public import CCProxyCore

/// What the supervisor needs to run, already validated and resolved by `ccproxy serve`.
public struct SupervisorConfiguration: Sendable {
    /// Where to listen when no socket was passed by systemd (`""` host = all interfaces).
    public var listenHost: String
    public var listenPort: Int
    /// Where to serve Prometheus metrics (`metrics_listen`) when systemd passed no socket
    /// named `metrics`; nil: no metrics listener.
    public var metricsHost: String?
    public var metricsPort: Int
    /// The state directory: database, admin socket, ephemeral workspaces.
    public var stateDirectory: String
    /// The `ccproxy-worker` executable.
    public var workerExecutable: String
    /// The FUSE manager started before the privilege drop; nil: bridges are refused (503).
    public var fuseManager: FuseManagerHandle?
    /// The snapshot every worker receives.
    public var settings: ProxySettings
    public var policy: PoolPolicy
    /// Reads, validates and resolves the configuration again (SIGHUP, `ccproxyctl reload`).
    /// Nil: reloading is not possible (the supervisor refuses with a problem saying so).
    public var reloader: ConfigurationReloader?

    public init(
        listenHost: String, listenPort: Int, stateDirectory: String, workerExecutable: String,
        settings: ProxySettings, policy: PoolPolicy, reloader: ConfigurationReloader? = nil,
        metricsHost: String? = nil, metricsPort: Int = 0, fuseManager: FuseManagerHandle? = nil
    ) {
        self.fuseManager = fuseManager
        self.metricsHost = metricsHost
        self.metricsPort = metricsPort
        self.listenHost = listenHost
        self.listenPort = listenPort
        self.stateDirectory = stateDirectory
        self.workerExecutable = workerExecutable
        self.settings = settings
        self.policy = policy
        self.reloader = reloader
    }
}

/// A configuration read again for a reload, ready to use.
public struct ReloadedConfiguration: Sendable {
    public var settings: ProxySettings
    public var policy: PoolPolicy
    /// Changes that are accepted but take effect only after a restart (e.g. `listen`).
    public var notes: [String]

    public init(settings: ProxySettings, policy: PoolPolicy, notes: [String] = []) {
        self.settings = settings
        self.policy = policy
        self.notes = notes
    }
}

/// Loads the configuration for a reload: the new one, or every problem found.
public typealias ConfigurationReloader = @Sendable () -> Result<ReloadedConfiguration, ReloadRefusal>

/// Why a reload was refused: every problem, one sentence each.
public struct ReloadRefusal: Error, Sendable, Equatable {
    public var problems: [String]

    public init(problems: [String]) {
        self.problems = problems
    }
}
