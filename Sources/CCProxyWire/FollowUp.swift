/// A follow-up request that continues a waiting turn, as the worker that read it decided it:
/// the client's results for the turn's calls and how the answer is to be written. The
/// supervisor carries it from that worker to the one whose claude waits (`passToWaitingTurn`,
/// `continueWaitingTurn`) and reads nothing in it; the worker that receives it trusts it as
/// much as any worker's word (it answers the client on the connection that came with it).
///
/// A follow-up must fit one frame (`Limits.maxWorkerFrameBytes`): one whose results are
/// larger is served from the transcript instead (see `fits`).
public struct FollowUp: Sendable, Equatable {
    /// One `role: tool` message: the call it answers and its content as text.
    public struct Result: Sendable, Equatable {
        public var callID: String
        public var text: String

        public init(callID: String, text: String) {
            self.callID = callID
            self.text = text
        }
    }

    /// The request's `X-Request-Id` (the worker that read it chose or kept it).
    public var requestID: String
    public var results: [Result]
    public var stream: Bool
    /// `stream_options.include_usage`.
    public var includeUsage: Bool
    /// The model id the client asked for, echoed in the response objects.
    public var model: String
    /// Whether the client's connection may stay open after the answer.
    public var keepAlive: Bool
    /// Whether the request was HTTP/1.0 (decides the `Connection` header).
    public var http10: Bool

    public init(
        requestID: String, results: [Result], stream: Bool, includeUsage: Bool, model: String, keepAlive: Bool,
        http10: Bool = false
    ) {
        self.requestID = requestID
        self.results = results
        self.stream = stream
        self.includeUsage = includeUsage
        self.model = model
        self.keepAlive = keepAlive
        self.http10 = http10
    }

    /// Room kept in a frame for the message around the follow-up.
    static let frameOverhead = 64

    /// Whether the follow-up fits a worker frame of `maxFrameBytes`.
    public func fits(maxFrameBytes: Int) -> Bool {
        var w = WireWriter()
        encode(into: &w)
        return w.bytes.count + Self.frameOverhead + Frame.headerBytes <= maxFrameBytes
    }

    func encode(into w: inout WireWriter) {
        w.string(requestID)
        w.u32(UInt32(clamping: results.count))
        for result in results {
            w.string(result.callID)
            w.string(result.text)
        }
        w.bool(stream)
        w.bool(includeUsage)
        w.string(model)
        w.bool(keepAlive)
        w.bool(http10)
    }

    static func decode(from r: inout WireReader) throws(WireError) -> FollowUp {
        let requestID = try r.string("requestID")
        let count = try r.u32()
        // Every result takes at least its two length prefixes: a count the frame cannot hold
        // is malformed before anything is allocated for it.
        guard Int(count) <= r.remaining / 8 else { throw .truncated }
        var results: [Result] = []
        results.reserveCapacity(Int(count))
        for _ in 0..<count {
            results.append(Result(callID: try r.string("callID"), text: try r.string("text")))
        }
        return FollowUp(
            requestID: requestID, results: results, stream: try r.bool("stream"), includeUsage: try r.bool("includeUsage"),
            model: try r.string("model"), keepAlive: try r.bool("keepAlive"), http10: try r.bool("http10"))
    }
}
