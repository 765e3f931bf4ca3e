// POST /v1/chat/completions end to end: request → fake claude → OpenAI response, and what
// the supervisor is told about the turn.

import CCProxyCore
import CCProxyWire
import Foundation
import Glibc
import Testing

@testable import CCProxyWorker

/// Decodes one event-stream payload as a JSON object.
func eventJSON(_ payload: String) -> [String: Any]? {
    try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any]
}

func firstChoice(_ chunk: [String: Any]) -> [String: Any]? {
    (chunk["choices"] as? [[String: Any]])?.first
}

@Suite("Chat completions through the worker")
struct ChatCompletionsTests {
    @Test func nonStreamingTurnAnswersPongAndReportsUsage() async throws {
        try await WorkerHarness.with(fixture: "text.ndjson") { h in
            let response = try await h.exchange(Request.post("/v1/chat/completions", body: Request.chat()))
            #expect(response.status == 200, "status: \(response)")
            let body = try response.json()
            #expect(body["object"] as? String == "chat.completion", "body: \(response.text)")
            let message = try #require(firstChoice(body)?["message"] as? [String: Any], "no message: \(response.text)")
            #expect(message["role"] as? String == "assistant", "message: \(message)")
            #expect(message["content"] as? String == "pong", "message: \(message)")
            #expect(firstChoice(body)?["finish_reason"] as? String == "stop", "body: \(response.text)")
            let usage = try #require(body["usage"] as? [String: Any], "no usage: \(response.text)")
            #expect(usage["prompt_tokens"] as? Int == 10, "usage: \(usage)")
            #expect(usage["completion_tokens"] as? Int == 5, "usage: \(usage)")

            try await waitUntil("turnFinished from the worker", timeout: 5, saw: { "\(h.supervisor.messages)" }) {
                h.supervisor.messages.contains { if case .turnFinished = $0 { true } else { false } }
            }
            let messages = h.supervisor.messages
            let turnMessages = messages.filter {
                switch $0 {
                case .turnStarted, .turnEnded, .turnFinished: true
                default: false
                }
            }
            #expect(turnMessages.count == 3, "turn messages: \(turnMessages)")
            guard turnMessages.count == 3 else { return }
            guard case .turnStarted(let group) = turnMessages[0] else {
                Issue.record("first turn message is not turnStarted: \(turnMessages)")
                return
            }
            let invocation = try #require(h.invocations().first, "the fake claude logged no invocation")
            #expect(group == invocation.pid, "turnStarted group \(group), fake claude pid \(invocation.pid)")
            // Usage is billed as soon as claude's result is read, before the answer is sent (so
            // the supervisor knows it before the client's next request); the group is reported
            // gone after claude has exited.
            #expect(
                turnMessages[1] == .turnFinished(tokenID: FakeSupervisor.grant.tokenID, inputTokens: 10, outputTokens: 5),
                "turn messages: \(turnMessages)")
            #expect(turnMessages[2] == .turnEnded, "turn messages: \(turnMessages)")
            #expect(h.supervisor.protocolProblems.isEmpty, "\(h.supervisor.protocolProblems)")
        }
    }

    @Test func streamingTurnSendsChunksThenDone() async throws {
        try await WorkerHarness.with(fixture: "slow-stream.ndjson") { h in
            let response = try await h.exchange(
                Request.post("/v1/chat/completions", body: Request.chat(model: "haiku", stream: true)))
            #expect(response.status == 200, "status: \(response)")
            #expect(response.header("Content-Type") == "text/event-stream", "headers: \(response.headers)")
            #expect(response.header("Connection") == nil, "HTTP/1.1 keep-alive: no Connection header; headers: \(response.headers)")
            #expect(response.header("X-Request-Id") != nil, "headers: \(response.headers)")
            let events = response.events
            #expect(events.last == "[DONE]", "events: \(events)")
            #expect(events.filter { $0 == "[DONE]" }.count == 1, "events: \(events)")
            let chunks = events.dropLast().map { eventJSON($0) }
            #expect(chunks.count >= 3 && chunks.allSatisfy { $0 != nil }, "events: \(events)")
            let objects = chunks.compactMap { $0 }
            guard let first = objects.first, let last = objects.last else { return }
            #expect(objects.allSatisfy { $0["object"] as? String == "chat.completion.chunk" }, "events: \(events)")
            let firstDelta = firstChoice(first)?["delta"] as? [String: Any]
            #expect(firstDelta?["role"] as? String == "assistant", "first chunk: \(events.first ?? "")")
            let reason = firstChoice(last)?["finish_reason"] as? String
            #expect(reason == "stop", "terminal chunk: \(events.dropLast().last ?? "")")
            let text = objects.compactMap { (firstChoice($0)?["delta"] as? [String: Any])?["content"] as? String }.joined()
            #expect(text == (0..<20).map { "w\($0) " }.joined(), "streamed text: \(text.debugDescription)")
            #expect(
                objects.dropLast().allSatisfy { firstChoice($0)?["finish_reason"] == nil || firstChoice($0)?["finish_reason"] is NSNull },
                "a non-terminal chunk has a finish_reason: \(events)")

            try await waitUntil("turnFinished from the worker", timeout: 5, saw: { "\(h.supervisor.messages)" }) {
                h.supervisor.messages.contains {
                    $0 == .turnFinished(tokenID: FakeSupervisor.grant.tokenID, inputTokens: 10, outputTokens: 5)
                }
            }
            #expect(h.supervisor.messages.contains(.turnEnded), "\(h.supervisor.messages)")
        }
    }

    @Test(arguments: [
        ("bad JSON", #"{"model":"sonnet","messages":[{"role":"user","content":"hi"}"#, 400, "invalid_request_error"),
        ("empty messages", #"{"model":"sonnet","messages":[]}"#, 400, "invalid_request_error"),
        ("unknown model", #"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#, 404, "invalid_request_error"),
    ])
    func invalidRequestsAreRefusedWithoutStartingClaude(_ label: String, _ body: String, _ status: Int, _ type: String)
        async throws
    {
        try await WorkerHarness.with { h in
            let response = try await h.exchange(Request.post("/v1/chat/completions", body: body))
            #expect(response.status == status, "\(label): \(response)")
            let error = try response.openAIError()
            #expect(error["type"] as? String == type, "\(label): \(response.text)")
            if status == 404 {
                #expect(error["code"] as? String == "model_not_found", "\(label): \(response.text)")
            }
            #expect(h.invocations().isEmpty, "\(label): claude was started: \(h.invocations().map(\.argv))")
            #expect(
                !h.supervisor.messages.contains { if case .turnStarted = $0 { true } else { false } },
                "\(label): \(h.supervisor.messages)")
        }
    }

    @Test func bodyOverFourMiBIs413NotAReset() async throws {
        try await WorkerHarness.with { h in
            let size = Limits.maxRequestBodyBytes + 1024 * 1024
            let head =
                "POST /v1/chat/completions HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer good\r\n"
                + "Content-Type: application/json\r\nContent-Length: \(size)\r\n\r\n"
            let connection = try await h.open()
            defer { connection.close() }
            // The head first, then the body in pieces, while the response is being read.
            let headWrite = await connection.write(Array(head.utf8))
            #expect(headWrite.error == nil, "writing the head failed: \(headWrite.error ?? "")")
            async let bodyWrite: (written: Int, error: String?) = {
                var total = 0
                let piece = [UInt8](repeating: UInt8(ascii: "x"), count: 256 * 1024)
                while total < size {
                    let result = await connection.write(Array(piece.prefix(size - total)))
                    total += result.written
                    if let error = result.error { return (total, error) }
                }
                return (total, nil)
            }()
            let raw = try await connection.read(timeout: 20)
            let written = await bodyWrite
            let response = try HTTPResponse.parse(raw.bytes)
            #expect(raw.eof, "no EOF after the 413")
            #expect(response.status == 413, "status: \(response); body bytes written: \(written)")
            let error = try response.openAIError()
            #expect(error["code"] as? String == "request_too_large", "error: \(response.text)")
            #expect(response.header("Connection")?.lowercased() == "close", "headers: \(response.headers)")
            #expect(h.invocations().isEmpty, "claude was started: \(h.invocations().map(\.argv))")
            try await waitUntil("serve to return after the 413", timeout: 5) { connection.isServed }
        }
    }

    @Test func upstreamAPIErrorIs502WhenNotStreaming() async throws {
        try await WorkerHarness.with(fixture: "api-error-400.ndjson", environment: ["FAKE_CLAUDE_EXIT=1"]) { h in
            let response = try await h.exchange(Request.post("/v1/chat/completions", body: Request.chat(model: "opus")))
            #expect(response.status == 502, "status: \(response)")
            let error = try response.openAIError()
            #expect(error["type"] as? String == "upstream_error", "error: \(response.text)")
            #expect((error["message"] as? String)?.isEmpty == false, "error: \(response.text)")
            try await waitUntil("turnEnded from the worker", timeout: 5, saw: { "\(h.supervisor.messages)" }) {
                h.supervisor.messages.contains(.turnEnded)
            }
        }
    }

    @Test func upstreamAPIErrorEndsStreamWithErrorEventBeforeDone() async throws {
        try await WorkerHarness.with(fixture: "api-error-400.ndjson", environment: ["FAKE_CLAUDE_EXIT=1"]) { h in
            let response = try await h.exchange(
                Request.post("/v1/chat/completions", body: Request.chat(model: "opus", stream: true)))
            #expect(response.status == 200, "status: \(response)")
            let events = response.events
            #expect(events.last == "[DONE]", "events: \(events)")
            guard events.count >= 2 else {
                Issue.record("expected an error event and [DONE]; events: \(events)")
                return
            }
            let errorEvent = eventJSON(events[events.count - 2])
            let error = errorEvent?["error"] as? [String: Any]
            #expect(error?["type"] as? String == "upstream_error", "event before [DONE]: \(events[events.count - 2])")
            #expect(
                (error?["message"] as? String)?.contains("status 400") == true, "event before [DONE]: \(events[events.count - 2])")
            // No finish reason anywhere: a failed turn must not look like a finished answer.
            let finishReasons = events.compactMap { eventJSON($0).flatMap(firstChoice)?["finish_reason"] as? String }
            #expect(finishReasons.isEmpty, "finish reasons in a failed stream: \(finishReasons); events: \(events)")
            let errorEvents = events.filter { eventJSON($0)?["error"] != nil }
            #expect(errorEvents.count == 1, "error events: \(errorEvents)")
        }
    }

    @Test func claudeArgvAndWorkingDirectory() async throws {
        try await WorkerHarness.with(fixture: "text.ndjson") { h in
            let prompt = "the-secret-prompt-\(UUID().uuidString)"
            let response = try await h.exchange(
                Request.post("/v1/chat/completions", body: Request.chat(model: "sonnet", prompt: prompt)))
            #expect(response.status == 200, "status: \(response)")
            let invocations = h.invocations()
            #expect(invocations.count == 1, "invocations: \(invocations.map(\.argv))")
            let invocation = try #require(invocations.first, "the fake claude logged no invocation")
            let argv = invocation.argv
            func hasPair(_ flag: String, _ value: String) -> Bool {
                zip(argv, argv.dropFirst()).contains { $0 == flag && $1 == value }
            }
            #expect(hasPair("--input-format", "stream-json"), "argv: \(argv)")
            #expect(argv.contains("--include-partial-messages"), "argv: \(argv)")
            #expect(hasPair("--model", "sonnet"), "argv: \(argv)")
            #expect(!argv.contains { $0.contains(prompt) }, "the prompt is on the command line: \(argv)")
            #expect(invocation.stdin.contains(prompt), "the prompt did not arrive on stdin: \(invocation.stdin)")

            let turns = URL(fileURLWithPath: h.stateDirectory).resolvingSymlinksInPath().path + "/turns/"
            let cwd = URL(fileURLWithPath: invocation.cwd).resolvingSymlinksInPath().path
            #expect(cwd.hasPrefix(turns), "cwd \(invocation.cwd) is not under \(turns)")
            #expect(!FileManager.default.fileExists(atPath: invocation.cwd), "\(invocation.cwd) still exists after the response")
            let turnDirectory = URL(fileURLWithPath: invocation.cwd).deletingLastPathComponent().path
            #expect(
                !FileManager.default.fileExists(atPath: turnDirectory),
                "the turn directory \(turnDirectory) still exists after the response")
            let left = (try? FileManager.default.contentsOfDirectory(atPath: h.stateDirectory + "/turns")) ?? []
            #expect(left.isEmpty, "left under turns/: \(left)")
        }
    }

    @Test func clientDisconnectMidStreamStopsClaude() async throws {
        try await WorkerHarness.with(fixture: "slow-stream.ndjson", environment: ["FAKE_CLAUDE_DELAY_MS=400"]) { h in
            let connection = try await h.open()
            defer { connection.close() }
            let request = Request.post("/v1/chat/completions", body: Request.chat(model: "haiku", stream: true))
            let written = await connection.write(Array(request.utf8))
            #expect(written.error == nil, "writing the request failed: \(written.error ?? "")")
            let firstChunk = try await connection.read(timeout: 15) { bytes in
                String(decoding: bytes, as: UTF8.self).contains("data: {")
            }
            #expect(!firstChunk.eof, "the stream ended before the disconnect: \(String(decoding: firstChunk.bytes, as: UTF8.self))")
            let invocation = try #require(h.invocations().first, "the fake claude logged no invocation")
            let pid = invocation.pid
            #expect(ProcessProbe.isRunning(pid), "the fake claude is not running before the disconnect: \(ProcessProbe.describe(pid))")

            connection.close()
            let closedAt = Date()
            try await waitUntil("the fake claude (pid \(pid)) to be gone after the disconnect", timeout: 2, saw: { ProcessProbe.describe(pid) }) {
                !ProcessProbe.isRunning(pid) && !ProcessProbe.groupExists(pid)
            }
            try await waitUntil("ConnectionServer.serve to return after the disconnect", timeout: 2) { connection.isServed }
            let elapsed = Date().timeIntervalSince(closedAt)
            #expect(elapsed < 4, "cleanup took \(elapsed) s")
            // The turn directory goes with the turn.
            let left = (try? FileManager.default.contentsOfDirectory(atPath: h.stateDirectory + "/turns")) ?? []
            #expect(left.isEmpty, "left under turns/: \(left)")
            #expect(h.supervisor.messages.contains(.turnStarted(processGroup: pid)), "\(h.supervisor.messages)")
        }
    }

    @Test func supervisorIsToldTheTurnEndedAfterADisconnect() async throws {
        try await WorkerHarness.with(fixture: "slow-stream.ndjson", environment: ["FAKE_CLAUDE_DELAY_MS=400"]) { h in
            let connection = try await h.open()
            defer { connection.close() }
            let request = Request.post("/v1/chat/completions", body: Request.chat(model: "haiku", stream: true))
            _ = await connection.write(Array(request.utf8))
            _ = try await connection.read(timeout: 15) { String(decoding: $0, as: UTF8.self).contains("data: {") }
            connection.close()
            try await waitUntil("ConnectionServer.serve to return after the disconnect", timeout: 5) { connection.isServed }
            // turnStarted told the supervisor a group is running; it must learn that it is gone.
            #expect(
                h.supervisor.messages.contains(.turnEnded),
                "after the disconnect the supervisor saw: \(h.supervisor.messages)")
        }
    }
}
