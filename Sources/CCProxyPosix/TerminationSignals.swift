import Glibc

/// SIGINT and SIGTERM, for a process that handles them as events (a dispatch source or a
/// signal pipe) rather than dying of them: their default action must be turned off first,
/// or the kernel ends the process before the event is seen.
public enum TerminationSignals {
    public static let all: [Int32] = [SIGINT, SIGTERM]

    /// Sets SIGINT and SIGTERM to SIG_IGN (a dispatch signal source still observes them).
    public static func ignoreDefaultAction() {
        for s in all { _ = signal(s, SIG_IGN) }
    }

    public static func name(_ signal: Int32) -> String {
        switch signal {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        default: "signal \(signal)"
        }
    }
}
