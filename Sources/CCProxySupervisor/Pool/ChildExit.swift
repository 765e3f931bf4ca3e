// Runs in: the supervisor (`ccproxy serve`).
// How a child ended, classified by the exit-code protocol (`WorkerExit`), as the pool sees it.

import CCProxyPosix
public import CCProxyWire

/// A reaped child's end, typed: the exit-code protocol of `WorkerExit`, another code, or a
/// signal.
public enum ChildExit: Sendable, Equatable, CustomStringConvertible {
    /// Exited with a code of the protocol.
    case exited(WorkerExit)
    /// Exited with a code outside the protocol (treated as a crash).
    case exitedWithCode(Int32)
    /// Killed by a signal (a crash, unless the supervisor sent it).
    case signaled(Int32, coreDumped: Bool)

    /// Classifies a wait(2) status.
    public init(_ status: ExitStatus) {
        switch status {
        case .exited(let code):
            self = WorkerExit(rawValue: code).map { .exited($0) } ?? .exitedWithCode(code)
        case .signaled(let signal, let core):
            self = .signaled(signal, coreDumped: core)
        }
    }

    /// Whether this end counts towards the respawn backoff: anything but a clean finish or
    /// a request failure that was already answered (PostgreSQL's "exit 0 or 1 is all right").
    public var isCrash: Bool {
        switch self {
        case .exited(.finished), .exited(.failed), .exited(.supervisorGone): return false
        case .exited(.fatalConfiguration): return false
        case .exitedWithCode, .signaled: return true
        }
    }

    /// The child says respawning it the same way cannot help (nginx's exit code 2).
    public var isFatalConfiguration: Bool { self == .exited(.fatalConfiguration) }

    public var description: String {
        switch self {
        case .exited(let code): return "exited with code \(code.rawValue) (\(code))"
        case .exitedWithCode(let code): return "exited with code \(code)"
        case .signaled(let signal, let core): return "killed by signal \(signal)\(core ? " (core dumped)" : "")"
        }
    }
}
