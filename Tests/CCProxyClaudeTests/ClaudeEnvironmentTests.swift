import CCProxyCore
import Testing

/// The environment allow-list of a turn's claude.
@Suite struct ClaudeEnvironmentTests {
    let server = [
        "PATH=/usr/bin:/bin", "LANG=C.UTF-8", "LC_ALL=C", "TZ=UTC", "TERM=xterm",
        "CCPROXY_STATE=/var/lib/ccproxy", "CCPROXY_TOKEN=ccp_secret", "LISTEN_FDS=1", "LISTEN_PID=7",
        "NOTIFY_SOCKET=/run/systemd/notify", "INVOCATION_ID=abc", "JOURNAL_STREAM=8:9",
        "ANTHROPIC_API_KEY=k", "ANTHROPIC_BASE_URL=http://127.0.0.1:1", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1",
        "HOME=/root", "TMPDIR=/tmp/server", "IS_SANDBOX=1", "AWS_SECRET_ACCESS_KEY=x", "HTTPS_PROXY=http://proxy:3128",
        "malformed",
    ]
    let turn: [(name: String, value: String)] = [
        ("HOME", "/s/homes/t-1"), ("CLAUDE_CONFIG_DIR", "/s/homes/t-1"), ("TMPDIR", "/tmp"),
    ]

    @Test func defaultListPassesCredentialsAndBasicsOnly() {
        let env = ClaudeEnvironment(passed: ProxySettings.defaultClaudeEnvironment).filter(server, turn: turn)
        #expect(env == [
            "PATH=/usr/bin:/bin", "LANG=C.UTF-8", "LC_ALL=C", "TZ=UTC", "TERM=xterm",
            "ANTHROPIC_API_KEY=k", "ANTHROPIC_BASE_URL=http://127.0.0.1:1", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1",
            "HTTPS_PROXY=http://proxy:3128",
            "HOME=/s/homes/t-1", "CLAUDE_CONFIG_DIR=/s/homes/t-1", "TMPDIR=/tmp",
        ])
    }

    @Test func deniedNamesNeverPassEvenWhenListed() {
        let env = ClaudeEnvironment(passed: ["CCPROXY_*", "LISTEN_FDS", "NOTIFY_SOCKET", "IS_SANDBOX"]).filter(server, turn: [])
        #expect(!env.contains { $0.hasPrefix("CCPROXY_") || $0.hasPrefix("LISTEN_") || $0.hasPrefix("NOTIFY_") })
        #expect(!env.contains("IS_SANDBOX=1"))
    }

    @Test func anEmptyListPassesOnlyBasicsAndTheTurnsOwn() {
        let env = ClaudeEnvironment(passed: []).filter(server, turn: turn)
        #expect(env == ["PATH=/usr/bin:/bin", "LANG=C.UTF-8", "LC_ALL=C", "TZ=UTC", "TERM=xterm"] + [
            "HOME=/s/homes/t-1", "CLAUDE_CONFIG_DIR=/s/homes/t-1", "TMPDIR=/tmp",
        ])
    }

    @Test func exactNamesAndPrefixes() {
        let env = ClaudeEnvironment(passed: ["AWS_SECRET_ACCESS_KEY"]).filter(server, turn: [])
        #expect(env.contains("AWS_SECRET_ACCESS_KEY=x"))
        #expect(!env.contains("ANTHROPIC_API_KEY=k"))
    }

    @Test func problems() {
        #expect(ClaudeEnvironment.problem(with: "ANTHROPIC_*") == nil)
        #expect(ClaudeEnvironment.problem(with: "MY_VAR") == nil)
        #expect(ClaudeEnvironment.problem(with: "CCPROXY_TOKEN") != nil)
        #expect(ClaudeEnvironment.problem(with: "CCPROXY") != nil)
        #expect(ClaudeEnvironment.problem(with: "SYSTEMD_X") != nil)
        #expect(ClaudeEnvironment.problem(with: "*") != nil)
        #expect(ClaudeEnvironment.problem(with: "") != nil)
    }
}
