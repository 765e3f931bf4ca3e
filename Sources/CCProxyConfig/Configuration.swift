import CCProxyCore

/// The validated server configuration: the YAML file plus the environment overrides.
///
/// Values are only ever produced by `ConfigurationLoader`, which guarantees that every field
/// holds a valid value (for example, `stateDirectory` is absolute, durations are positive and
/// every `models[i].workspace` names a configured workspace). `Configuration()` is the
/// configuration of an empty file with an empty environment.
///
/// The supervisor keeps the whole value; workers only receive `proxySettings()`.
public struct Configuration: Sendable, Equatable {
    /// The HTTP listener (`listen`, env `CCPROXY_LISTEN`). Default `:4141`, all interfaces.
    public var listen: ListenAddress
    /// The Prometheus `/metrics` listener (`metrics_listen`, env `CCPROXY_METRICS_LISTEN`).
    /// Nil (the default) disables it.
    public var metricsListen: ListenAddress?
    /// The state directory (`state_dir`, env `CCPROXY_STATE`); always an absolute, lexically
    /// normalised path. Default `/var/lib/ccproxy`.
    public var stateDirectory: String
    /// The `claude` executable: a path, or a name looked up on `PATH` (`claude_binary`,
    /// YAML only). Default `claude`.
    public var claudeBinary: String
    /// `default_verbosity`: `text-only` (default), `verbose` or `narrated`.
    public var defaultVerbosity: Verbosity
    /// `default_effort`; nil (the default) leaves it to claude.
    public var defaultEffort: Effort?
    /// Used when an alias sets no `claude_model`; nil (the default) lets claude choose.
    public var defaultClaudeModel: String?
    /// Passed as `--permission-mode` unless an alias overrides it. Default `bypassPermissions`;
    /// an empty value in the file also means the default, so after loading it is never nil.
    public var defaultPermissionMode: PermissionMode?
    /// Whether `opus`, `sonnet`, `haiku` and full `claude-…` ids are accepted as `model`.
    /// Default true.
    public var allowPassthroughModels: Bool
    /// Pins for the family names (`opus`, `sonnet`, `haiku`) to full claude model ids.
    public var modelVersions: [String: String]
    /// Idle lifetime of a persistent session, in seconds (`session_ttl`). Default 1800.
    public var sessionTTLSeconds: Double
    /// Wall-clock limit for one turn, in seconds (`request_timeout`). Default 600.
    public var requestTimeoutSeconds: Double
    /// How long a turn whose claude called the client's functions waits, holding a worker,
    /// for the follow-up with their results (`tool_result_timeout`). Default 300.
    public var toolResultTimeoutSeconds: Double = Limits.defaultToolResultTimeoutSeconds
    /// Named workspaces clients may target; every path is absolute.
    public var workspaces: [String: WorkspaceSettings]
    /// Model aliases in file order; the first is the default for a request without `model`.
    public var models: [ModelAlias]
    /// The worker pool (`workers`).
    public var workers: PoolSettings
    /// `cors_origins`: `*` or `scheme://host[:port]` (lowercased, no path), in file order.
    /// Empty (the default) turns CORS off.
    public var corsOrigins: [String]
    /// `stream_keepalive` in seconds; 0 turns SSE keep-alive comments off. Default 15.
    public var streamKeepaliveSeconds: Double
    /// `remote_images`: whether http(s) image URLs are fetched. Default false.
    public var remoteImages: Bool
    /// `remote_images_allow_private`: whether remote images may come from non-public
    /// addresses (loopback, RFC 1918, link-local…). Default false.
    public var remoteImagesAllowPrivate: Bool = false
    /// Most bytes the debug captures directory holds (`captures_max_bytes`); the oldest files
    /// are removed first. Default 256 MiB.
    public var capturesMaxBytes: Int
    /// `user`: the service user a server started as root switches to before it opens the
    /// database or starts a worker. Default `ccproxy`. Ignored when not started as root.
    public var serviceUser: String
    /// `isolation`: `namespaces` (default) or `none`. See `IsolationMode`.
    public var isolation: IsolationMode
    /// `claude_environment`: variable names (a trailing `*` matches a prefix) passed from the
    /// server's environment to claude. Default `ProxySettings.defaultClaudeEnvironment`.
    public var claudeEnvironment: [String]
    /// The absolute path of the file this configuration was loaded from; nil when it was
    /// parsed from a string.
    public var sourcePath: String?

    /// The state directory when neither `state_dir` nor `CCPROXY_STATE` sets one.
    public static let defaultStateDirectory = "/var/lib/ccproxy"

    /// Creates a configuration; every parameter defaults to the value an empty file yields.
    public init(
        listen: ListenAddress = ListenAddress(host: "", port: 4141),
        metricsListen: ListenAddress? = nil,
        stateDirectory: String = Configuration.defaultStateDirectory,
        claudeBinary: String = "claude",
        defaultVerbosity: Verbosity = .textOnly,
        defaultEffort: Effort? = nil,
        defaultClaudeModel: String? = nil,
        defaultPermissionMode: PermissionMode? = .bypassPermissions,
        allowPassthroughModels: Bool = true,
        modelVersions: [String: String] = [:],
        sessionTTLSeconds: Double = 1800,
        requestTimeoutSeconds: Double = 600,
        workspaces: [String: WorkspaceSettings] = [:],
        models: [ModelAlias] = [],
        workers: PoolSettings = PoolSettings(),
        sourcePath: String? = nil,
        corsOrigins: [String] = [],
        streamKeepaliveSeconds: Double = 15,
        remoteImages: Bool = false,
        capturesMaxBytes: Int = Limits.defaultCapturesMaxBytes,
        serviceUser: String = Configuration.defaultServiceUser,
        isolation: IsolationMode = .namespaces,
        claudeEnvironment: [String] = ProxySettings.defaultClaudeEnvironment
    ) {
        self.listen = listen
        self.metricsListen = metricsListen
        self.stateDirectory = stateDirectory
        self.claudeBinary = claudeBinary
        self.defaultVerbosity = defaultVerbosity
        self.defaultEffort = defaultEffort
        self.defaultClaudeModel = defaultClaudeModel
        self.defaultPermissionMode = defaultPermissionMode
        self.allowPassthroughModels = allowPassthroughModels
        self.modelVersions = modelVersions
        self.sessionTTLSeconds = sessionTTLSeconds
        self.requestTimeoutSeconds = requestTimeoutSeconds
        self.workspaces = workspaces
        self.models = models
        self.workers = workers
        self.sourcePath = sourcePath
        self.corsOrigins = corsOrigins
        self.streamKeepaliveSeconds = streamKeepaliveSeconds
        self.remoteImages = remoteImages
        self.capturesMaxBytes = capturesMaxBytes
        self.serviceUser = serviceUser
        self.isolation = isolation
        self.claudeEnvironment = claudeEnvironment
    }

    /// The service user when `user` is not set.
    public static let defaultServiceUser = "ccproxy"
}
