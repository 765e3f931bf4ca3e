// Limits and failure paths: body and head sizes at and over the limits, the request
// timeout, a claude that cannot start, readiness.

import CCProxyCore
import CCProxyWire
import Foundation
import Testing

@testable import CCProxyWorker

@Suite("Worker limits and failure paths")
struct LimitsTests {
    @Test func bodyOfExactlyTheLimitIsAccepted() async throws {
        try await WorkerHarness.with { h in
            var body = Request.chat()
            body += String(repeating: " ", count: Limits.maxRequestBodyBytes - body.utf8.count)
            #expect(body.utf8.count == Limits.maxRequestBodyBytes)
            let response = try await h.exchange(Request.post("/v1/chat/completions", body: body), timeout: 30)
            #expect(response.status == 200, "a body of exactly \(Limits.maxRequestBodyBytes) bytes: \(response)")
        }
    }

    @Test func chunkedBodyOverTheLimitIs413() async throws {
        try await WorkerHarness.with { h in
            let connection = try await h.open()
            defer { connection.close() }
            let head =
                "POST /v1/chat/completions HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer good\r\n"
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            _ = await connection.write(Array(head.utf8))
            async let bodyWrite: String? = {
                let piece = 256 * 1024
                var chunk = Array(String(piece, radix: 16).utf8) + [13, 10]
                chunk += [UInt8](repeating: UInt8(ascii: " "), count: piece) + [13, 10]
                for _ in 0..<(Limits.maxRequestBodyBytes / piece + 4) {
                    if let error = await connection.write(chunk).error { return error }
                }
                return await connection.write(Array("0\r\n\r\n".utf8)).error
            }()
            let raw = try await connection.read(timeout: 20)
            let writeError = await bodyWrite
            let response = try HTTPResponse.parse(raw.bytes)
            #expect(response.status == 413, "status: \(response); write error: \(writeError ?? "none")")
            #expect(h.invocations().isEmpty, "claude was started: \(h.invocations().map(\.argv))")
        }
    }

    @Test func requestHeadOverTheLimitIs431() async throws {
        try await WorkerHarness.with { h in
            let padding = String(repeating: "a", count: Limits.maxRequestHeadBytes + 1024)
            let connection = try await h.open()
            defer { connection.close() }
            let request = Request.get("/healthz", headers: ["X-Padding: \(padding)"])
            let raw = try await connection.exchange(Array(request.utf8), timeout: 10)
            let response = try HTTPResponse.parse(raw)
            #expect(
                response.status == 431,
                "a \(request.utf8.count)-byte head (limit \(Limits.maxRequestHeadBytes)) got: \(response.status) \(response.text)")
        }
    }

    @Test func readyzIs503WithoutAClaudeVersion() async throws {
        try await WorkerHarness.with(configure: { $0.claudeProbeError = "claude --version exited 1" }) { h in
            let response = try await h.exchange(Request.get("/readyz"))
            #expect(response.status == 503, "status: \(response)")
            let body = try response.json()
            #expect(body["status"] as? String == "not_ready", "body: \(response.text)")
            #expect(body["error"] as? String == "claude --version exited 1", "body: \(response.text)")
        }
        try await WorkerHarness.with(configure: { $0.claudeVersion = "2.1.0 (Claude Code)" }) { h in
            let response = try await h.exchange(Request.get("/readyz"))
            #expect(response.status == 200, "status: \(response)")
            #expect(try response.json()["claude_version"] as? String == "2.1.0 (Claude Code)", "body: \(response.text)")
        }
    }

    @Test func requestTimeoutIs504AndStopsClaude() async throws {
        // 3 s, not 1: on a loaded machine the fake claude must have started (and logged its
        // pid) before the timeout stops it, or the test cannot check that it is gone.
        try await WorkerHarness.with(
            fixture: "slow-stream.ndjson", environment: ["FAKE_CLAUDE_DELAY_MS=3000"],
            configure: { $0.requestTimeoutSeconds = 3 }
        ) { h in
            let started = Date()
            let response = try await h.exchange(Request.post("/v1/chat/completions", body: Request.chat(model: "haiku")))
            let elapsed = Date().timeIntervalSince(started)
            #expect(response.status == 504, "status: \(response)")
            #expect(try response.openAIError()["type"] as? String == "timeout_error", "body: \(response.text)")
            #expect(elapsed < 10, "the 3 s timeout answered after \(elapsed) s")
            let pid = try #require(h.invocations().first?.pid, "the fake claude logged no invocation")
            try await waitUntil("the fake claude to be gone after the timeout", timeout: 2, saw: { ProcessProbe.describe(pid) }) {
                !ProcessProbe.isRunning(pid) && !ProcessProbe.groupExists(pid)
            }
        }
    }

    @Test func requestTimeoutWhileStreamingEndsWithError() async throws {
        try await WorkerHarness.with(
            fixture: "slow-stream.ndjson", environment: ["FAKE_CLAUDE_DELAY_MS=1000"],
            configure: { $0.requestTimeoutSeconds = 1 }
        ) { h in
            let response = try await h.exchange(
                Request.post("/v1/chat/completions", body: Request.chat(model: "haiku", stream: true)))
            #expect(response.status == 200, "status: \(response)")
            let events = response.events
            #expect(events.last == "[DONE]", "events: \(events)")
            let error = events.dropLast().last.flatMap(eventJSON)?["error"] as? [String: Any]
            #expect(error?["code"] as? String == "request_timeout", "events: \(events)")
            let finishReasons = events.compactMap { eventJSON($0).flatMap(firstChoice)?["finish_reason"] as? String }
            #expect(finishReasons.isEmpty, "finish reasons after a timeout: \(finishReasons); events: \(events)")
        }
    }

    @Test func claudeThatCannotStartIs502AndLeavesNoTurnDirectory() async throws {
        try await WorkerHarness.with(configure: { $0.claudeBinary = "/nonexistent/ccproxy-test/claude" }) { h in
            let response = try await h.exchange(Request.post("/v1/chat/completions", body: Request.chat()))
            #expect(response.status == 502, "status: \(response)")
            #expect(try response.openAIError()["type"] as? String == "upstream_error", "body: \(response.text)")
            let left = (try? FileManager.default.contentsOfDirectory(atPath: h.stateDirectory + "/turns")) ?? []
            #expect(left.isEmpty, "left under turns/: \(left)")
        }
    }
}
