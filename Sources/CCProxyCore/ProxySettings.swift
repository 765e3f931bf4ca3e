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
    /// `text-only`, `verbose` or `narrated`.
    public var defaultVerbosity: String
    /// `low|medium|high|xhigh|max`, or nil to leave it to claude.
    public var defaultEffort: String?
    /// Used when an alias sets no `claude_model`; nil lets claude choose.
    public var defaultClaudeModel: String?
    /// Passed as `--permission-mode` unless an alias overrides it; nil passes nothing.
    public var defaultPermissionMode: String?
    /// Whether `opus`, `sonnet`, `haiku` and full `claude-…` ids are accepted as `model`.
    public var allowPassthroughModels: Bool
    /// Pins for the family names, e.g. `sonnet → claude-sonnet-4-6`.
    public var modelVersions: [String: String]
    /// Wall-clock limit for one turn, in seconds.
    public var requestTimeoutSeconds: Double
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

    public init(
        claudeBinary: String = "claude",
        stateDirectory: String = "/var/lib/ccproxy",
        defaultVerbosity: String = "text-only",
        defaultEffort: String? = nil,
        defaultClaudeModel: String? = nil,
        defaultPermissionMode: String? = "bypassPermissions",
        allowPassthroughModels: Bool = true,
        modelVersions: [String: String] = [:],
        requestTimeoutSeconds: Double = 600,
        sessionTTLSeconds: Double = 1800,
        workspaces: [String: WorkspaceSettings] = [:],
        models: [ModelAlias] = []
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
    }
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
    public var id: String
    public var workspace: String?
    public var systemPrompt: String?
    public var effort: String?
    public var claudeModel: String?
    public var permissionMode: String?

    public init(
        id: String, workspace: String? = nil, systemPrompt: String? = nil, effort: String? = nil,
        claudeModel: String? = nil, permissionMode: String? = nil
    ) {
        self.id = id
        self.workspace = workspace
        self.systemPrompt = systemPrompt
        self.effort = effort
        self.claudeModel = claudeModel
        self.permissionMode = permissionMode
    }
}
