import CCPLinux
import Glibc

/// How a child process ended, decoded from a wait(2) status.
public enum ExitStatus: Sendable, Equatable, CustomStringConvertible {
    /// Normal exit with this code.
    case exited(Int32)
    /// Killed by this signal; `coreDumped` if it left a core.
    case signaled(Int32, coreDumped: Bool)

    public init(waitStatus status: Int32) {
        if ccp_wifsignaled(status) != 0 {
            self = .signaled(ccp_wtermsig(status), coreDumped: ccp_wcoredump(status) != 0)
        } else {
            self = .exited(ccp_wexitstatus(status))
        }
    }

    public var description: String {
        switch self {
        case .exited(let code): return "exited with code \(code)"
        case .signaled(let signal, let core):
            return "killed by signal \(signal)\(core ? " (core dumped)" : "")"
        }
    }
}

/// Reaping children.
public enum ChildReaper {
    /// Reaps one exited child without blocking, or returns nil when none has exited.
    /// Call in a loop until nil after every SIGCHLD. The corresponding C function is waitpid(2).
    public static func reapOne() -> (pid: pid_t, status: ExitStatus)? {
        var status: Int32 = 0
        let pid = waitpid(-1, &status, WNOHANG)
        guard pid > 0 else { return nil }
        return (pid, ExitStatus(waitStatus: status))
    }

    /// Waits for a specific child. Blocks unless `nonBlocking`; nil when it is still running
    /// (non-blocking) or not our child.
    public static func wait(for pid: pid_t, nonBlocking: Bool = false) -> ExitStatus? {
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, nonBlocking ? WNOHANG : 0)
            if r == pid { return ExitStatus(waitStatus: status) }
            if r < 0 && errno == EINTR { continue }
            return nil
        }
    }
}
