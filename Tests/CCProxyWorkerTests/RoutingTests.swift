// Health, request ids, routing errors and authorization, over a real socket.

import CCProxyWire
import Foundation
import Testing

@testable import CCProxyWorker

@Suite("Worker routing and authorization")
struct RoutingTests {
    @Test func healthzAnswers200WithRequestIDAndKeepsAlive() async throws {
        try await WorkerHarness.with { h in
            let response = try await h.exchange(Request.get("/healthz"))
            #expect(response.status == 200, "status: \(response)")
            let requestID = try #require(response.header("X-Request-Id"), "no X-Request-Id in \(response)")
            #expect(!requestID.isEmpty)
            #expect(response.header("Connection") == nil, "HTTP/1.1 keep-alive: no Connection header; got \(response)")
            let body = try response.json()
            #expect(body["status"] as? String == "ok", "body: \(response.text)")
        }
    }

    @Test func givenRequestIDIsEchoed() async throws {
        try await WorkerHarness.with { h in
            let id = "client-chosen-id_42.abc"
            let response = try await h.exchange(Request.get("/healthz", headers: ["X-Request-Id: \(id)"]))
            #expect(response.status == 200, "status: \(response)")
            #expect(response.headerValues("X-Request-Id") == [id], "headers: \(response.headers)")
        }
    }

    @Test(arguments: [
        ("too long", String(repeating: "a", count: 129)),
        ("tab inside", "abc\tdef"),
        ("space inside", "abc def"),
    ])
    func unusableRequestIDIsReplaced(_ label: String, _ given: String) async throws {
        try await WorkerHarness.with { h in
            let response = try await h.exchange(Request.get("/healthz", headers: ["X-Request-Id: \(given)"]))
            #expect(response.status == 200, "\(label): \(response)")
            let echoed = try #require(response.header("X-Request-Id"), "\(label): no X-Request-Id in \(response)")
            #expect(echoed != given, "\(label): the unusable id was echoed")
            #expect(echoed.utf8.count == 36 && echoed.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7f }, "\(label): replacement \(echoed.debugDescription)")
        }
    }

    @Test func unknownPathIs404InOpenAIShape() async throws {
        try await WorkerHarness.with { h in
            let response = try await h.exchange(Request.get("/nope"))
            #expect(response.status == 404, "status: \(response)")
            #expect(response.header("Content-Type") == "application/json", "headers: \(response.headers)")
            let error = try response.openAIError()
            #expect(error["type"] as? String == "invalid_request_error", "error: \(response.text)")
            #expect(error["code"] as? String == "not_found", "error: \(response.text)")
            #expect((error["message"] as? String)?.isEmpty == false, "error: \(response.text)")
            #expect(response.header("X-Request-Id") != nil, "headers: \(response.headers)")
        }
    }

    @Test func wrongMethodIs405WithAllow() async throws {
        try await WorkerHarness.with { h in
            let response = try await h.exchange(
                Request.method("DELETE", "/v1/models", headers: ["Authorization: Bearer good"]))
            #expect(response.status == 405, "status: \(response)")
            #expect(response.header("Allow") == "GET", "headers: \(response.headers)")
            let error = try response.openAIError()
            #expect(error["code"] as? String == "method_not_allowed", "error: \(response.text)")
            // Refused before authorization: the supervisor was never asked.
            #expect(!h.supervisor.messages.contains { if case .authorize = $0 { true } else { false } }, "\(h.supervisor.messages)")
        }
    }

    @Test func modelsWithoutBearerIs401WithChallenge() async throws {
        try await WorkerHarness.with { h in
            let response = try await h.exchange(Request.get("/v1/models"))
            #expect(response.status == 401, "status: \(response)")
            #expect(response.header("WWW-Authenticate") == "Bearer", "headers: \(response.headers)")
            let error = try response.openAIError()
            #expect(error["type"] as? String == "authentication_error", "error: \(response.text)")
            #expect(!h.supervisor.messages.contains { if case .authorize = $0 { true } else { false } }, "\(h.supervisor.messages)")
        }
    }

    @Test func modelsWithBadBearerIsRefusedBySupervisor() async throws {
        try await WorkerHarness.with { h in
            let response = try await h.exchange(Request.get("/v1/models", headers: ["Authorization: Bearer bad-token"]))
            #expect(response.status == 401, "status: \(response)")
            #expect(response.header("WWW-Authenticate") == "Bearer", "headers: \(response.headers)")
            let error = try response.openAIError()
            #expect(error["message"] as? String == "refused by the fake supervisor", "error: \(response.text)")
            #expect(error["code"] as? String == "invalid_api_key", "error: \(response.text)")
            let asked = h.supervisor.messages.compactMap { message -> (String, String)? in
                if case .authorize(_, let bearer, let scope, _) = message { return (bearer, scope) }
                return nil
            }
            #expect(asked.count == 1 && asked.first?.0 == "bad-token" && asked.first?.1 == "chat", "authorize requests: \(asked)")
        }
    }

    @Test func modelsWithGoodBearerListsModels() async throws {
        try await WorkerHarness.with { h in
            let response = try await h.exchange(Request.get("/v1/models", headers: ["Authorization: Bearer good"]))
            #expect(response.status == 200, "status: \(response)")
            let body = try response.json()
            #expect(body["object"] as? String == "list", "body: \(response.text)")
            let ids = (body["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(ids == ["opus", "sonnet", "haiku"], "model ids: \(ids); body: \(response.text)")
        }
    }
}
