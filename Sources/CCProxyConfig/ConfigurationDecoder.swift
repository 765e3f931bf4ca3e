import CCProxyCore
import Yams

/// Turns a composed YAML document into a `Configuration`, key by key.
///
/// Only shapes are checked here: unknown keys, wrong types, unparsable listen addresses and
/// durations. Anything not set keeps the default of `Configuration()`. Rules that relate values
/// to each other are `ConfigurationValidator`'s.
struct ConfigurationDecoder {
    /// The decoded values (defaults where a value was missing or unusable).
    private(set) var configuration = Configuration()
    /// Entries of `models` whose own shape was wrong; their semantic checks are skipped so
    /// that one mistake is not reported twice.
    private(set) var brokenModelIndices: Set<Int> = []
    /// Entries of `workspaces` whose own shape was wrong (see `brokenModelIndices`).
    private(set) var brokenWorkspaceNames: Set<String> = []
    private var reader = NodeReader()

    /// Problems found while decoding, in file order.
    var problems: [String] { reader.problems }

    /// Decodes the document root; nil (an empty file) yields the defaults.
    init(root: Node?) {
        guard let root, let entries = reader.entries(root, key: nil, allowedKeys: ConfigurationSchema.topLevelKeys)
        else { return }
        for (key, value) in entries {
            decode(key: key, value: value)
        }
    }

    private mutating func decode(key: String, value: Node) {
        switch key {
        case "listen":
            if let address = listenAddress(value, key: key) { configuration.listen = address }
        case "metrics_listen":
            configuration.metricsListen = listenAddress(value, key: key)
        case "state_dir":
            if let text = reader.nonEmptyString(value, key: key) { configuration.stateDirectory = text }
        case "claude_binary":
            if let text = reader.nonEmptyString(value, key: key) { configuration.claudeBinary = text }
        case "default_verbosity":
            if let verbosity = reader.verbosity(value, key: key) { configuration.defaultVerbosity = verbosity }
        case "default_effort":
            configuration.defaultEffort = reader.oneOf(value, key: key, as: Effort.self)
        case "default_claude_model":
            configuration.defaultClaudeModel = reader.nonEmptyString(value, key: key)
        case "default_permission_mode":
            if let mode = reader.oneOf(value, key: key, as: PermissionMode.self) {
                configuration.defaultPermissionMode = mode
            }
        case "allow_passthrough_models":
            if let flag = reader.bool(value, key: key) { configuration.allowPassthroughModels = flag }
        case "model_versions":
            decodeModelVersions(value)
        case "session_ttl":
            if let seconds = reader.duration(value, key: key) { configuration.sessionTTLSeconds = seconds }
        case "request_timeout":
            if let seconds = reader.duration(value, key: key) { configuration.requestTimeoutSeconds = seconds }
        case "tool_result_timeout":
            if let seconds = reader.duration(value, key: key) { configuration.toolResultTimeoutSeconds = seconds }
        case "workspaces":
            decodeWorkspaces(value)
        case "models":
            decodeModels(value)
        case "workers":
            decodeWorkers(value)
        case "cors_origins":
            decodeCORSOrigins(value)
        case "stream_keepalive":
            if let seconds = reader.durationAllowingZero(value, key: key) {
                configuration.streamKeepaliveSeconds = seconds
            }
        case "remote_images":
            if let flag = reader.bool(value, key: key) { configuration.remoteImages = flag }
        case "remote_images_allow_private":
            if let flag = reader.bool(value, key: key) { configuration.remoteImagesAllowPrivate = flag }
        case "captures_max_bytes":
            if let bytes = reader.integer(value, key: key) { configuration.capturesMaxBytes = bytes }
        case "user":
            if let text = reader.nonEmptyString(value, key: key) { configuration.serviceUser = text }
        case "isolation":
            if let mode = reader.oneOf(value, key: key, as: IsolationMode.self) { configuration.isolation = mode }
        case "claude_environment":
            decodeClaudeEnvironment(value)
        default:
            // Unknown keys were reported and dropped by `entries`.
            break
        }
    }

    private mutating func listenAddress(_ node: Node, key: String) -> ListenAddress? {
        guard let text = reader.nonEmptyString(node, key: key) else { return nil }
        switch ListenAddress.validated(text) {
        case .success(let address):
            return address
        case .failure(let reason):
            reader.report("\(key) \(quoted(text)): \(reason.text)")
            return nil
        }
    }

    private mutating func decodeModelVersions(_ node: Node) {
        for (family, value) in reader.entries(node, key: "model_versions", allowedKeys: nil) ?? [] {
            if let pinned = reader.string(value, key: "model_versions[\(quoted(family))]") {
                configuration.modelVersions[family] = pinned
            }
        }
    }

    private mutating func decodeWorkspaces(_ node: Node) {
        for (name, value) in reader.entries(node, key: "workspaces", allowedKeys: nil) ?? [] {
            let key = "workspaces[\(quoted(name))]"
            let problemsBefore = reader.problems.count
            var workspace = WorkspaceSettings(path: "")
            for (field, fieldValue) in reader.entries(value, key: key, allowedKeys: ConfigurationSchema.workspaceKeys) ?? [] {
                switch field {
                case "path": workspace.path = reader.string(fieldValue, key: "\(key).path") ?? ""
                default: workspace.description = reader.nonEmptyString(fieldValue, key: "\(key).description")
                }
            }
            if reader.problems.count > problemsBefore { brokenWorkspaceNames.insert(name) }
            configuration.workspaces[name] = workspace
        }
    }

    private mutating func decodeModels(_ node: Node) {
        for (index, item) in (reader.items(node, key: "models") ?? []).enumerated() {
            let key = "models[\(index)]"
            let problemsBefore = reader.problems.count
            var model = ModelAlias(id: "")
            var closedSetValues: [(field: String, value: Node)] = []
            for (field, value) in reader.entries(item, key: key, allowedKeys: ConfigurationSchema.modelKeys) ?? [] {
                let fieldKey = "\(key).\(field)"
                switch field {
                case "id": model.id = reader.string(value, key: fieldKey) ?? ""
                case "workspace": model.workspace = reader.nonEmptyString(value, key: fieldKey)
                case "system_prompt": model.systemPrompt = reader.nonEmptyString(value, key: fieldKey)
                case "claude_model": model.claudeModel = reader.nonEmptyString(value, key: fieldKey)
                default: closedSetValues.append((field, value))
                }
            }
            // A malformed entry is reported once; otherwise a bad value of a closed set is
            // reported and the entry's other checks still run.
            if reader.problems.count > problemsBefore {
                brokenModelIndices.insert(index)
                closedSetValues = []
            }
            for (field, value) in closedSetValues {
                let fieldKey = "\(key).\(field)"
                switch field {
                case "effort": model.effort = reader.oneOf(value, key: fieldKey, as: Effort.self)
                case "permission_mode": model.permissionMode = reader.oneOf(value, key: fieldKey, as: PermissionMode.self)
                default:
                    model.systemPromptMode = reader.oneOf(value, key: fieldKey, as: SystemPromptMode.self) ?? .append
                }
            }
            configuration.models.append(model)
        }
    }

    private mutating func decodeCORSOrigins(_ node: Node) {
        for (index, item) in (reader.items(node, key: "cors_origins") ?? []).enumerated() {
            let key = "cors_origins[\(index)]"
            guard let text = reader.string(item, key: key) else { continue }
            switch CORSOrigin.normalized(text) {
            case .success(let origin): configuration.corsOrigins.append(origin)
            case .failure(let problem): reader.report("\(key) \(quoted(text)) \(problem.text)")
            }
        }
    }

    /// A list of names; an empty list passes only the basics.
    private mutating func decodeClaudeEnvironment(_ node: Node) {
        guard let items = reader.items(node, key: "claude_environment") else { return }
        var names: [String] = []
        for (index, item) in items.enumerated() {
            if let name = reader.string(item, key: "claude_environment[\(index)]") { names.append(name) }
        }
        configuration.claudeEnvironment = names
    }

    private mutating func decodeWorkers(_ node: Node) {
        for (field, value) in reader.entries(node, key: "workers", allowedKeys: ConfigurationSchema.workerKeys) ?? [] {
            let key = "workers.\(field)"
            switch field {
            case "queue_timeout", "spawn_backoff", "spawn_backoff_max", "keepalive_timeout":
                guard let seconds = reader.duration(value, key: key) else { continue }
                switch field {
                case "queue_timeout": configuration.workers.queueTimeoutSeconds = seconds
                case "spawn_backoff": configuration.workers.spawnBackoffSeconds = seconds
                case "spawn_backoff_max": configuration.workers.spawnBackoffMaxSeconds = seconds
                default: configuration.workers.keepAliveTimeoutSeconds = seconds
                }
            default:
                guard let number = reader.integer(value, key: key) else { continue }
                switch field {
                case "min_idle": configuration.workers.minIdle = number
                case "max_idle": configuration.workers.maxIdle = number
                case "max": configuration.workers.maxWorkers = number
                case "max_requests": configuration.workers.maxRequestsPerWorker = number
                case "queue_length": configuration.workers.queueLength = number
                case "max_keepalive": configuration.workers.maxKeepAlive = number
                default: configuration.workers.maxWaitingPerSource = number
                }
            }
        }
    }
}
