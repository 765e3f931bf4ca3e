/// Everything a worker may say to the supervisor: a closed, versioned vocabulary.
///
/// Codes are even (answers from the supervisor are odd, see `SupervisorMessage`), stable,
/// and never reused; a removed message leaves its code reserved here.
public enum WorkerMessage: Sendable, Equatable {
    /// First message on a channel; `role` must be the role the supervisor spawned the child
    /// as. The supervisor answers `welcome` or kills the child.
    case hello(protocolVersion: UInt16, pid: Int32, role: ChildRole)
    /// May this bearer use this scope? Answered by `authorized` or `refused` with the same
    /// correlation number. The bearer is at most `Limits.maxBearerBytes`. `requestID` is the
    /// request's id (`X-Request-Id`), shown by `ccproxyctl status` only: the supervisor
    /// trusts it for nothing and shortens it to `Limits.maxRequestIDBytes`.
    case authorize(correlation: UInt32, bearer: String, scope: String, requestID: String)
    /// A turn ended; its token usage is added to the token's daily total. No answer.
    case turnFinished(tokenID: String, inputTokens: UInt64, outputTokens: UInt64)
    /// The handed-off connection is finished and closed; the worker is idle again. No answer.
    case connectionDone
    /// A `claude` process group started for the current connection. Should the worker die
    /// before it reports the turn over, the supervisor kills this group: no orphans.
    case turnStarted(processGroup: Int32)
    /// The process group reported by `turnStarted` is gone. No answer.
    case turnEnded
    /// The handed-off connection goes back to the supervisor, which waits for it to become
    /// readable again (see `HandBackReason`); the worker is idle again. The only worker
    /// message that carries a descriptor (the client socket, via SCM_RIGHTS); it must carry
    /// exactly one. `pendingBytes` is what the worker saw in the socket's receive queue
    /// without reading it (0 for `keepAlive`). No answer.
    case handBack(connectionID: UInt64, reason: HandBackReason, pendingBytes: UInt32)
    /// May the current connection's turn use persistent session `name` (of the owner of the
    /// token the supervisor granted on this connection)? `workspace` is the configured
    /// workspace the request names, if any: a new session is bound to it. Answered by
    /// `sessionLeased` or `refused` with the same correlation number, possibly after a
    /// bounded wait while another turn holds the session.
    case acquireSession(correlation: UInt32, name: String, workspace: String?)
    /// The turn on the leased session is over; `started` says whether claude now holds the
    /// conversation (the next turn resumes it). Frees the session for the next turn. No answer.
    case releaseSession(started: Bool)
    /// One HTTP request on the current connection is answered (see `RequestObservation`),
    /// for the metrics. Sent before the connection is done or handed back. No answer.
    case requestObserved(RequestObservation)
    /// The current connection (a `GET /bridge` whose bearer the supervisor granted with
    /// `bridge:connect` and a principal) is an upgraded bridge websocket whose daemon said
    /// `hello` with these figures. May it stay as the principal's bridge? Answered by
    /// `bridgeAccepted` (the worker is a bridge worker from then on, out of the pool, until
    /// the websocket ends and it exits) or `refused` (it stays a pool worker and closes the
    /// websocket with the refusal's message). The principal is the grant's, never the
    /// worker's word. Strings are at most `Limits.maxBridgeDescriptionBytes`.
    case registerBridge(correlation: UInt32, daemonVersion: String, root: String, allowWrite: Bool, allowExec: Bool)
    /// A bridge worker relayed one answered bridge request (the only message a bridge worker
    /// sends after `bridgeAccepted`).
    case bridgeCallObserved(BridgeCallObservation)
    /// The current connection's turn has answered with calls of the client's functions and its
    /// claude now waits for their results (`callIDs`, at most `Limits.maxToolsPerRequest`,
    /// each at most `Limits.maxToolCallIDBytes`). Once this connection is done or handed back
    /// the worker holds the waiting turn: out of the pool's idle workers, its grants and claude
    /// group kept, until `continueWaitingTurn` or `endWaitingTurn`. No answer.
    case turnWaits(callIDs: [String])
    /// The waiting turn is over (its claude was stopped or exited, or it was told to end); the
    /// worker is idle again. No answer.
    case waitingTurnEnded
    /// Does a turn of the token granted for the current request wait for exactly these calls'
    /// results? Answered by `waitingTurnFound` with the same correlation number; found, the
    /// turn is reserved for this connection until `passToWaitingTurn` (or a short deadline).
    case findWaitingTurn(correlation: UInt32, callIDs: [String])
    /// The current connection (its descriptor comes with the message) goes to the turn
    /// reserved for it, with the follow-up it carried; this worker is done with it and idle
    /// again. No answer.
    case passToWaitingTurn(connectionID: UInt64, followUp: FollowUp)

    public var code: UInt16 {
        switch self {
        case .hello: return 0
        case .authorize: return 2
        case .turnFinished: return 4
        case .connectionDone: return 6
        case .turnStarted: return 8
        case .turnEnded: return 10
        case .handBack: return 12
        case .acquireSession: return 20
        case .releaseSession: return 22
        case .requestObserved: return 24
        case .registerBridge: return 26
        case .bridgeCallObserved: return 28
        case .turnWaits: return 30
        case .waitingTurnEnded: return 32
        case .findWaitingTurn: return 34
        case .passToWaitingTurn: return 36
        }
    }

    /// Whether a frame with this message must carry exactly one descriptor (and every other
    /// message none). Checked by the supervisor before it decodes anything else.
    public var carriesDescriptor: Bool {
        switch self {
        case .handBack, .passToWaitingTurn: return true
        default: return false
        }
    }

    /// Whether frames with this code carry a descriptor; nil for an unknown code.
    public static func carriesDescriptor(code: UInt16) -> Bool? {
        switch code {
        case 12, 36: return true
        case 0, 2, 4, 6, 8, 10, 20, 22, 24, 26, 28, 30, 32, 34: return false
        default: return nil
        }
    }

    /// The complete frame.
    public func encode() -> [UInt8] {
        var w = WireWriter()
        switch self {
        case .hello(let version, let pid, let role):
            w.u16(version)
            w.i32(pid)
            w.u8(role.rawValue)
        case .authorize(let correlation, let bearer, let scope, let requestID):
            w.u32(correlation)
            w.string(bearer)
            w.string(scope)
            w.string(requestID)
        case .turnFinished(let tokenID, let input, let output):
            w.string(tokenID)
            w.u64(input)
            w.u64(output)
        case .turnStarted(let group):
            w.i32(group)
        case .handBack(let id, let reason, let pending):
            w.u64(id)
            w.u8(reason.rawValue)
            w.u32(pending)
        case .acquireSession(let correlation, let name, let workspace):
            w.u32(correlation)
            w.string(name)
            w.optionalString(workspace)
        case .releaseSession(let started):
            w.bool(started)
        case .bridgeCallObserved(let observation):
            observation.encode(into: &w)
        case .requestObserved(let observation):
            observation.encode(into: &w)
        case .registerBridge(let correlation, let version, let root, let allowWrite, let allowExec):
            w.u32(correlation)
            w.string(version)
            w.string(root)
            w.bool(allowWrite)
            w.bool(allowExec)
        case .turnWaits(let callIDs):
            w.strings(callIDs)
        case .findWaitingTurn(let correlation, let callIDs):
            w.u32(correlation)
            w.strings(callIDs)
        case .passToWaitingTurn(let id, let followUp):
            w.u64(id)
            followUp.encode(into: &w)
        case .connectionDone, .turnEnded, .waitingTurnEnded:
            break
        }
        return Frame.encode(code: code, payload: w.bytes)
    }

    /// Decodes one frame. Never traps.
    public static func decode(_ frame: [UInt8], maxBytes: Int) throws(WireError) -> WorkerMessage {
        var (code, r) = try Frame.decode(frame, maxBytes: maxBytes)
        let message: WorkerMessage
        switch code {
        case 0:
            let version = try r.u16()
            let pid = try r.i32()
            guard let role = ChildRole(rawValue: try r.u8()) else { throw .malformed(field: "role") }
            message = .hello(protocolVersion: version, pid: pid, role: role)
        case 2:
            message = .authorize(
                correlation: try r.u32(), bearer: try r.string("bearer"), scope: try r.string("scope"),
                requestID: try r.string("requestID"))
        case 4:
            message = .turnFinished(tokenID: try r.string("tokenID"), inputTokens: try r.u64(), outputTokens: try r.u64())
        case 6: message = .connectionDone
        case 8: message = .turnStarted(processGroup: try r.i32())
        case 10: message = .turnEnded
        case 12:
            let id = try r.u64()
            guard let reason = HandBackReason(rawValue: try r.u8()) else { throw .malformed(field: "reason") }
            message = .handBack(connectionID: id, reason: reason, pendingBytes: try r.u32())
        case 20:
            message = .acquireSession(
                correlation: try r.u32(), name: try r.string("name"), workspace: try r.optionalString("workspace"))
        case 22: message = .releaseSession(started: try r.bool("started"))
        case 24: message = .requestObserved(try RequestObservation.decode(from: &r))
        case 28: message = .bridgeCallObserved(try BridgeCallObservation.decode(from: &r))
        case 26:
            message = .registerBridge(
                correlation: try r.u32(), daemonVersion: try r.string("daemonVersion"), root: try r.string("root"),
                allowWrite: try r.bool("allowWrite"), allowExec: try r.bool("allowExec"))
        case 30: message = .turnWaits(callIDs: try r.strings("callIDs"))
        case 32: message = .waitingTurnEnded
        case 34: message = .findWaitingTurn(correlation: try r.u32(), callIDs: try r.strings("callIDs"))
        case 36: message = .passToWaitingTurn(connectionID: try r.u64(), followUp: try FollowUp.decode(from: &r))
        default: throw .unknownType(code)
        }
        try r.finish()
        return message
    }
}
