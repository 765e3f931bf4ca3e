import CCProxyConfig
import CCProxyCore
import Testing

/// `user`, `isolation` and `claude_environment`: who claude runs as and what it sees.
@Suite struct IsolationKeysTests {
    @Test func defaults() throws {
        let configuration = try parse("")
        #expect(configuration.serviceUser == "ccproxy")
        #expect(configuration.isolation == .namespaces)
        #expect(configuration.claudeEnvironment == ProxySettings.defaultClaudeEnvironment)
        #expect(configuration.proxySettings().isolation == .namespaces)
    }

    @Test func valuesReachTheWorkersSettings() throws {
        let configuration = try parse("user: svc\nisolation: none\nclaude_environment: [ANTHROPIC_API_KEY, MY_*]\n")
        #expect(configuration.serviceUser == "svc")
        let settings = configuration.proxySettings()
        #expect(settings.isolation == IsolationMode.none)
        #expect(settings.claudeEnvironment == ["ANTHROPIC_API_KEY", "MY_*"])
    }

    @Test func anEmptyListPassesOnlyTheBasics() throws {
        #expect(try parse("claude_environment: []\n").claudeEnvironment == [])
    }

    @Test func isolationIsAClosedSet() {
        #expect(problems("isolation: off\n") == ["isolation \"off\" must be one of: namespaces, none (or empty)"])
    }

    @Test func rootIsNotAServiceUser() {
        #expect(problems("user: root\n") == ["user \"root\" must not be root: claude never runs as root"])
    }

    @Test(arguments: ["CCPROXY_STATE", "CCPROXY_*", "LISTEN_FDS", "NOTIFY_SOCKET", "INVOCATION_ID", "HOME"])
    func serverVariablesCannotBePassed(name: String) {
        #expect(
            problems("claude_environment: [\(name)]\n") == [
                "claude_environment[0] \"\(name)\" names a variable claude never gets (the server's own or systemd's)"
            ])
    }

    @Test(arguments: ["", "*", "A B", "1ABC", "A*B", "A-B"])
    func malformedNamesAreRefused(name: String) {
        #expect(problems("claude_environment: [\"\(name)\"]\n").count == 1)
    }
}
