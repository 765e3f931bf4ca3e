import CCProxyConfig
import CCProxyCore
import Testing

@Suite struct DefaultsTests {
    @Test(arguments: ["", "{}", "# only a comment\n", "---\n", "~\n", "\n\n"])
    func emptyDocumentsYieldDefaults(yaml: String) throws {
        #expect(try parse(yaml) == Configuration())
    }

    @Test func defaultValues() throws {
        let configuration = try parse("")
        #expect(configuration.listen == ListenAddress(host: "", port: 4141))
        #expect(configuration.metricsListen == nil)
        #expect(configuration.stateDirectory == "/var/lib/ccproxy")
        #expect(configuration.claudeBinary == "claude")
        #expect(configuration.defaultVerbosity == .textOnly)
        #expect(configuration.defaultEffort == nil)
        #expect(configuration.defaultClaudeModel == nil)
        #expect(configuration.defaultPermissionMode == .bypassPermissions)
        #expect(configuration.allowPassthroughModels)
        #expect(configuration.modelVersions.isEmpty)
        #expect(configuration.sessionTTLSeconds == 1800)
        #expect(configuration.requestTimeoutSeconds == 600)
        #expect(configuration.workspaces.isEmpty)
        #expect(configuration.models.isEmpty)
        #expect(configuration.workers == PoolSettings(minIdle: 2, maxWorkers: 32, maxRequestsPerWorker: 1000))
        #expect(configuration.sourcePath == nil)
        #expect(configuration.corsOrigins.isEmpty)
        #expect(configuration.streamKeepaliveSeconds == 15)
        #expect(configuration.remoteImages == false)
    }

    @Test func passthroughOnlyConfigIsValid() throws {
        #expect(try parse("allow_passthrough_models: true\n").allowPassthroughModels)
    }

    @Test func emptyStringsMeanTheDefault() throws {
        let yaml = """
            listen: ""
            metrics_listen: ""
            state_dir: ""
            claude_binary: ""
            default_verbosity: ""
            default_effort: ""
            default_claude_model: ""
            default_permission_mode: ""
            """
        #expect(try parse(yaml) == Configuration())
    }

    @Test func nullValuesMeanTheDefault() throws {
        let yaml = """
            listen:
            session_ttl: ~
            request_timeout: null
            allow_passthrough_models:
            workspaces:
            models:
            workers:
            model_versions:
            """
        #expect(try parse(yaml) == Configuration())
    }

    @Test func zeroDurationsMeanTheDefault() throws {
        let configuration = try parse("session_ttl: 0\nrequest_timeout: 0s\n")
        #expect(configuration.sessionTTLSeconds == 1800)
        #expect(configuration.requestTimeoutSeconds == 600)
    }

    @Test func workersKeysDefaultIndividually() throws {
        let configuration = try parse("workers: {max: 8}\n")
        #expect(configuration.workers == PoolSettings(minIdle: 2, maxWorkers: 8, maxRequestsPerWorker: 1000))
    }
}
