/// Requests from `ccproxyctl` to the supervisor (admin socket). Even codes.
public enum AdminRequest: Sendable, Equatable {
    /// The pool as it is now.
    case status
    /// Reload config.yaml as SIGHUP does; answered by `reloaded` with every problem found.
    case reload
    /// Every persistent session; answered by `sessions`.
    case sessions
    /// Ends the sessions called `name` of `owner` (of every owner when nil) that no turn is
    /// using; answered by `sessionsEnded`.
    case endSession(owner: String?, name: String)
    /// Mints a token; answered by `tokenCreated` (with its bearer) or `error`.
    case tokenCreate(TokenCreateRequest)
    /// Every token, newest first; answered by `tokens`.
    case tokenList
    /// Deletes a token by id or unique name; answered by `tokenRevoked` or `error`.
    case tokenRevoke(idOrName: String)
    /// Gives a token a new bearer; answered by `tokenRotated` or `error`.
    case tokenRotate(idOrName: String)
    /// Changes a token's settings; answered by `tokenUpdated` or `error`.
    case tokenUpdate(TokenUpdateRequest)
    /// Every connected bridge; answered by `bridges`.
    case bridgeList

    public var code: UInt16 {
        switch self {
        case .status: return 0
        case .reload: return 2
        case .tokenCreate: return 4
        case .tokenList: return 6
        case .tokenRevoke: return 8
        case .tokenRotate: return 10
        case .tokenUpdate: return 12
        case .sessions: return 30
        case .endSession: return 32
        case .bridgeList: return 40
        }
    }

    public func encode() -> [UInt8] {
        var w = WireWriter()
        switch self {
        case .status, .reload, .sessions, .tokenList, .bridgeList:
            break
        case .endSession(let owner, let name):
            w.optionalString(owner)
            w.string(name)
        case .tokenCreate(let request):
            request.encode(into: &w)
        case .tokenRevoke(let idOrName), .tokenRotate(let idOrName):
            w.string(idOrName)
        case .tokenUpdate(let request):
            request.encode(into: &w)
        }
        return Frame.encode(code: code, payload: w.bytes)
    }

    public static func decode(_ frame: [UInt8], maxBytes: Int) throws(WireError) -> AdminRequest {
        var (code, r) = try Frame.decode(frame, maxBytes: maxBytes)
        let request: AdminRequest
        switch code {
        case 0: request = .status
        case 2: request = .reload
        case 4: request = .tokenCreate(try TokenCreateRequest.decode(from: &r))
        case 6: request = .tokenList
        case 8: request = .tokenRevoke(idOrName: try r.string("idOrName"))
        case 10: request = .tokenRotate(idOrName: try r.string("idOrName"))
        case 12: request = .tokenUpdate(try TokenUpdateRequest.decode(from: &r))
        case 30: request = .sessions
        case 32: request = .endSession(owner: try r.optionalString("owner"), name: try r.string("name"))
        case 40: request = .bridgeList
        default: throw .unknownType(code)
        }
        try r.finish()
        return request
    }
}

/// One worker as the supervisor sees it.
public struct WorkerReport: Sendable, Equatable {
    public var slot: UInt32
    public var pid: Int32
    /// `starting`, `idle`, `busy` or `exiting`.
    public var state: String
    /// Connections served so far.
    public var served: UInt64
    /// The configuration generation the worker was started with (1 = as started; +1 per
    /// accepted reload).
    public var generation: UInt32
    /// The id of the request it serves, once that request asked for authorization; nil
    /// when idle or before.
    public var requestID: String?
    /// The name of the token the request in progress was granted, or nil.
    public var tokenName: String?

    /// The least a worker takes on the wire (three u32, a u64, two presence bytes): a
    /// count announcing more than the frame can hold is refused before allocating.
    static let minimumEncodedBytes = 4 + 4 + 4 + 8 + 4 + 1 + 1

    public init(
        slot: UInt32, pid: Int32, state: String, served: UInt64, generation: UInt32 = 1, requestID: String? = nil,
        tokenName: String? = nil
    ) {
        self.slot = slot
        self.pid = pid
        self.state = state
        self.served = served
        self.generation = generation
        self.requestID = requestID
        self.tokenName = tokenName
    }
}

/// The pool's state, for `ccproxyctl status`.
public struct StatusReport: Sendable, Equatable {
    public var supervisorPID: Int32
    public var listening: String
    public var draining: Bool
    public var queued: UInt32
    public var workers: [WorkerReport]
    /// Idle keep-alive connections waiting in the supervisor for their next request.
    public var keepAliveIdle: UInt32
    /// The current configuration generation.
    public var generation: UInt32
    /// Connections the supervisor answered 503 itself, since start.
    public var refused: UInt64
    /// Why a role is no longer respawned (a child exited with the fatal-configuration
    /// code), or nil.
    public var respawnHalted: String?
    /// Whole seconds since the supervisor started.
    public var uptimeSeconds: UInt64
    /// Connections handed to workers since start (a kept-alive connection counts once per
    /// hand-off).
    public var served: UInt64

    public init(
        supervisorPID: Int32, listening: String, draining: Bool, queued: UInt32, workers: [WorkerReport],
        keepAliveIdle: UInt32 = 0, generation: UInt32 = 1, refused: UInt64 = 0, respawnHalted: String? = nil,
        uptimeSeconds: UInt64 = 0, served: UInt64 = 0
    ) {
        self.uptimeSeconds = uptimeSeconds
        self.served = served
        self.supervisorPID = supervisorPID
        self.listening = listening
        self.draining = draining
        self.queued = queued
        self.workers = workers
        self.keepAliveIdle = keepAliveIdle
        self.generation = generation
        self.refused = refused
        self.respawnHalted = respawnHalted
    }
}

/// The outcome of a reload (`ccproxyctl reload`, SIGHUP).
public struct ReloadReport: Sendable, Equatable {
    /// Whether the new configuration was taken.
    public var accepted: Bool
    /// The generation in force afterwards.
    public var generation: UInt32
    /// Every problem found (empty when accepted; notes such as "listen changed, needs a
    /// restart" may accompany an accepted reload).
    public var problems: [String]

    public init(accepted: Bool, generation: UInt32, problems: [String]) {
        self.accepted = accepted
        self.generation = generation
        self.problems = problems
    }
}

/// Answers from the supervisor to `ccproxyctl`. Odd codes.
public enum AdminReply: Sendable, Equatable {
    case status(StatusReport)
    case error(String)
    case reloaded(ReloadReport)
    /// Every persistent session, most recently used first.
    case sessions([SessionReport])
    /// How many sessions `endSession` ended, and the owners whose session of that name a
    /// turn was using (not ended).
    case sessionsEnded(count: UInt32, busyOwners: [String])
    /// The token created and its bearer, which exists nowhere else.
    case tokenCreated(TokenReport, bearer: String)
    /// Every token, newest first.
    case tokens([TokenReport])
    /// The token revoked (as it was).
    case tokenRevoked(TokenReport)
    /// The token rotated and its new bearer.
    case tokenRotated(TokenReport, bearer: String)
    /// The token as updated.
    case tokenUpdated(TokenReport)
    /// Every connected bridge, oldest first.
    case bridges([BridgeReport])

    public var code: UInt16 {
        switch self {
        case .status: return 1
        case .error: return 3
        case .reloaded: return 5
        case .tokenCreated: return 7
        case .tokens: return 9
        case .tokenRevoked: return 11
        case .tokenRotated: return 13
        case .tokenUpdated: return 15
        case .sessions: return 31
        case .sessionsEnded: return 33
        case .bridges: return 41
        }
    }

    public func encode() -> [UInt8] {
        var w = WireWriter()
        switch self {
        case .status(let report):
            w.i32(report.supervisorPID)
            w.string(report.listening)
            w.bool(report.draining)
            w.u32(report.queued)
            w.u32(UInt32(report.workers.count))
            for worker in report.workers {
                w.u32(worker.slot)
                w.i32(worker.pid)
                w.string(worker.state)
                w.u64(worker.served)
                w.u32(worker.generation)
                w.optionalString(worker.requestID)
                w.optionalString(worker.tokenName)
            }
            w.u32(report.keepAliveIdle)
            w.u32(report.generation)
            w.u64(report.refused)
            w.optionalString(report.respawnHalted)
            w.u64(report.uptimeSeconds)
            w.u64(report.served)
        case .error(let message):
            w.string(message)
        case .reloaded(let report):
            w.bool(report.accepted)
            w.u32(report.generation)
            w.strings(report.problems)
        case .sessions(let reports):
            w.u32(UInt32(clamping: reports.count))
            for report in reports { report.encode(into: &w) }
        case .sessionsEnded(let count, let busyOwners):
            w.u32(count)
            w.strings(busyOwners)
        case .tokenCreated(let report, let bearer), .tokenRotated(let report, let bearer):
            report.encode(into: &w)
            w.string(bearer)
        case .tokens(let reports):
            w.u32(UInt32(clamping: reports.count))
            for report in reports { report.encode(into: &w) }
        case .tokenRevoked(let report), .tokenUpdated(let report):
            report.encode(into: &w)
        case .bridges(let reports):
            w.u32(UInt32(clamping: reports.count))
            for report in reports { report.encode(into: &w) }
        }
        return Frame.encode(code: code, payload: w.bytes)
    }

    public static func decode(_ frame: [UInt8], maxBytes: Int) throws(WireError) -> AdminReply {
        var (code, r) = try Frame.decode(frame, maxBytes: maxBytes)
        let reply: AdminReply
        switch code {
        case 1:
            let pid = try r.i32()
            let listening = try r.string("listening")
            let draining = try r.bool("draining")
            let queued = try r.u32()
            let count = Int(try r.u32())
            // Refuse counts the frame cannot hold before allocating for them.
            guard count <= r.remaining / WorkerReport.minimumEncodedBytes else { throw .truncated }
            var workers: [WorkerReport] = []
            for _ in 0..<count {
                workers.append(
                    WorkerReport(
                        slot: try r.u32(), pid: try r.i32(), state: try r.string("state"), served: try r.u64(),
                        generation: try r.u32(), requestID: try r.optionalString("requestID"),
                        tokenName: try r.optionalString("tokenName")))
            }
            reply = .status(
                StatusReport(
                    supervisorPID: pid, listening: listening, draining: draining, queued: queued, workers: workers,
                    keepAliveIdle: try r.u32(), generation: try r.u32(), refused: try r.u64(),
                    respawnHalted: try r.optionalString("respawnHalted"), uptimeSeconds: try r.u64(), served: try r.u64()))
        case 3: reply = .error(try r.string("message"))
        case 5:
            reply = .reloaded(
                ReloadReport(accepted: try r.bool("accepted"), generation: try r.u32(), problems: try r.strings("problems")))
        case 31:
            let count = Int(try r.u32())
            guard count <= r.remaining / SessionReport.minimumEncodedBytes else { throw .truncated }
            var reports: [SessionReport] = []
            for _ in 0..<count { reports.append(try SessionReport.decode(from: &r)) }
            reply = .sessions(reports)
        case 33: reply = .sessionsEnded(count: try r.u32(), busyOwners: try r.strings("busyOwners"))
        case 7: reply = .tokenCreated(try TokenReport.decode(from: &r), bearer: try r.string("bearer"))
        case 9:
            let count = Int(try r.u32())
            guard count <= r.remaining / TokenReport.minimumEncodedBytes else { throw .truncated }
            var reports: [TokenReport] = []
            for _ in 0..<count { reports.append(try TokenReport.decode(from: &r)) }
            reply = .tokens(reports)
        case 11: reply = .tokenRevoked(try TokenReport.decode(from: &r))
        case 13: reply = .tokenRotated(try TokenReport.decode(from: &r), bearer: try r.string("bearer"))
        case 15: reply = .tokenUpdated(try TokenReport.decode(from: &r))
        case 41:
            let count = Int(try r.u32())
            guard count <= r.remaining / BridgeReport.minimumEncodedBytes else { throw .truncated }
            var reports: [BridgeReport] = []
            for _ in 0..<count { reports.append(try BridgeReport.decode(from: &r)) }
            reply = .bridges(reports)
        default: throw .unknownType(code)
        }
        try r.finish()
        return reply
    }
}

/// Where the admin socket lives inside the state directory.
public enum AdminSocket {
    public static func path(stateDirectory: String) -> String { stateDirectory + "/ccproxy.sock" }
}
