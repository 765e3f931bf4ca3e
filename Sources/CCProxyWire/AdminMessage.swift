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

    public var code: UInt16 {
        switch self {
        case .status: return 0
        case .reload: return 2
        case .sessions: return 30
        case .endSession: return 32
        }
    }

    public func encode() -> [UInt8] {
        var w = WireWriter()
        if case .endSession(let owner, let name) = self {
            w.optionalString(owner)
            w.string(name)
        }
        return Frame.encode(code: code, payload: w.bytes)
    }

    public static func decode(_ frame: [UInt8], maxBytes: Int) throws(WireError) -> AdminRequest {
        var (code, r) = try Frame.decode(frame, maxBytes: maxBytes)
        let request: AdminRequest
        switch code {
        case 0: request = .status
        case 2: request = .reload
        case 30: request = .sessions
        case 32: request = .endSession(owner: try r.optionalString("owner"), name: try r.string("name"))
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

    public init(slot: UInt32, pid: Int32, state: String, served: UInt64, generation: UInt32 = 1) {
        self.slot = slot
        self.pid = pid
        self.state = state
        self.served = served
        self.generation = generation
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

    public init(
        supervisorPID: Int32, listening: String, draining: Bool, queued: UInt32, workers: [WorkerReport],
        keepAliveIdle: UInt32 = 0, generation: UInt32 = 1, refused: UInt64 = 0, respawnHalted: String? = nil
    ) {
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

    public var code: UInt16 {
        switch self {
        case .status: return 1
        case .error: return 3
        case .reloaded: return 5
        case .sessions: return 31
        case .sessionsEnded: return 33
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
            }
            w.u32(report.keepAliveIdle)
            w.u32(report.generation)
            w.u64(report.refused)
            w.optionalString(report.respawnHalted)
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
            // Each worker needs at least 24 bytes: refuse counts the frame cannot hold.
            guard count <= r.remaining / 24 else { throw .truncated }
            var workers: [WorkerReport] = []
            for _ in 0..<count {
                workers.append(
                    WorkerReport(
                        slot: try r.u32(), pid: try r.i32(), state: try r.string("state"), served: try r.u64(),
                        generation: try r.u32()))
            }
            reply = .status(
                StatusReport(
                    supervisorPID: pid, listening: listening, draining: draining, queued: queued, workers: workers,
                    keepAliveIdle: try r.u32(), generation: try r.u32(), refused: try r.u64(),
                    respawnHalted: try r.optionalString("respawnHalted")))
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
