import CCProxyCore
import Testing

/// The bubblewrap command line of a turn: what is hidden, what is writable, in which order.
@Suite struct TurnSandboxTests {
    let sandbox = TurnSandbox(
        stateDirectory: "/var/lib/ccproxy", workingDirectory: "/var/lib/ccproxy/turns/u/workspace",
        temporaryDirectory: "/var/lib/ccproxy/turns/u/tmp", claudeHome: "/var/lib/ccproxy/homes/t-1",
        readOnly: [.init(source: "/var/lib/ccproxy/.claude/settings.json", name: "settings.json")],
        hidden: ["/srv/other", "/srv/mine"], files: ["/var/lib/ccproxy/turns/u/system-prompt.md"])

    /// The index of the first occurrence of `pair` (an option and its arguments).
    func position(_ argv: [String], _ pair: [String]) -> Int? {
        argv.indices.first { argv[$0...].starts(with: pair) }
    }

    @Test func fullCommandLine() {
        let s = TurnSandbox(
            stateDirectory: "/var/lib/ccproxy", workingDirectory: "/var/lib/ccproxy/turns/u/workspace",
            temporaryDirectory: "/var/lib/ccproxy/turns/u/tmp", claudeHome: "/var/lib/ccproxy/homes/t-1")
        #expect(s.commandLine(executable: "/usr/bin/claude", arguments: ["-p"]) == [
            "bwrap", "--unshare-user", "--unshare-pid", "--unshare-ipc",
            "--disable-userns", "--die-with-parent", "--cap-drop", "ALL",
            "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
            "--tmpfs", "/var/lib/ccproxy",
            "--bind", "/var/lib/ccproxy/turns/u/tmp", "/tmp",
            "--bind", "/var/lib/ccproxy/homes/t-1", "/var/lib/ccproxy/homes/t-1",
            "--bind", "/var/lib/ccproxy/turns/u/workspace", "/var/lib/ccproxy/turns/u/workspace",
            "--chdir", "/var/lib/ccproxy/turns/u/workspace",
            "--", "/usr/bin/claude", "-p",
        ])
    }

    @Test func stateIsHiddenBeforeAnythingIsBoundIntoIt() throws {
        let argv = sandbox.commandLine(executable: "/usr/bin/claude", arguments: [])
        let hide = try #require(position(argv, ["--tmpfs", "/var/lib/ccproxy"]))
        let home = try #require(position(argv, ["--bind", "/var/lib/ccproxy/homes/t-1"]))
        let work = try #require(position(argv, ["--bind", "/var/lib/ccproxy/turns/u/workspace"]))
        let prompt = try #require(position(argv, ["--ro-bind", "/var/lib/ccproxy/turns/u/system-prompt.md"]))
        let settings = try #require(
            position(argv, ["--ro-bind-try", "/var/lib/ccproxy/.claude/settings.json", "/var/lib/ccproxy/homes/t-1/settings.json"]))
        #expect(hide < home && home < settings && hide < work && hide < prompt)
        #expect(position(argv, ["--proc", "/proc"]) != nil)
        #expect(position(argv, ["--cap-drop", "ALL"]) != nil)
        #expect(argv.contains("--disable-userns") && argv.contains("--die-with-parent"))
    }

    @Test func otherWorkspacesAreHiddenButNotTheTurnsOwn() {
        var s = sandbox
        s.workingDirectory = "/srv/mine"
        let argv = s.commandLine(executable: "/usr/bin/claude", arguments: [])
        #expect(position(argv, ["--tmpfs", "/srv/other"]) != nil)
        #expect(position(argv, ["--tmpfs", "/srv/mine"]) == nil)
        #expect(position(argv, ["--bind", "/srv/mine", "/srv/mine", "--chdir", "/srv/mine"]) != nil)
    }

    @Test func anExecutableInAHiddenPlaceIsBoundBack() {
        let inTmp = sandbox.commandLine(executable: "/tmp/x/claude", arguments: [])
        #expect(position(inTmp, ["--ro-bind", "/tmp/x", "/tmp/x"]) != nil)
        let inUsr = sandbox.commandLine(executable: "/usr/bin/claude", arguments: [])
        #expect(position(inUsr, ["--ro-bind", "/usr/bin", "/usr/bin"]) == nil)
    }

    @Test func aHelperProgramInAHiddenPlaceIsBoundBackToo() {
        var s = sandbox
        s.helperExecutables = ["/tmp/checkout/.build/debug/ccproxy-worker", "/usr/bin/helper"]
        let argv = s.commandLine(executable: "/tmp/checkout/.build/debug/claude", arguments: [])
        let bind = ["--ro-bind", "/tmp/checkout/.build/debug", "/tmp/checkout/.build/debug"]
        #expect(position(argv, bind) != nil, "the function server under /tmp would not start in the sandbox")
        #expect(argv.indices.filter { Array(argv[$0...].prefix(3)) == bind }.count == 1, "bound once for both")
        #expect(position(argv, ["--ro-bind", "/usr/bin", "/usr/bin"]) == nil)
    }

    @Test func argumentsComeAfterTheSeparatorUnchanged() {
        let argv = sandbox.commandLine(executable: "/usr/bin/claude", arguments: ["--", "--tmpfs", "/"])
        #expect(Array(argv.suffix(4)) == ["/usr/bin/claude", "--", "--tmpfs", "/"])
    }

    @Test func operatorEntries() {
        let entries = TurnSandbox.operatorEntries(configurationDirectory: "/home/op/.claude")
        #expect(entries.map(\.name) == TurnSandbox.operatorConfigurationNames)
        #expect(entries.first?.source == "/home/op/.claude/settings.json")
    }
}
