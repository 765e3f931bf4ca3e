/// Everything a worker needs to know about the server's configuration, as one value.
///
/// The supervisor builds it from the validated YAML configuration (`CCProxyConfig`) and hands
/// it to every worker it spawns (JSON in a sealed memory file at a fixed fd), so workers never
/// read configuration files themselves. Adding a field here is how a new setting reaches the
/// workers; a reload (SIGHUP) gives new workers a new snapshot.
public struct ProxySettings: Codable, Sendable, Equatable {
    /// The `claude` executable: a path, or a name looked up on `PATH`.
    public var claudeBinary: String
    /// The state directory (absolute). Workers create per-turn directories under `<state>/turns`.
    public var stateDirectory: String
    /// Used when neither `X-CC-Verbosity` nor the token sets a verbosity.
    public var defaultVerbosity: Verbosity
    /// Used when neither the request nor the alias sets an effort; nil leaves it to claude.
    public var defaultEffort: Effort?
    /// Used when an alias sets no `claude_model`; nil lets claude choose.
    public var defaultClaudeModel: String?
    /// Passed as `--permission-mode` unless an alias overrides it; nil passes nothing.
    public var defaultPermissionMode: PermissionMode?
    /// Whether `opus`, `sonnet`, `haiku` and full `claude-…` ids are accepted as `model`.
    public var allowPassthroughModels: Bool
    /// Pins for the family names, e.g. `sonnet → claude-sonnet-4-6`.
    public var modelVersions: [String: String]
    /// Wall-clock limit for one turn, in seconds.
    public var requestTimeoutSeconds: Double
    /// How long a turn whose claude called the client's functions waits for their results
    /// (`tool_result_timeout`), in seconds.
    public var toolResultTimeoutSeconds: Double = Limits.defaultToolResultTimeoutSeconds
    /// Idle lifetime of a persistent session, in seconds.
    public var sessionTTLSeconds: Double
    /// Named workspaces clients may target (never paths).
    public var workspaces: [String: WorkspaceSettings]
    /// Model aliases, in configuration order; the first is the default for a missing `model`.
    public var models: [ModelAlias]
    /// `claude --version` as probed once by the supervisor at startup (nil if it failed).
    public var claudeVersion: String?
    /// Why the startup probe failed, if it did (`/readyz` answers 503 with it).
    public var claudeProbeError: String?
    /// Origins allowed to call the API from a browser (`cors_origins`): `*` (any origin) or
    /// `scheme://host[:port]`, lowercase, without a path. Empty (the default) turns CORS off.
    public var corsOrigins: [String]
    /// Seconds of silence after which a stream gets an SSE `: keep-alive` comment
    /// (`stream_keepalive`); 0 turns keep-alives off. Default 15.
    public var streamKeepaliveSeconds: Double
    /// Whether `image_url` parts may name http(s) URLs, which the worker then fetches
    /// (`remote_images`). Default false: such parts are refused with a 400.
    public var remoteImages: Bool
    /// Whether remote images may come from loopback, private, link-local and other
    /// non-public addresses (`remote_images_allow_private`). Default false.
    public var remoteImagesAllowPrivate: Bool = false
    /// Most bytes the debug captures directory holds (`captures_max_bytes`).
    public var capturesMaxBytes: Int
    /// How each turn's claude is confined (`isolation`). Default `namespaces`.
    public var isolation: IsolationMode
    /// Names of the server's environment variables claude may see besides the basics
    /// (`claude_environment`); a trailing `*` matches a prefix. See `ClaudeEnvironment`.
    public var claudeEnvironment: [String]
    /// The service user's own claude configuration directory (`~/.claude`) and
    /// `~/.claude.json`'s directory: the operator's settings, skills, agents and commands
    /// that every turn sees read-only. Nil when the server has no home directory.
    public var operatorHome: String?
    /// The operator's user-scoped MCP servers as a `--mcp-config` document
    /// (`HostMCPServers`), read from `~/.claude.json` at start and on reload; nil when there
    /// are none. Every turn gets them.
    public var hostMCPServers: String?

    public init(
        claudeBinary: String = "claude",
        stateDirectory: String = "/var/lib/ccproxy",
        defaultVerbosity: Verbosity = .textOnly,
        defaultEffort: Effort? = nil,
        defaultClaudeModel: String? = nil,
        defaultPermissionMode: PermissionMode? = .bypassPermissions,
        allowPassthroughModels: Bool = true,
        modelVersions: [String: String] = [:],
        requestTimeoutSeconds: Double = 600,
        sessionTTLSeconds: Double = 1800,
        workspaces: [String: WorkspaceSettings] = [:],
        models: [ModelAlias] = [],
        corsOrigins: [String] = [],
        streamKeepaliveSeconds: Double = 15,
        remoteImages: Bool = false,
        capturesMaxBytes: Int = Limits.defaultCapturesMaxBytes,
        isolation: IsolationMode = .namespaces,
        claudeEnvironment: [String] = ProxySettings.defaultClaudeEnvironment,
        operatorHome: String? = nil,
        hostMCPServers: String? = nil
    ) {
        self.claudeBinary = claudeBinary
        self.stateDirectory = stateDirectory
        self.defaultVerbosity = defaultVerbosity
        self.defaultEffort = defaultEffort
        self.defaultClaudeModel = defaultClaudeModel
        self.defaultPermissionMode = defaultPermissionMode
        self.allowPassthroughModels = allowPassthroughModels
        self.modelVersions = modelVersions
        self.requestTimeoutSeconds = requestTimeoutSeconds
        self.sessionTTLSeconds = sessionTTLSeconds
        self.workspaces = workspaces
        self.models = models
        self.claudeVersion = nil
        self.claudeProbeError = nil
        self.corsOrigins = corsOrigins
        self.streamKeepaliveSeconds = streamKeepaliveSeconds
        self.remoteImages = remoteImages
        self.capturesMaxBytes = capturesMaxBytes
        self.isolation = isolation
        self.claudeEnvironment = claudeEnvironment
        self.operatorHome = operatorHome
        self.hostMCPServers = hostMCPServers
    }

    /// What `claude_environment` passes when the configuration does not set it: the API
    /// credentials and endpoint, claude's own switches, and the proxy variables.
    public static let defaultClaudeEnvironment = [
        "ANTHROPIC_*", "CLAUDE_CODE_*", "DISABLE_*", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY",
        "http_proxy", "https_proxy", "no_proxy",
    ]
}

/// A configured workspace: a directory on the server, addressed by name.
public struct WorkspaceSettings: Codable, Sendable, Equatable {
    public var path: String
    public var description: String?

    public init(path: String, description: String? = nil) {
        self.path = path
        self.description = description
    }
}

/// A model alias from the `models:` list of the configuration.
public struct ModelAlias: Codable, Sendable, Equatable {
    /// The `model` clients send; unique, no whitespace or `:`.
    public var id: String
    /// A name from `workspaces`, or nil for a fresh directory per turn.
    public var workspace: String?
    /// Given to claude before the request's system and developer messages.
    public var systemPrompt: String?
    /// Whether `systemPrompt` (with the request's messages) is appended to claude's own system
    /// prompt or replaces it. Default `append`.
    public var systemPromptMode: SystemPromptMode
    /// Used when neither `X-CC-Effort` nor `reasoning_effort` sets one.
    public var effort: Effort?
    /// The `--model` claude runs; a family name is pinned by `model_versions`.
    public var claudeModel: String?
    /// Overrides `default_permission_mode`.
    public var permissionMode: PermissionMode?

    public init(
        id: String, workspace: String? = nil, systemPrompt: String? = nil, effort: Effort? = nil,
        claudeModel: String? = nil, permissionMode: PermissionMode? = nil,
        systemPromptMode: SystemPromptMode = .append
    ) {
        self.id = id
        self.workspace = workspace
        self.systemPrompt = systemPrompt
        self.systemPromptMode = systemPromptMode
        self.effort = effort
        self.claudeModel = claudeModel
        self.permissionMode = permissionMode
    }
}
