@testable import CCProxySupervisor
import CCProxyWire
import Testing

@Suite("Metrics aggregate and exposition")
struct MetricsAggregateTests {
    static func observation(
        _ endpoint: MetricsEndpoint = .models, status: UInt16 = 200, token: String = "", seconds: Double = 0.07,
        firstChunk: Double? = nil
    ) -> RequestObservation {
        RequestObservation(
            endpoint: endpoint, method: endpoint == .models ? .get : .post, status: status, tokenID: token,
            durationMicros: UInt64(seconds * 1_000_000), firstChunkMicros: firstChunk.map { UInt64($0 * 1_000_000) })
    }

    @Test("Requests count by endpoint, method, status and token name; none named is anonymous")
    func counts() {
        var metrics = MetricsAggregate()
        metrics.record(Self.observation(), tokenName: "ci")
        metrics.record(Self.observation(), tokenName: "ci")
        metrics.record(Self.observation(status: 401), tokenName: nil)
        metrics.record(Self.observation(.chatCompletions), tokenName: "ci")
        #expect(metrics.requestTotal == 4)
        let ci = MetricsAggregate.RequestKey(endpoint: .models, method: .get, status: 200, tokenName: "ci")
        #expect(metrics.requests[ci] == 2)
        let anonymous = MetricsAggregate.RequestKey(endpoint: .models, method: .get, status: 401, tokenName: "anonymous")
        #expect(metrics.requests[anonymous] == 1)
    }

    @Test("Token names beyond the cap fold into other; a status outside 100...599 counts as 0")
    func bounded() {
        var metrics = MetricsAggregate(maxTokenNames: 2)
        for name in ["a", "b", "c", "d", "a"] { metrics.record(Self.observation(), tokenName: name) }
        metrics.record(Self.observation(status: 7), tokenName: "a")
        let names = Set(metrics.requests.keys.map(\.tokenName))
        #expect(names == ["a", "b", "other"])
        #expect(metrics.requests[.init(endpoint: .models, method: .get, status: 200, tokenName: "other")] == 2)
        #expect(metrics.requests[.init(endpoint: .models, method: .get, status: 0, tokenName: "a")] == 1)
    }

    @Test("Past the series cap, new series fold into status 0, other; existing ones still count")
    func seriesCap() {
        var metrics = MetricsAggregate(maxRequestSeries: 3)
        for status: UInt16 in [200, 201, 202, 203, 204, 200] { metrics.record(Self.observation(status: status), tokenName: "a") }
        #expect(metrics.requests.count == 4)
        #expect(metrics.requests[.init(endpoint: .models, method: .get, status: 200, tokenName: "a")] == 2)
        #expect(metrics.requests[.init(endpoint: .models, method: .get, status: 0, tokenName: "other")] == 2)
        #expect(metrics.requestTotal == 6)
    }

    @Test("Histograms use the reference's buckets (0.05 s doubling, 10); first chunk only when streamed")
    func histograms() {
        var metrics = MetricsAggregate()
        metrics.record(Self.observation(.chatCompletions, seconds: 0.3, firstChunk: 0.06), tokenName: "t")
        metrics.record(Self.observation(.chatCompletions, seconds: 100), tokenName: "t")
        let durations = metrics.durations[.chatCompletions]
        #expect(durations?.bounds.first == 0.05)
        #expect(durations?.bounds.count == 10)
        #expect(durations?.count == 2)
        // 0.3 s falls in the 0.4 bucket; 100 s only in +Inf.
        #expect(durations?.cumulative == [0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 2])
        #expect(metrics.firstChunks[.chatCompletions]?.cumulative.prefix(2) == [0, 1])
        #expect(metrics.firstChunks[.chatCompletions]?.count == 1)
        #expect(metrics.firstChunks[.models] == nil)
    }

    @Test("Bridge calls count by method and result from closed sets, with 1 ms buckets")
    func bridgeCalls() {
        var metrics = MetricsAggregate()
        metrics.record(BridgeCallObservation(method: "stat", result: "ok", durationMicros: 1500))
        metrics.record(BridgeCallObservation(method: "stat", result: "not_found", durationMicros: 500))
        metrics.record(BridgeCallObservation(method: "stat", result: "ok", durationMicros: 0))
        metrics.record(BridgeCallObservation(method: "frobnicate", result: "weird", durationMicros: 0))
        #expect(metrics.bridgeCalls[.init(method: "stat", result: "ok")] == 2)
        #expect(metrics.bridgeCalls[.init(method: "stat", result: "not_found")] == 1)
        #expect(metrics.bridgeCalls[.init(method: "other", result: "other")] == 1)
        #expect(metrics.bridgeLatencies["stat"]?.count == 3)
        #expect(metrics.bridgeLatencies["stat"]?.bounds.first == 0.001)
        let text = MetricsExposition.render(metrics, pool: PoolFigures())
        #expect(text.contains(#"ccproxy_bridge_rpc_total{method="stat",result="ok"} 2"#))
        #expect(text.contains(#"ccproxy_bridge_rpc_seconds_bucket{method="stat",le="0.001"} 2"#))
        #expect(text.contains(#"ccproxy_bridge_rpc_seconds_count{method="stat"} 3"#))
    }

    @Test("The exposition has every family with HELP and TYPE, escaped labels, and the pool's figures")
    func rendering() {
        var metrics = MetricsAggregate()
        metrics.record(Self.observation(), tokenName: "quote\" back\\ line\nend")
        metrics.claudeSpawned()
        var pool = PoolFigures()
        pool.workersByState = ["idle": 3, "busy": 1]
        pool.queued = 2
        let text = MetricsExposition.render(metrics, pool: pool)
        for family in [
            "ccproxy_requests_total", "ccproxy_request_duration_seconds", "ccproxy_first_chunk_latency_seconds",
            "ccproxy_subprocess_spawns_total", "ccproxy_active_subprocesses", "ccproxy_session_evictions_total",
            "ccproxy_active_sessions", "ccproxy_bridge_connections", "ccproxy_bridge_rpc_total", "ccproxy_bridge_rpc_seconds",
            "ccproxy_pool_workers", "ccproxy_pool_queue_depth", "ccproxy_pool_refusals_total", "ccproxy_pool_worker_crashes_total",
            "ccproxy_pool_worker_recycles_total", "ccproxy_pool_handbacks_total", "ccproxy_pool_keepalive_connections",
        ] {
            #expect(text.contains("# TYPE \(family) "), "\(family)")
        }
        #expect(text.contains(#"token_name="quote\" back\\ line\nend""#))
        #expect(text.contains(#"ccproxy_pool_workers{state="idle"} 3"#))
        #expect(text.contains("ccproxy_pool_queue_depth 2\n"))
        #expect(text.contains("ccproxy_subprocess_spawns_total 1\n"))
        #expect(text.contains(#"ccproxy_request_duration_seconds_bucket{endpoint="/v1/models",le="0.1"} 1"#))
        #expect(text.contains(#"ccproxy_request_duration_seconds_bucket{endpoint="/v1/models",le="+Inf"} 1"#))
        #expect(text.hasSuffix("\n"))
    }
}
