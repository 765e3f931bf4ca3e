/// What a worker reports about one finished HTTP request for the metrics
/// (`WorkerMessage.requestObserved`). Every field is from a closed or bounded set, so a worker
/// cannot grow the supervisor's label sets: the endpoint and method are enums, the status is
/// a number, and the token is named by the id the supervisor granted on the connection (the
/// supervisor looks its name up in its own ledger and trusts nothing else).
public struct RequestObservation: Sendable, Equatable {
    /// The instrumented endpoint.
    public var endpoint: MetricsEndpoint
    public var method: MetricsMethod
    /// The response's status code (the first final head's).
    public var status: UInt16
    /// The id of the token granted for this request; empty when none was (no or a refused bearer).
    public var tokenID: String
    /// From the request head's arrival to the response's last byte, in microseconds.
    public var durationMicros: UInt64
    /// From the request head to the first body byte of a streamed (SSE) response, in
    /// microseconds; nil when the response was not streamed.
    public var firstChunkMicros: UInt64?

    public init(
        endpoint: MetricsEndpoint, method: MetricsMethod, status: UInt16, tokenID: String, durationMicros: UInt64,
        firstChunkMicros: UInt64?
    ) {
        self.endpoint = endpoint
        self.method = method
        self.status = status
        self.tokenID = tokenID
        self.durationMicros = durationMicros
        self.firstChunkMicros = firstChunkMicros
    }

    func encode(into w: inout WireWriter) {
        w.u8(endpoint.rawValue)
        w.u8(method.rawValue)
        w.u16(status)
        w.string(tokenID)
        w.u64(durationMicros)
        // Absent is one byte, not a zero: every frame has exactly one encoding.
        w.bool(firstChunkMicros != nil)
        if let firstChunkMicros { w.u64(firstChunkMicros) }
    }

    static func decode(from r: inout WireReader) throws(WireError) -> RequestObservation {
        guard let endpoint = MetricsEndpoint(rawValue: try r.u8()) else { throw .malformed(field: "endpoint") }
        guard let method = MetricsMethod(rawValue: try r.u8()) else { throw .malformed(field: "method") }
        let status = try r.u16()
        let tokenID = try r.string("tokenID")
        let duration = try r.u64()
        let firstChunk = try r.bool("streamed") ? try r.u64() : nil
        return RequestObservation(
            endpoint: endpoint, method: method, status: status, tokenID: tokenID, durationMicros: duration,
            firstChunkMicros: firstChunk)
    }
}

/// The endpoints the metrics count, as the reference did (its label is the path). Raw
/// values are wire values (one byte) and stable.
public enum MetricsEndpoint: UInt8, Sendable, Equatable, CaseIterable {
    /// `/v1/models` (and `/v1/models/{id}`, folded in so that ids do not become labels).
    case models = 0
    /// `/v1/chat/completions`.
    case chatCompletions = 1

    /// The `endpoint` label value.
    public var label: String {
        switch self {
        case .models: return "/v1/models"
        case .chatCompletions: return "/v1/chat/completions"
        }
    }
}

/// The request method, folded to the methods the API uses. Raw values are wire values.
public enum MetricsMethod: UInt8, Sendable, Equatable, CaseIterable {
    case get = 0
    case post = 1
    case head = 2
    case options = 3
    /// Any other method.
    case other = 4

    public init(method: String) {
        switch method {
        case "GET": self = .get
        case "POST": self = .post
        case "HEAD": self = .head
        case "OPTIONS": self = .options
        default: self = .other
        }
    }

    /// The `method` label value.
    public var label: String {
        switch self {
        case .get: return "GET"
        case .post: return "POST"
        case .head: return "HEAD"
        case .options: return "OPTIONS"
        case .other: return "OTHER"
        }
    }
}
