import CCProxyConfig
import CCProxyCore
import Testing

@Suite struct ProxySettingsTests {
    @Test func defaultsMatchTheWorkerDefaults() throws {
        var expected = ProxySettings()
        expected.stateDirectory = "/var/lib/ccproxy"
        #expect(try parse("").proxySettings() == expected)
    }

    @Test func everyFieldIsMapped() throws {
        let configuration = try parse(KeysTests.everyKey)
        let settings = configuration.proxySettings()
        #expect(settings.claudeBinary == configuration.claudeBinary)
        #expect(settings.stateDirectory == "/srv/ccproxy")
        #expect(settings.defaultVerbosity == .narrated)
        #expect(settings.defaultEffort == .high)
        #expect(settings.defaultClaudeModel == "claude-sonnet-4-6")
        #expect(settings.defaultPermissionMode == .acceptEdits)
        #expect(settings.allowPassthroughModels == false)
        #expect(settings.modelVersions == configuration.modelVersions)
        #expect(settings.requestTimeoutSeconds == 5400)
        #expect(settings.sessionTTLSeconds == 900)
        #expect(settings.workspaces == configuration.workspaces)
        #expect(settings.models == configuration.models)
        #expect(settings.models.first?.systemPromptMode == .replace)
        #expect(settings.corsOrigins == ["https://chat.example.com", "http://localhost:3000"])
        #expect(settings.streamKeepaliveSeconds == 30)
        #expect(settings.remoteImages == true)
    }

    @Test func environmentReachesTheSettings() throws {
        let settings = try parse("", environment: ["CCPROXY_STATE": "/run/state"]).proxySettings()
        #expect(settings.stateDirectory == "/run/state")
    }
}
