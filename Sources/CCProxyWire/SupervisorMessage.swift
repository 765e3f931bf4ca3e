/// Everything the supervisor may say to a worker. Codes are odd and stable.
public enum SupervisorMessage: Sendable, Equatable {
    /// Answer to `hello`: the worker's slot number.
    case welcome(protocolVersion: UInt16, slot: UInt32)
    /// Answer to `authorize`: allowed, with the token's identity.
    case authorized(correlation: UInt32, grant: TokenGrant)
    /// Answer to `authorize`: refused, with the error the client must see; a non-zero
    /// `retryAfterSeconds` becomes the response's `Retry-After` (rate limits). `limits` is
    /// set when the bearer was authenticated (a 403 or 429), for the `x-ratelimit-*` headers.
    case refused(
        correlation: UInt32, status: UInt16, type: String, code: String?, message: String, retryAfterSeconds: UInt32 = 0,
        limits: RateLimitFigures? = nil)
    /// A client connection to serve. The only message that carries a descriptor (the
    /// accepted socket, via SCM_RIGHTS); the number identifies it in logs.
    case handoff(connectionID: UInt64)
    /// Answer to `acquireSession`: the session is this turn's until `releaseSession`.
    case sessionLeased(correlation: UInt32, lease: SessionLease)
    /// A scrape connection of `metrics_listen` to serve with the exposition sent just before
    /// it in `metricsPart` frames (the worker answers `GET /metrics` with it, anything else
    /// 404, and closes). Carries the accepted socket, like `handoff`.
    case metricsScrape(connectionID: UInt64)
    /// One piece of the Prometheus exposition for the next `metricsScrape`, in order; the
    /// worker keeps at most `Limits.maxMetricsExpositionBytes` of them.
    case metricsPart([UInt8])
    /// Answer to `registerBridge`: the worker now holds the principal's bridge, number
    /// `bridgeID` (for logs and `ccproxyctl bridges`), and has left the pool. Carries the
    /// worker's end of the stream socket to the bridge's FUSE helper (`ccproxy-fuse`), whose
    /// requests the worker relays to the daemon and whose answers it relays back.
    case bridgeAccepted(correlation: UInt32, bridgeID: UInt64)
    /// The answer to `findWaitingTurn`: whether such a turn waits (and is now reserved for the
    /// asking worker's connection).
    case waitingTurnFound(correlation: UInt32, found: Bool)
    /// The follow-up for this worker's waiting turn, on connection `connectionID` (its
    /// descriptor comes with the message): the worker serves it and the connection is its own
    /// from now on, as if handed off.
    case continueWaitingTurn(connectionID: UInt64, followUp: FollowUp)
    /// The waiting turn has waited `tool_result_timeout` (or its reservation lapsed): stop its
    /// claude and answer `waitingTurnEnded`.
    case endWaitingTurn
    /// Finish what you are doing and exit 0 (pool shrink, recycling, reload, drain).
    case shutdown

    public var code: UInt16 {
        switch self {
        case .welcome: return 1
        case .authorized: return 3
        case .refused: return 5
        case .handoff: return 7
        case .shutdown: return 9
        case .sessionLeased: return 17
        case .metricsScrape: return 19
        case .metricsPart: return 21
        case .bridgeAccepted: return 27
        case .waitingTurnFound: return 29
        case .continueWaitingTurn: return 31
        case .endWaitingTurn: return 33
        }
    }

    /// Whether a frame with this message must carry exactly one descriptor (and every other
    /// message none). In the other direction only `WorkerMessage.handBack` carries one.
    public var carriesDescriptor: Bool {
        switch self {
        case .handoff, .metricsScrape, .bridgeAccepted, .continueWaitingTurn: return true
        default: return false
        }
    }

    /// Whether frames with this code carry a descriptor; nil for an unknown code.
    public static func carriesDescriptor(code: UInt16) -> Bool? {
        switch code {
        case 7, 19, 27, 31: return true
        case 1, 3, 5, 9, 17, 21, 29, 33: return false
        default: return nil
        }
    }

    public func encode() -> [UInt8] {
        var w = WireWriter()
        switch self {
        case .welcome(let version, let slot):
            w.u16(version)
            w.u32(slot)
        case .authorized(let correlation, let grant):
            w.u32(correlation)
            grant.encode(into: &w)
        case .refused(let correlation, let status, let type, let code, let message, let retryAfter, let limits):
            w.u32(correlation)
            w.u16(status)
            w.string(type)
            w.optionalString(code)
            w.string(message)
            w.u32(retryAfter)
            w.bool(limits != nil)
            limits?.encode(into: &w)
        case .handoff(let id):
            w.u64(id)
        case .sessionLeased(let correlation, let lease):
            w.u32(correlation)
            lease.encode(into: &w)
        case .metricsScrape(let id):
            w.u64(id)
        case .metricsPart(let bytes):
            w.blob(bytes)
        case .bridgeAccepted(let correlation, let id):
            w.u32(correlation)
            w.u64(id)
        case .waitingTurnFound(let correlation, let found):
            w.u32(correlation)
            w.bool(found)
        case .continueWaitingTurn(let id, let followUp):
            w.u64(id)
            followUp.encode(into: &w)
        case .shutdown, .endWaitingTurn:
            break
        }
        return Frame.encode(code: code, payload: w.bytes)
    }

    public static func decode(_ frame: [UInt8], maxBytes: Int) throws(WireError) -> SupervisorMessage {
        var (code, r) = try Frame.decode(frame, maxBytes: maxBytes)
        let message: SupervisorMessage
        switch code {
        case 1: message = .welcome(protocolVersion: try r.u16(), slot: try r.u32())
        case 3: message = .authorized(correlation: try r.u32(), grant: try TokenGrant.decode(from: &r))
        case 5:
            message = .refused(
                correlation: try r.u32(), status: try r.u16(), type: try r.string("type"),
                code: try r.optionalString("code"), message: try r.string("message"), retryAfterSeconds: try r.u32(),
                limits: try r.bool("limits") ? try RateLimitFigures.decode(from: &r) : nil)
        case 7: message = .handoff(connectionID: try r.u64())
        case 9: message = .shutdown
        case 17: message = .sessionLeased(correlation: try r.u32(), lease: try SessionLease.decode(from: &r))
        case 19: message = .metricsScrape(connectionID: try r.u64())
        case 21: message = .metricsPart(try r.blob())
        case 27: message = .bridgeAccepted(correlation: try r.u32(), bridgeID: try r.u64())
        case 29: message = .waitingTurnFound(correlation: try r.u32(), found: try r.bool("found"))
        case 31: message = .continueWaitingTurn(connectionID: try r.u64(), followUp: try FollowUp.decode(from: &r))
        case 33: message = .endWaitingTurn
        default: throw .unknownType(code)
        }
        try r.finish()
        return message
    }
}
