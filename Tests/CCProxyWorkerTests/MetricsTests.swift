// The worker's side of the metrics: what it reports per request, and how it answers a scrape
// handed to it with the supervisor's exposition, over a real socket.

import CCProxyWire
import Foundation
import Testing

@testable import CCProxyWorker

@Suite("Worker metrics: observations and scrapes")
struct MetricsTests {
    static func observations(_ h: WorkerHarness) -> [RequestObservation] {
        h.supervisor.messages.compactMap { message in
            if case .requestObserved(let observation) = message { return observation }
            return nil
        }
    }

    @Test func modelsRequestsAreReportedWithTheGrantedTokenID() async throws {
        try await WorkerHarness.with { h in
            let granted = try await h.exchange(
                Request.method("GET", "/v1/models", headers: ["Authorization: Bearer \(FakeSupervisor.goodBearer)"]))
            #expect(granted.status == 200, "status: \(granted)")
            let refused = try await h.exchange(Request.method("GET", "/v1/models", headers: ["Authorization: Bearer nope"]))
            #expect(refused.status == 401, "status: \(refused)")
            _ = try await h.exchange(Request.get("/healthz"))
            try await waitUntil("two observations", timeout: 5, saw: { "\(Self.observations(h))" }) {
                Self.observations(h).count >= 2
            }
            let seen = Self.observations(h)
            #expect(seen.count == 2, "health checks are not counted: \(seen)")
            #expect(seen.first?.endpoint == .models && seen.first?.method == .get, "\(seen)")
            #expect(seen.first?.status == 200 && seen.first?.tokenID == FakeSupervisor.grant.tokenID, "\(seen)")
            #expect(seen.first?.firstChunkMicros == nil, "not streamed: \(seen)")
            #expect(seen.last?.status == 401 && seen.last?.tokenID == "", "\(seen)")
        }
    }

    @Test func aScrapeIsAnsweredWithTheExpositionAndClosed() async throws {
        try await WorkerHarness.with { h in
            let exposition = Array("# TYPE x counter\nx 42\n".utf8)
            let response = try await h.exchange(Request.get("/metrics"), exposition: exposition)
            #expect(response.status == 200, "status: \(response)")
            #expect(response.body == exposition, "body: \(response.text)")
            #expect(response.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true, "\(response)")
            #expect(response.header("Connection")?.lowercased() == "close", "a scrape is never kept alive: \(response)")
            let other = try await h.exchange(Request.get("/v1/models"), exposition: exposition)
            #expect(other.status == 404, "only /metrics on the metrics listener: \(other)")
            #expect(Self.observations(h).isEmpty, "scrapes are not counted: \(Self.observations(h))")
            #expect(!h.supervisor.messages.contains { if case .authorize = $0 { true } else { false } }, "a scrape asks for no authorization")
        }
    }
}
