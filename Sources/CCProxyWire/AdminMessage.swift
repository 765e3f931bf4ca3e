/// Requests from `ccproxyctl` to the supervisor (admin socket). Even codes.
public enum AdminRequest: Sendable, Equatable {
    /// The pool as it is now.
    case status

    public var code: UInt16 {
        switch self {
        case .status: return 0
        }
    }

    public func encode() -> [UInt8] { Frame.encode(code: code, payload: []) }

    public static func decode(_ frame: [UInt8], maxBytes: Int) throws(WireError) -> AdminRequest {
        let (code, r) = try Frame.decode(frame, maxBytes: maxBytes)
        let request: AdminRequest
        switch code {
        case 0: request = .status
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

    public init(slot: UInt32, pid: Int32, state: String, served: UInt64) {
        self.slot = slot
        self.pid = pid
        self.state = state
        self.served = served
    }
}

/// The pool's state, for `ccproxyctl status`.
public struct StatusReport: Sendable, Equatable {
    public var supervisorPID: Int32
    public var listening: String
    public var draining: Bool
    public var queued: UInt32
    public var workers: [WorkerReport]

    public init(supervisorPID: Int32, listening: String, draining: Bool, queued: UInt32, workers: [WorkerReport]) {
        self.supervisorPID = supervisorPID
        self.listening = listening
        self.draining = draining
        self.queued = queued
        self.workers = workers
    }
}

/// Answers from the supervisor to `ccproxyctl`. Odd codes.
public enum AdminReply: Sendable, Equatable {
    case status(StatusReport)
    case error(String)

    public var code: UInt16 {
        switch self {
        case .status: return 1
        case .error: return 3
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
            }
        case .error(let message):
            w.string(message)
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
            guard count <= r.remaining / 17 else { throw .truncated }
            var workers: [WorkerReport] = []
            for _ in 0..<count {
                workers.append(
                    WorkerReport(slot: try r.u32(), pid: try r.i32(), state: try r.string("state"), served: try r.u64()))
            }
            reply = .status(StatusReport(supervisorPID: pid, listening: listening, draining: draining, queued: queued, workers: workers))
        case 3: reply = .error(try r.string("message"))
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
