import CCProxyCore

/// The rules a decoded configuration must satisfy, checked all at once. (Closed sets such as
/// `default_verbosity` or `models[i].effort` are checked while decoding, in file order.)
///
/// Problems come in a fixed order: top-level values in documentation order, then
/// `model_versions` and `workspaces` by sorted key, `models` by index, then `workers`.
struct ConfigurationValidator {
    /// Model entries already reported as malformed; not checked again.
    var brokenModelIndices: Set<Int> = []
    /// Workspace entries already reported as malformed; not checked again, but still count as
    /// existing for `models[i].workspace`.
    var brokenWorkspaceNames: Set<String> = []

    /// Every rule the configuration breaks, as messages; empty if it is valid.
    func problems(in configuration: Configuration) -> [String] {
        var problems: [String] = []
        problems += listenerProblems(configuration)
        if !configuration.stateDirectory.hasPrefix("/") {
            problems.append("state_dir \(quoted(configuration.stateDirectory)) must be absolute")
        }
        if configuration.capturesMaxBytes < 0 {
            problems.append("captures_max_bytes (\(configuration.capturesMaxBytes)) must not be negative (0 turns capture off)")
        }
        problems += modelVersionProblems(configuration.modelVersions)
        problems += modelProblems(configuration)
        problems += workspaceProblems(configuration.workspaces)
        problems += workerProblems(configuration.workers)
        problems += isolationProblems(configuration)
        return problems
    }

    /// `user` and `claude_environment`.
    private func isolationProblems(_ configuration: Configuration) -> [String] {
        var problems: [String] = []
        if configuration.serviceUser == "root" || configuration.serviceUser == "0" {
            problems.append("user \(quoted(configuration.serviceUser)) must not be root: claude never runs as root")
        }
        for (index, name) in configuration.claudeEnvironment.enumerated() {
            if let problem = ClaudeEnvironment.problem(with: name) {
                problems.append("claude_environment[\(index)] \(quoted(name)) \(problem)")
            }
        }
        return problems
    }

    private func listenerProblems(_ configuration: Configuration) -> [String] {
        guard let metrics = configuration.metricsListen else { return [] }
        let listen = configuration.listen
        let overlaps = metrics.host == listen.host || metrics.host.isEmpty || listen.host.isEmpty
        guard metrics.port != 0, metrics.port == listen.port, overlaps else { return [] }
        return ["metrics_listen \(quoted(metrics.description)) must not use the port of listen \(quoted(listen.description))"]
    }

    private func modelVersionProblems(_ versions: [String: String]) -> [String] {
        var problems: [String] = []
        for (family, pinned) in versions.sorted(by: { $0.key < $1.key }) {
            guard ConfigurationSchema.modelFamilies.contains(family) else {
                problems.append("model_versions key \(quoted(family)) must be one of: opus, sonnet, haiku")
                continue
            }
            if !Self.isFullClaudeID(pinned) {
                problems.append(
                    "model_versions[\(quoted(family))] = \(quoted(pinned)) must be a full claude id like claude-\(family)-4-6")
            }
        }
        return problems
    }

    private func modelProblems(_ configuration: Configuration) -> [String] {
        var problems: [String] = []
        if configuration.models.isEmpty && !configuration.allowPassthroughModels {
            problems.append(
                "models[] is empty and allow_passthrough_models is false: define at least one alias or enable passthrough")
        }
        var seenIDs: Set<String> = []
        for (index, model) in configuration.models.enumerated() where !brokenModelIndices.contains(index) {
            let key = "models[\(index)]"
            if model.id.isEmpty {
                problems.append("\(key).id is empty")
            } else if model.id.contains(where: { $0.isWhitespace || $0 == ":" }) {
                problems.append(
                    "\(key).id \(quoted(model.id)) must not contain whitespace or \":\" (\":session=\" is a reserved suffix)")
            } else if !seenIDs.insert(model.id).inserted {
                problems.append("\(key).id \(quoted(model.id)) is duplicated")
            }
            if let workspace = model.workspace, configuration.workspaces[workspace] == nil,
                !brokenWorkspaceNames.contains(workspace)
            {
                problems.append("\(key).workspace \(quoted(workspace)) does not exist in workspaces")
            }
        }
        return problems
    }

    private func workspaceProblems(_ workspaces: [String: WorkspaceSettings]) -> [String] {
        var problems: [String] = []
        for (name, workspace) in workspaces.sorted(by: { $0.key < $1.key })
        where !brokenWorkspaceNames.contains(name) {
            let key = "workspaces[\(quoted(name))]"
            if name.isEmpty {
                problems.append("workspaces: a workspace name is empty")
            }
            if ReservedWorkspaceName.all.contains(name) {
                problems.append("\(key): the name is reserved (a persistent session bound to its principal's bridge)")
            }
            if workspace.path.isEmpty {
                problems.append("\(key).path is empty")
            } else if !workspace.path.hasPrefix("/") {
                problems.append("\(key).path \(quoted(workspace.path)) must be absolute")
            }
        }
        return problems
    }

    private func workerProblems(_ workers: PoolSettings) -> [String] {
        var problems: [String] = []
        if workers.minIdle < 1 {
            problems.append("workers.min_idle (\(workers.minIdle)) must be at least 1")
        }
        if workers.maxWorkers < workers.minIdle {
            problems.append("workers.max (\(workers.maxWorkers)) must be at least workers.min_idle (\(workers.minIdle))")
        }
        if workers.maxWorkers > PoolSettings.workerCeiling {
            problems.append("workers.max (\(workers.maxWorkers)) must be at most \(PoolSettings.workerCeiling)")
        }
        if workers.maxRequestsPerWorker < 1 {
            problems.append("workers.max_requests (\(workers.maxRequestsPerWorker)) must be at least 1")
        }
        if let maxIdle = workers.maxIdle, maxIdle < workers.minIdle {
            problems.append("workers.max_idle (\(maxIdle)) must be at least workers.min_idle (\(workers.minIdle))")
        }
        if workers.queueLength < 0 {
            problems.append("workers.queue_length (\(workers.queueLength)) must not be negative")
        }
        if workers.maxKeepAlive < 0 {
            problems.append("workers.max_keepalive (\(workers.maxKeepAlive)) must not be negative")
        }
        if workers.maxWaitingPerSource < 1 {
            problems.append("workers.max_waiting_per_source (\(workers.maxWaitingPerSource)) must be at least 1")
        }
        if workers.spawnBackoffSeconds > workers.spawnBackoffMaxSeconds {
            problems.append(
                "workers.spawn_backoff (\(workers.spawnBackoffSeconds)s) must not exceed workers.spawn_backoff_max (\(workers.spawnBackoffMaxSeconds)s)")
        }
        return problems
    }

    /// `claude-opus-…`, `claude-sonnet-…` or `claude-haiku-…` with something after the dash.
    private static func isFullClaudeID(_ id: String) -> Bool {
        ConfigurationSchema.modelFamilies.contains { family in
            let prefix = "claude-\(family)-"
            return id.hasPrefix(prefix) && id.count > prefix.count
        }
    }
}
