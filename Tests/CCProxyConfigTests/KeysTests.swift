import CCProxyConfig
import CCProxyCore
import Testing

@Suite struct KeysTests {
    static let everyKey = """
        listen: 127.0.0.1:8080
        metrics_listen: "[::1]:9101"
        state_dir: /srv/ccproxy/
        claude_binary: /opt/claude/bin/claude
        default_verbosity: narrated
        default_effort: high
        default_claude_model: claude-sonnet-4-6
        default_permission_mode: acceptEdits
        allow_passthrough_models: false
        model_versions:
          sonnet: claude-sonnet-4-6
          haiku: claude-haiku-4-5
        session_ttl: 15m
        request_timeout: 1h30m
        workspaces:
          repo:
            path: /srv/repo
            description: The main repository
          scratch:
            path: /srv/scratch
        models:
          - id: claude-code
            workspace: repo
            system_prompt: Be brief.
            effort: max
            claude_model: opus
            permission_mode: plan
            system_prompt_mode: replace
          - id: plain
        workers:
          min_idle: 4
          max: 64
          max_requests: 250
        cors_origins: [https://chat.example.com, "http://LocalHost:3000"]
        stream_keepalive: 30s
        remote_images: true
        """

    @Test func everyKeyIsParsed() throws {
        let expected = Configuration(
            listen: ListenAddress(host: "127.0.0.1", port: 8080),
            metricsListen: ListenAddress(host: "::1", port: 9101),
            stateDirectory: "/srv/ccproxy",
            claudeBinary: "/opt/claude/bin/claude",
            defaultVerbosity: .narrated,
            defaultEffort: .high,
            defaultClaudeModel: "claude-sonnet-4-6",
            defaultPermissionMode: .acceptEdits,
            allowPassthroughModels: false,
            modelVersions: ["sonnet": "claude-sonnet-4-6", "haiku": "claude-haiku-4-5"],
            sessionTTLSeconds: 900,
            requestTimeoutSeconds: 5400,
            workspaces: [
                "repo": WorkspaceSettings(path: "/srv/repo", description: "The main repository"),
                "scratch": WorkspaceSettings(path: "/srv/scratch"),
            ],
            models: [
                ModelAlias(
                    id: "claude-code", workspace: "repo", systemPrompt: "Be brief.", effort: .max,
                    claudeModel: "opus", permissionMode: .plan, systemPromptMode: .replace),
                ModelAlias(id: "plain"),
            ],
            workers: PoolSettings(minIdle: 4, maxWorkers: 64, maxRequestsPerWorker: 250),
            corsOrigins: ["https://chat.example.com", "http://localhost:3000"],
            streamKeepaliveSeconds: 30,
            remoteImages: true)
        #expect(try parse(Self.everyKey) == expected)
    }

    @Test func modelsKeepFileOrder() throws {
        let configuration = try parse("models: [{id: b}, {id: a}, {id: c}]\n")
        #expect(configuration.models.map(\.id) == ["b", "a", "c"])
    }

    @Test func scalarsAreReadAsWritten() throws {
        let configuration = try parse("default_claude_model: 123\nmodels: [{id: 42, system_prompt: yes}]\n")
        #expect(configuration.defaultClaudeModel == "123")
        #expect(configuration.models == [ModelAlias(id: "42", systemPrompt: "yes")])
    }

    @Test(arguments: [("true", true), ("false", false), ("yes", true), ("off", false), ("\"true\"", true)])
    func booleanSpellings(text: String, value: Bool) throws {
        #expect(try parse("allow_passthrough_models: \(text)\nmodels: [{id: a}]\n").allowPassthroughModels == value)
    }

    @Test func quotedIntegersAreAcceptedForWorkers() throws {
        #expect(try parse("workers: {min_idle: \"3\"}\n").workers.minIdle == 3)
    }

    @Test func everyPermissionModeIsAccepted() throws {
        for mode in ["acceptEdits", "bypassPermissions", "default", "dontAsk", "plan", "auto"] {
            let configuration = try parse("default_permission_mode: \(mode)\nmodels: [{id: a, permission_mode: \(mode)}]\n")
            #expect(configuration.defaultPermissionMode?.rawValue == mode)
            #expect(configuration.models.first?.permissionMode?.rawValue == mode)
        }
    }

    @Test func everyVerbosityAndEffortIsAccepted() throws {
        for verbosity in ["text-only", "verbose", "narrated"] {
            #expect(try parse("default_verbosity: \(verbosity)\n").defaultVerbosity.rawValue == verbosity)
        }
        for effort in ["low", "medium", "high", "xhigh", "max"] {
            #expect(try parse("default_effort: \(effort)\n").defaultEffort?.rawValue == effort)
        }
    }

    @Test func aModelIdMayBeAFamilyName() throws {
        #expect(try parse("models: [{id: haiku}]\n").models.map(\.id) == ["haiku"])
    }

    @Test func anchorsAndAliasesAreResolved() throws {
        let yaml = """
            workspaces:
              repo: &repo {path: /srv/repo}
              copy: *repo
            """
        #expect(try parse(yaml).workspaces["copy"] == WorkspaceSettings(path: "/srv/repo"))
    }
}

@Suite struct PoolKeysTests {
    func parse(_ yaml: String) throws(ConfigurationError) -> Configuration {
        try ConfigurationLoader.parse(yaml: yaml, environment: [:], currentDirectory: "/")
    }

    @Test func everyWorkersKeyIsRead() throws {
        let workers = try parse(
            """
            workers:
              min_idle: 3
              max_idle: 5
              max: 9
              max_requests: 7
              queue_length: 4
              queue_timeout: 2s
              spawn_backoff: 250ms
              spawn_backoff_max: 1m
              keepalive_timeout: 15s
              max_keepalive: 0
              max_waiting_per_source: 8
            """
        ).workers
        #expect(
            workers
                == PoolSettings(
                    minIdle: 3, maxIdle: 5, maxWorkers: 9, maxRequestsPerWorker: 7, queueLength: 4, queueTimeoutSeconds: 2,
                    spawnBackoffSeconds: 0.25, spawnBackoffMaxSeconds: 60, keepAliveTimeoutSeconds: 15, maxKeepAlive: 0,
                    maxWaitingPerSource: 8))
    }

    @Test func badWorkersValuesAreAllReported() {
        do {
            _ = try parse("workers: {min_idle: 3, max_idle: 2, queue_length: -1, max_waiting_per_source: 0, spawn_backoff: 20s}\n")
            Issue.record("accepted")
        } catch {
            let text = error.problems.joined(separator: "\n")
            for key in ["max_idle", "queue_length", "max_waiting_per_source", "spawn_backoff"] {
                #expect(text.contains("workers.\(key)"), "\(key) not reported in: \(text)")
            }
        }
    }
}
