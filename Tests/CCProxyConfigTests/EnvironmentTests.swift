import CCProxyConfig
import Testing

@Suite struct EnvironmentTests {
    @Test func stateOverridesTheFile() throws {
        let configuration = try parse("state_dir: /srv/a\n", environment: ["CCPROXY_STATE": "/srv/b"])
        #expect(configuration.stateDirectory == "/srv/b")
    }

    @Test func relativeStateIsResolvedAgainstTheCurrentDirectory() throws {
        let configuration = try parse("", environment: ["CCPROXY_STATE": "./state/../data"], currentDirectory: "/home/me")
        #expect(configuration.stateDirectory == "/home/me/data")
    }

    @Test func relativeStateDirInTheFileIsAnError() {
        #expect(problems("state_dir: var/state\n") == [#"state_dir "var/state" must be absolute"#])
    }

    @Test func relativeStateDirInTheFileIsFineWhenTheEnvironmentOverridesIt() throws {
        let configuration = try parse("state_dir: var/state\n", environment: ["CCPROXY_STATE": "/srv/state"])
        #expect(configuration.stateDirectory == "/srv/state")
    }

    @Test func stateDirIsNormalised() throws {
        #expect(try parse("state_dir: /srv//ccproxy/./x/../\n").stateDirectory == "/srv/ccproxy")
    }

    @Test func listenOverridesTheFile() throws {
        let configuration = try parse("listen: :4141\n", environment: ["CCPROXY_LISTEN": "127.0.0.1:9000"])
        #expect(configuration.listen == ListenAddress(host: "127.0.0.1", port: 9000))
    }

    @Test func metricsListenOverridesTheFile() throws {
        let configuration = try parse("", environment: ["CCPROXY_METRICS_LISTEN": "127.0.0.1:9101"])
        #expect(configuration.metricsListen == ListenAddress(host: "127.0.0.1", port: 9101))
    }

    @Test func emptyVariablesAreIgnored() throws {
        let environment = ["CCPROXY_STATE": "", "CCPROXY_LISTEN": "", "CCPROXY_METRICS_LISTEN": ""]
        #expect(try parse("listen: :5000\n", environment: environment) == Configuration(listen: ListenAddress(host: "", port: 5000)))
    }

    @Test func claudeBinaryIsNotOverridable() throws {
        let configuration = try parse("claude_binary: /usr/bin/claude\n", environment: ["CCPROXY_CLAUDE_BINARY": "/tmp/evil"])
        #expect(configuration.claudeBinary == "/usr/bin/claude")
    }

    @Test func invalidListenVariablesAreNamed() {
        let environment = ["CCPROXY_LISTEN": "nope", "CCPROXY_METRICS_LISTEN": ":70000"]
        #expect(
            problems("", environment: environment) == [
                #"CCPROXY_LISTEN "nope": missing port (expected host:port, :port or [ipv6]:port)"#,
                #"CCPROXY_METRICS_LISTEN ":70000": port "70000" must be a number from 0 to 65535"#,
            ])
    }
}
