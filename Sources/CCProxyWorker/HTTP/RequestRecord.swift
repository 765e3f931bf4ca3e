// Runs in: a worker (`ccproxy-worker`).
// What the completion log line of one request says, gathered while the request runs: the
// connection server opens it, the response observer notes status and first byte, the
// supervisor client notes the token and the usage it reports.

import CCProxyWire
import Foundation
import Logging
import CCProxyPosix

/// The facts of one request, for its one completion log line. Thread-safe.
///
/// While a request is handled, `RequestRecord.current` (a task-local) is the record, so code
/// deep in the request's task (the supervisor client, a turn handler) can add to it without
/// being passed it.
final class RequestRecord: Sendable {
    @TaskLocal static var current: RequestRecord?

    private struct Facts: Sendable {
        var requestID = ""
        var method = ""
        var path = ""
        var started: Double = 0
        var status: Int?
        var firstByte: Double?
        var tokenName: String?
        var tokenID: String?
        var streaming = false
        var model: String?
        var inputTokens: UInt64?
        var outputTokens: UInt64?
    }

    private let facts = Locked(Facts())
    private let clock: @Sendable () -> Double

    init(clock: @escaping @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime }) {
        self.clock = clock
    }

    /// Starts a new request on this connection (forgets the previous one).
    func begin(requestID: String, method: String, path: String) {
        let now = clock()
        facts.withLock { $0 = Facts(requestID: requestID, method: method, path: path, started: now) }
    }

    /// The first final response head: its status, and whether it starts an event stream.
    func noteHead(status: Int, streaming: Bool = false) {
        facts.withLock {
            if $0.status == nil {
                $0.status = status
                $0.streaming = streaming
            }
        }
    }
    func noteBody() {
        let now = clock()
        facts.withLock { if $0.firstByte == nil { $0.firstByte = now } }
    }
    func noteToken(name: String, id: String) {
        facts.withLock {
            $0.tokenName = name
            $0.tokenID = id
        }
    }
    func noteModel(_ model: String) { facts.withLock { $0.model = model } }
    func noteUsage(input: UInt64, output: UInt64) {
        facts.withLock {
            $0.inputTokens = input
            $0.outputTokens = output
        }
    }

    /// The request's metrics report for the supervisor; nil for requests the metrics do not
    /// count (other endpoints) or when no response head was sent.
    func observation() -> RequestObservation? {
        let now = clock()
        return facts.withLock { facts in
            guard let status = facts.status, let endpoint = Self.endpoint(path: facts.path) else { return nil }
            let micros = { (seconds: Double) in UInt64(max(0, seconds * 1_000_000).rounded()) }
            return RequestObservation(
                endpoint: endpoint, method: MetricsMethod(method: facts.method), status: UInt16(clamping: status),
                tokenID: facts.tokenID ?? "", durationMicros: micros(now - facts.started),
                firstChunkMicros: facts.streaming ? facts.firstByte.map { micros($0 - facts.started) } : nil)
        }
    }

    /// The metrics endpoint of a request path (`/v1/models/{id}` counts as `/v1/models`).
    static func endpoint(path: String) -> MetricsEndpoint? {
        switch Router.Route(path: path) {
        case .models, .model: return .models
        case .chatCompletions: return .chatCompletions
        case .health, .ready, .bridge, nil: return nil
        }
    }

    /// The completion line's metadata: request id, method, path, status, duration and time
    /// to first byte in milliseconds, token name, model and usage when known.
    func metadata() -> Logger.Metadata {
        let now = clock()
        return facts.withLock { facts in
            var metadata: Logger.Metadata = [
                "request_id": "\(facts.requestID)", "method": "\(facts.method)", "path": "\(facts.path)",
                "status": "\(facts.status.map(String.init) ?? "none")",
                "duration_ms": "\(Int(((now - facts.started) * 1000).rounded()))",
            ]
            if let first = facts.firstByte { metadata["ttft_ms"] = "\(Int(((first - facts.started) * 1000).rounded()))" }
            if let token = facts.tokenName { metadata["token"] = "\(token)" }
            if let model = facts.model { metadata["model"] = "\(model)" }
            if let input = facts.inputTokens { metadata["prompt_tokens"] = "\(input)" }
            if let output = facts.outputTokens { metadata["completion_tokens"] = "\(output)" }
            return metadata
        }
    }
}
