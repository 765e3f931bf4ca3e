// A claude that leaves a process behind in its group, and a client that never finishes
// its request.

import CCProxyCore
import Foundation
import Glibc
import Testing

@testable import CCProxyWorker

@Suite("Stragglers")
struct StragglerTests {
    /// claude exits, but a background process it started (same process group) still holds
    /// its stdout. The turn must end when claude does, and the group must be cleaned up.
    @Test func turnEndsWhenClaudeExitsEvenIfItsGroupStillHoldsStdout() async throws {
        let directory = NSTemporaryDirectory() + "ccproxy-worker-tests-bin-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pidFile = directory + "/straggler.pid"
        let wrapper = directory + "/claude"
        let script = """
            #!/bin/sh
            # A background tool process that inherits stdout and outlives claude.
            sleep 30 &
            echo $! > '\(pidFile)'
            exec '\(TestPaths.fakeClaude)' "$@"

            """
        try Data(script.utf8).write(to: URL(fileURLWithPath: wrapper))
        #expect(chmod(wrapper, 0o755) == 0)
        try await WorkerHarness.with(configure: { $0.claudeBinary = wrapper }) { h in
            let started = Date()
            let response: HTTPResponse
            do {
                response = try await h.exchange(Request.post("/v1/chat/completions", body: Request.chat()), timeout: 10)
            } catch {
                let pid = h.invocations().first?.pid ?? -1
                Issue.record(
                    """
                    no complete response within 10 s although the fake claude exited (\(ProcessProbe.describe(pid))); \
                    a background process of its group still holds its stdout. \(error)
                    """)
                return
            }
            let elapsed = Date().timeIntervalSince(started)
            #expect(response.status == 200, "status: \(response)")
            #expect(elapsed < 5, "the response took \(elapsed) s although claude exited at once")
            let straggler = Int32((try? String(contentsOfFile: pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? -1
            #expect(straggler > 0, "the wrapper recorded no background pid")
            try await waitUntil("the background process to be gone", timeout: 2, saw: { ProcessProbe.describe(straggler) }) {
                !ProcessProbe.isRunning(straggler)
            }
        }
    }

    /// A request that never completes is dropped after `Limits.requestReadTimeoutSeconds`.
    @Test(.timeLimit(.minutes(1)))
    func incompleteRequestIsDroppedAfterTheReadTimeout() async throws {
        try await WorkerHarness.with { h in
            let connection = try await h.open()
            defer { connection.close() }
            let started = Date()
            _ = await connection.write(Array("GET /healthz HTTP/1.1\r\nHost: test\r\n".utf8))
            let result = try await connection.read(timeout: Limits.requestReadTimeoutSeconds + 10)
            let elapsed = Date().timeIntervalSince(started)
            #expect(result.eof, "no EOF")
            #expect(
                elapsed >= Limits.requestReadTimeoutSeconds - 1 && elapsed < Limits.requestReadTimeoutSeconds + 5,
                "the connection was dropped after \(elapsed) s (limit \(Limits.requestReadTimeoutSeconds) s)")
            try await waitUntil("ConnectionServer.serve to return after the read timeout", timeout: 5) { connection.isServed }
        }
    }
}
