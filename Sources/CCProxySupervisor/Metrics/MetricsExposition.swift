// Runs in: the supervisor (`ccproxy serve`).
// Renders the Prometheus text exposition format (version 0.0.4) from the aggregate and the
// pool's figures: the supervisor renders, a worker sends it to the scraper.

import CCProxyWire

/// What the pool shows at the moment of a scrape (from the supervisor's own state).
public struct PoolFigures: Sendable, Equatable {
    /// Pool workers by state name (`starting`, `idle`, `busy`, `exiting`).
    public var workersByState: [String: Int] = [:]
    public var queued: Int = 0
    public var keepAliveConnections: Int = 0
    /// claude process groups alive now (reported started, not yet ended).
    public var activeClaudes: Int = 0
    /// Persistent sessions a turn holds now.
    public var activeSessions: Int = 0
    /// Bridges connected now.
    public var bridges: Int = 0
    public var counters = PoolCounters()

    public init() {}
}

/// The text exposition of `MetricsAggregate` and `PoolFigures`.
///
/// Every metric has `# HELP` and `# TYPE`; series are sorted, so a scrape is deterministic;
/// label values are escaped as the format requires (`\`, `"`, newline). Metrics without
/// series yet (bridge ones, histograms of an endpoint not used) still have their HELP/TYPE,
/// and unlabelled ones a zero sample, so dashboards see them from the start.
public enum MetricsExposition {
    /// The `Content-Type` of the exposition.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public static func render(_ metrics: MetricsAggregate, pool: PoolFigures) -> String {
        var out = Output()
        out.family("ccproxy_requests_total", .counter, "HTTP requests answered, by endpoint, method, status and token name.")
        for (key, value) in metrics.requests.sorted(by: { $0.key < $1.key }) {
            out.sample(
                "ccproxy_requests_total",
                [("endpoint", key.endpoint.label), ("method", key.method.label), ("status", "\(key.status)"), ("token_name", key.tokenName)],
                value)
        }
        out.family("ccproxy_request_duration_seconds", .histogram, "Time from request head to the response's end.")
        for endpoint in MetricsEndpoint.allCases {
            if let histogram = metrics.durations[endpoint] {
                out.histogram("ccproxy_request_duration_seconds", [("endpoint", endpoint.label)], histogram)
            }
        }
        out.family("ccproxy_first_chunk_latency_seconds", .histogram, "Time from request head to the first chunk of a streamed response.")
        for endpoint in MetricsEndpoint.allCases {
            if let histogram = metrics.firstChunks[endpoint] {
                out.histogram("ccproxy_first_chunk_latency_seconds", [("endpoint", endpoint.label)], histogram)
            }
        }
        out.single("ccproxy_subprocess_spawns_total", .counter, "claude processes started.", metrics.claudeSpawns)
        out.single("ccproxy_subprocess_exits_total", .counter, "claude processes ended.", metrics.claudeExits)
        out.single("ccproxy_active_subprocesses", .gauge, "claude processes running now.", UInt64(pool.activeClaudes))
        out.single("ccproxy_session_evictions_total", .counter, "Idle persistent sessions ended after session_ttl.", metrics.sessionEvictions)
        out.single("ccproxy_active_sessions", .gauge, "Persistent sessions held by a turn now.", UInt64(pool.activeSessions))
        out.single("ccproxy_bridge_connections", .gauge, "Connected bridges.", UInt64(pool.bridges))
        out.family("ccproxy_bridge_rpc_total", .counter, "Bridge file-system calls, by method and result.")
        for (key, value) in metrics.bridgeCalls.sorted(by: { $0.key < $1.key }) {
            out.sample("ccproxy_bridge_rpc_total", [("method", key.method), ("result", key.result)], value)
        }
        out.family("ccproxy_bridge_rpc_seconds", .histogram, "Bridge file-system call latency, by method.")
        for (method, histogram) in metrics.bridgeLatencies.sorted(by: { $0.key < $1.key }) {
            out.histogram("ccproxy_bridge_rpc_seconds", [("method", method)], histogram)
        }

        out.family("ccproxy_pool_workers", .gauge, "Pool workers by state.")
        for state in ["starting", "idle", "busy", "exiting"] {
            out.sample("ccproxy_pool_workers", [("state", state)], UInt64(pool.workersByState[state] ?? 0))
        }
        out.single("ccproxy_pool_queue_depth", .gauge, "Connections waiting for a worker.", UInt64(pool.queued))
        out.single(
            "ccproxy_pool_keepalive_connections", .gauge, "Idle keep-alive connections held by the supervisor.",
            UInt64(pool.keepAliveConnections))
        out.family("ccproxy_pool_refusals_total", .counter, "Connections the supervisor answered 503 itself, by reason.")
        for reason in RefusalReason.allCases {
            out.sample("ccproxy_pool_refusals_total", [("reason", reason.rawValue)], pool.counters.refusals[reason] ?? 0)
        }
        out.family("ccproxy_pool_closes_total", .counter, "Held connections the supervisor closed, by reason.")
        for reason in ConnectionCloseReason.allCases {
            out.sample("ccproxy_pool_closes_total", [("reason", reason.rawValue)], pool.counters.closes[reason] ?? 0)
        }
        out.single("ccproxy_pool_worker_crashes_total", .counter, "Workers that crashed.", pool.counters.crashes)
        out.single("ccproxy_pool_worker_recycles_total", .counter, "Workers retired after max_requests.", pool.counters.recycles)
        out.single("ccproxy_pool_handoffs_total", .counter, "Connections handed to workers.", pool.counters.handOffs)
        out.single("ccproxy_pool_handbacks_total", .counter, "Connections handed back by workers.", pool.counters.handBacks)
        return out.text
    }

    enum Kind: String {
        case counter, gauge, histogram
    }

    private struct Output {
        var text = ""

        mutating func family(_ name: String, _ kind: Kind, _ help: String) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(kind.rawValue)\n"
        }

        mutating func single(_ name: String, _ kind: Kind, _ help: String, _ value: UInt64) {
            family(name, kind, help)
            sample(name, [], value)
        }

        mutating func sample(_ name: String, _ labels: [(String, String)], _ value: UInt64) {
            text += "\(name)\(Self.labels(labels)) \(value)\n"
        }

        mutating func histogram(_ name: String, _ labels: [(String, String)], _ histogram: Histogram) {
            let cumulative = histogram.cumulative
            for (index, bound) in histogram.bounds.enumerated() {
                text += "\(name)_bucket\(Self.labels(labels + [("le", Self.number(bound))])) \(cumulative[index])\n"
            }
            text += "\(name)_bucket\(Self.labels(labels + [("le", "+Inf")])) \(histogram.count)\n"
            text += "\(name)_sum\(Self.labels(labels)) \(Self.number(histogram.sum))\n"
            text += "\(name)_count\(Self.labels(labels)) \(histogram.count)\n"
        }

        static func labels(_ labels: [(String, String)]) -> String {
            guard !labels.isEmpty else { return "" }
            return "{" + labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",") + "}"
        }

        /// Label value escaping of the text format: backslash, double quote, line feed.
        static func escape(_ value: String) -> String {
            var escaped = ""
            for character in value.unicodeScalars {
                switch character {
                case "\\": escaped += "\\\\"
                case "\"": escaped += "\\\""
                case "\n": escaped += "\\n"
                default: escaped.unicodeScalars.append(character)
                }
            }
            return escaped
        }

        static func number(_ value: Double) -> String {
            value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
        }
    }
}
