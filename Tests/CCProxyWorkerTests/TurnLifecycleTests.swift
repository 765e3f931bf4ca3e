// The turn's surroundings: system prompt file, configured workspaces, and a non-streaming
// client that goes away mid-turn.

import CCProxyCore
import CCProxyWire
import Foundation
import Testing

@testable import CCProxyWorker

@Suite("Turn lifecycle")
struct TurnLifecycleTests {
    @Test func systemPromptGoesToAPrivateFileNotArgv() async throws {
        try await WorkerHarness.with { h in
            let system = "system-secret-\(UUID().uuidString)"
            let body =
                #"{"model":"sonnet","messages":[{"role":"system","content":"\#(system)"},{"role":"user","content":"hi"}]}"#
            let response = try await h.exchange(Request.post("/v1/chat/completions", body: body))
            #expect(response.status == 200, "status: \(response)")
            let invocation = try #require(h.invocations().first, "the fake claude logged no invocation")
            let argv = invocation.argv
            #expect(!argv.contains { $0.contains(system) }, "the system prompt is on the command line: \(argv)")
            #expect(!invocation.stdin.contains(system), "the system prompt went to stdin: \(invocation.stdin)")
            let flag = try #require(argv.firstIndex(of: "--append-system-prompt-file"), "no --append-system-prompt-file in \(argv)")
            #expect(flag + 1 < argv.count, "argv: \(argv)")
            guard flag + 1 < argv.count else { return }
            let file = argv[flag + 1]
            #expect(file.hasPrefix(h.stateDirectory + "/turns/"), "prompt file \(file) is not under the turns directory")
            #expect(!FileManager.default.fileExists(atPath: file), "the prompt file \(file) is still there after the response")
        }
    }

    @Test func unknownWorkspaceIs400() async throws {
        try await WorkerHarness.with { h in
            let response = try await h.exchange(
                Request.post("/v1/chat/completions", body: Request.chat(), headers: ["X-CC-Workspace: nowhere"]))
            #expect(response.status == 400, "status: \(response)")
            #expect(try response.openAIError()["code"] as? String == "unknown_workspace", "body: \(response.text)")
            #expect(h.invocations().isEmpty, "claude was started: \(h.invocations().map(\.argv))")
        }
    }

    @Test func configuredWorkspaceNeedsScopeAndSurvivesTheTurn() async throws {
        let directory = NSTemporaryDirectory() + "ccproxy-worker-tests-ws-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data("keep me\n".utf8).write(to: URL(fileURLWithPath: directory + "/file.txt"))
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await WorkerHarness.with(configure: { $0.workspaces = ["proj": WorkspaceSettings(path: directory)] }) { h in
            let refused = try await h.exchange(
                Request.post("/v1/chat/completions", body: Request.chat(), headers: ["X-CC-Workspace: proj"]))
            #expect(refused.status == 403, "without workspace scope: \(refused)")
            #expect(h.invocations().isEmpty, "claude was started without the scope: \(h.invocations().map(\.argv))")

            let response = try await h.exchange(
                Request.post(
                    "/v1/chat/completions", body: Request.chat(), bearer: FakeSupervisor.workspaceBearer,
                    headers: ["X-CC-Workspace: proj"]))
            #expect(response.status == 200, "with workspace:*: \(response)")
            let invocation = try #require(h.invocations().first, "the fake claude logged no invocation")
            let cwd = URL(fileURLWithPath: invocation.cwd).resolvingSymlinksInPath().path
            #expect(cwd == URL(fileURLWithPath: directory).resolvingSymlinksInPath().path, "cwd \(invocation.cwd), workspace \(directory)")
            #expect(FileManager.default.fileExists(atPath: directory + "/file.txt"), "the configured workspace was removed")
            let left = (try? FileManager.default.contentsOfDirectory(atPath: h.stateDirectory + "/turns")) ?? []
            #expect(left.isEmpty, "left under turns/: \(left)")
            try await waitUntil("turnFinished for the workspace token", timeout: 5, saw: { "\(h.supervisor.messages)" }) {
                h.supervisor.messages.contains {
                    if case .turnFinished(let token, _, _) = $0 { return token == FakeSupervisor.workspaceGrant.tokenID }
                    return false
                }
            }
        }
    }

    @Test func clientDisconnectDuringNonStreamingTurnStopsClaude() async throws {
        try await WorkerHarness.with(fixture: "slow-stream.ndjson", environment: ["FAKE_CLAUDE_DELAY_MS=400"]) { h in
            let connection = try await h.open()
            defer { connection.close() }
            let request = Request.post("/v1/chat/completions", body: Request.chat(model: "haiku"))
            let written = await connection.write(Array(request.utf8))
            #expect(written.error == nil, "writing the request failed: \(written.error ?? "")")
            try await waitUntil("the fake claude to start", timeout: 10, saw: { "\(h.supervisor.messages)" }) {
                !h.invocations().isEmpty
            }
            let pid = try #require(h.invocations().first?.pid)
            #expect(ProcessProbe.isRunning(pid), "not running before the disconnect: \(ProcessProbe.describe(pid))")
            connection.close()
            try await waitUntil("the fake claude (pid \(pid)) to be gone after the disconnect", timeout: 2, saw: { ProcessProbe.describe(pid) }) {
                !ProcessProbe.isRunning(pid) && !ProcessProbe.groupExists(pid)
            }
            try await waitUntil("ConnectionServer.serve to return after the disconnect", timeout: 2) { connection.isServed }
            #expect(h.supervisor.messages.contains(.turnEnded), "\(h.supervisor.messages)")
            let left = (try? FileManager.default.contentsOfDirectory(atPath: h.stateDirectory + "/turns")) ?? []
            #expect(left.isEmpty, "left under turns/: \(left)")
        }
    }
}
