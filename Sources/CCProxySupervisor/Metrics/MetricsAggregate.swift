// Runs in: the supervisor (`ccproxy serve`).
// The metrics of every process, summed in the supervisor: workers report each finished
// request and their claude turns over the channel; the aggregate is pure (no I/O) and
// unit-tested; `MetricsExposition` renders it with the pool's own figures.

import CCProxyBridgeProtocol
import CCProxyCore
import CCProxyWire

/// Counters and histograms aggregated over all workers (past and present) since start.
///
/// Label sets are bounded: endpoints and methods are closed enums; a status outside
/// 100...599 is counted as 0; token names are the names the supervisor granted, at most
/// `maxTokenNames` of them, later ones fold into `other` (a request without a grant is
/// `anonymous`); past `maxRequestSeries` series, a new one folds into status 0, `other`.
public struct MetricsAggregate: Sendable, Equatable {
    /// One `ccproxy_requests_total` series.
    public struct RequestKey: Hashable, Sendable, Comparable {
        public var endpoint: MetricsEndpoint
        public var method: MetricsMethod
        public var status: UInt16
        public var tokenName: String

        public static func < (a: RequestKey, b: RequestKey) -> Bool {
            (a.endpoint.rawValue, a.method.rawValue, a.status, a.tokenName)
                < (b.endpoint.rawValue, b.method.rawValue, b.status, b.tokenName)
        }
    }

    /// The `token_name` of requests without a grant.
    public static let anonymous = "anonymous"
    /// The `token_name` of tokens beyond `maxTokenNames`.
    public static let other = "other"
    /// Request buckets of the reference: 0.05 s doubling, 10 buckets.
    public static let requestBounds = Histogram.exponentialBounds(start: 0.05, factor: 2, count: 10)
    /// A bridge call series: the protocol's method and the answer's result, both from closed
    /// sets (`other` for anything else).
    public struct BridgeCallKey: Hashable, Sendable, Comparable {
        public var method: String
        public var result: String

        public static func < (a: BridgeCallKey, b: BridgeCallKey) -> Bool {
            (a.method, a.result) < (b.method, b.result)
        }
    }

    public private(set) var bridgeCalls: [BridgeCallKey: UInt64] = [:]
    public private(set) var bridgeLatencies: [String: Histogram] = [:]

    /// Counts one bridge call a bridge worker relayed.
    public mutating func record(_ call: BridgeCallObservation) {
        let method = BridgeMethod(rawValue: call.method)?.rawValue ?? Self.other
        let result = call.result == "ok" ? "ok" : (BridgeErrorCode(rawValue: call.result)?.rawValue ?? Self.other)
        bridgeCalls[BridgeCallKey(method: method, result: result), default: 0] += 1
        bridgeLatencies[method, default: Histogram(bounds: Self.bridgeBounds)].observe(Double(call.durationMicros) / 1_000_000)
    }

    /// Bridge RPC buckets of the reference: 1 ms doubling, 12 buckets.
    public static let bridgeBounds = Histogram.exponentialBounds(start: 0.001, factor: 2, count: 12)

    public let maxTokenNames: Int
    public let maxRequestSeries: Int
    public private(set) var requests: [RequestKey: UInt64] = [:]
    public private(set) var durations: [MetricsEndpoint: Histogram] = [:]
    public private(set) var firstChunks: [MetricsEndpoint: Histogram] = [:]
    /// claude processes started (a turn's process group reported by its worker).
    public private(set) var claudeSpawns: UInt64 = 0
    /// claude processes gone (reported ended, or stopped with their worker's connection).
    public private(set) var claudeExits: UInt64 = 0
    /// Idle persistent sessions the supervisor ended.
    public private(set) var sessionEvictions: UInt64 = 0
    private var tokenNames: Set<String> = []

    public init(maxTokenNames: Int = Limits.maxMetricsTokenNames, maxRequestSeries: Int = Limits.maxMetricsRequestSeries) {
        self.maxTokenNames = maxTokenNames
        self.maxRequestSeries = maxRequestSeries
    }

    /// Counts one finished request. `tokenName` is the name the supervisor's ledger holds
    /// for the observation's token id, nil when it holds none.
    public mutating func record(_ observation: RequestObservation, tokenName: String?) {
        let status = (100...599).contains(observation.status) ? observation.status : 0
        var key = RequestKey(
            endpoint: observation.endpoint, method: observation.method, status: status, tokenName: label(for: tokenName))
        if requests[key] == nil && requests.count >= maxRequestSeries {
            key = RequestKey(endpoint: observation.endpoint, method: observation.method, status: 0, tokenName: Self.other)
        }
        requests[key, default: 0] += 1
        durations[observation.endpoint, default: Histogram(bounds: Self.requestBounds)]
            .observe(Double(observation.durationMicros) / 1_000_000)
        if let first = observation.firstChunkMicros {
            firstChunks[observation.endpoint, default: Histogram(bounds: Self.requestBounds)]
                .observe(Double(first) / 1_000_000)
        }
    }

    public mutating func claudeSpawned() { claudeSpawns += 1 }
    public mutating func claudeExited() { claudeExits += 1 }
    public mutating func sessionsEvicted(_ count: Int) { sessionEvictions += UInt64(max(0, count)) }

    /// All requests counted, over every series.
    public var requestTotal: UInt64 { requests.values.reduce(0, +) }

    private mutating func label(for tokenName: String?) -> String {
        guard let tokenName else { return Self.anonymous }
        if tokenNames.contains(tokenName) { return tokenName }
        guard tokenNames.count < maxTokenNames else { return Self.other }
        tokenNames.insert(tokenName)
        return tokenName
    }
}
