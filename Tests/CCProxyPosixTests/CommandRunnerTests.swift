import CCProxyPosix
import Glibc
import Testing

/// CommandRunner spawns children, so its tests join the serialized spawner suite.
extension ProcessSpawnerTests {
    @Test("CommandRunner captures stdout and the exit status")
    func commandRunnerOutput() throws {
        let outcome = try CommandRunner.run(
            executable: "/bin/sh", arguments: ["-c", "echo hello; echo err >&2; exit 3"], environment: [], timeoutSeconds: 5)
        #expect(outcome.status == .exited(3))
        #expect(outcome.output == "hello\n", "stderr is not captured")
        expectNoChildren()
    }

    @Test("CommandRunner passes argv[0] = executable and the environment")
    func commandRunnerArguments() throws {
        let outcome = try CommandRunner.run(
            executable: "/bin/sh", arguments: ["-c", "echo \"$0 $X\""], environment: ["X=yes"], timeoutSeconds: 5)
        #expect(outcome.status == .exited(0))
        #expect(outcome.output == "/bin/sh yes\n")
    }

    @Test("CommandRunner throws for a missing executable and leaves no child")
    func commandRunnerMissing() {
        #expect(throws: PosixError("spawn /nonexistent/ccp-tool", errno: ENOENT)) {
            try CommandRunner.run(executable: "/nonexistent/ccp-tool", arguments: [], environment: [], timeoutSeconds: 1)
        }
        expectNoChildren()
    }

    @Test("CommandRunner kills a command that outlives its timeout, with its whole group")
    func commandRunnerTimeout() throws {
        let start = monotonicSeconds()
        let outcome = try CommandRunner.run(
            executable: "/bin/sh", arguments: ["-c", "echo started; sleep 30 & wait"], environment: [], timeoutSeconds: 0.5)
        let elapsed = monotonicSeconds() - start
        #expect(outcome.status == .signaled(SIGKILL, coreDumped: false))
        #expect(outcome.output == "started\n")
        #expect(elapsed < 5)
        expectNoChildren()
    }

    @Test("CommandRunner keeps at most maxOutputBytes of output")
    func commandRunnerOutputLimit() throws {
        let outcome = try CommandRunner.run(
            executable: "/bin/sh", arguments: ["-c", "head -c 20000 /dev/zero | tr '\\0' a"], environment: ["PATH=/usr/bin:/bin"],
            timeoutSeconds: 10, maxOutputBytes: 1000)
        #expect(outcome.status == .exited(0))
        #expect(outcome.output.utf8.count == 1000)
        #expect(outcome.output == String(repeating: "a", count: 1000))
    }

    @Test("CommandRunner does not count time it spent reading as elapsed poll timeouts")
    func commandRunnerChattyCommand() throws {
        // ~100 reads of 4 KiB, produced in milliseconds: must not use up a 2 s budget.
        let start = monotonicSeconds()
        let outcome = try CommandRunner.run(
            executable: "/bin/sh", arguments: ["-c", "head -c 400000 /dev/zero"], environment: ["PATH=/usr/bin:/bin"],
            timeoutSeconds: 2)
        let elapsed = monotonicSeconds() - start
        #expect(outcome.status == .exited(0), "a fast command was killed after \(elapsed) s")
        #expect(elapsed < 1.5)
    }

    @Test("CommandRunner enforces the timeout even after the command closed its stdout")
    func commandRunnerClosedStdout() throws {
        let start = monotonicSeconds()
        let outcome = try CommandRunner.run(
            executable: "/bin/sh", arguments: ["-c", "exec >/dev/null; sleep 4"], environment: ["PATH=/usr/bin:/bin"],
            timeoutSeconds: 0.5)
        let elapsed = monotonicSeconds() - start
        #expect(elapsed < 2.5, "returned after \(elapsed) s for a 0.5 s timeout")
        #expect(outcome.status == .signaled(SIGKILL, coreDumped: false))
        expectNoChildren()
    }
}
