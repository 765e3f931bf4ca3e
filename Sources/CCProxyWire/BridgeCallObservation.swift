/// One answered bridge request, as the bridge worker that relayed it saw it
/// (`WorkerMessage.bridgeCallObserved`), for `ccproxy_bridge_rpc_total{method,result}` and
/// `ccproxy_bridge_rpc_seconds{method}`. The strings are the protocol's own method and error
/// code names; the supervisor maps anything it does not know to `other`, so a worker cannot
/// grow its label sets.
public struct BridgeCallObservation: Sendable, Equatable {
    /// The request's method (`stat`, `read`, …).
    public var method: String
    /// `ok`, or the error code of the answer (`not_found`, …).
    public var result: String
    /// From the request leaving the worker to its answer arriving, in microseconds.
    public var durationMicros: UInt64

    /// The longest method or result name carried (longer ones are cut by the sender).
    public static let maxNameBytes = 32

    public init(method: String, result: String, durationMicros: UInt64) {
        self.method = method
        self.result = result
        self.durationMicros = durationMicros
    }

    func encode(into w: inout WireWriter) {
        w.string(method)
        w.string(result)
        w.u64(durationMicros)
    }

    static func decode(from r: inout WireReader) throws(WireError) -> BridgeCallObservation {
        let method = try r.string("method")
        let result = try r.string("result")
        guard method.utf8.count <= maxNameBytes else { throw .malformed(field: "method") }
        guard result.utf8.count <= maxNameBytes else { throw .malformed(field: "result") }
        return BridgeCallObservation(method: method, result: result, durationMicros: try r.u64())
    }
}
