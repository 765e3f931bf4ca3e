import Glibc

/// A process group, named by its leader's pid (a child spawned with `newProcessGroup`).
///
/// Signalling the group reaches everything the leader started that stayed in the group
/// (tool processes, shells, their children), which is how a turn stops without orphans.
public struct ProcessGroup: Sendable, Hashable {
    public let id: pid_t

    public init(_ id: pid_t) {
        self.id = id
    }

    /// Sends `signal` to every member; a group that is already gone is not an error.
    public func signal(_ signal: Int32) {
        guard id > 1 else { return }
        _ = Glibc.kill(-id, signal)
    }

    /// SIGTERM, the polite request.
    public func terminate() { signal(SIGTERM) }

    /// SIGKILL, which nothing can ignore.
    public func kill() { signal(SIGKILL) }
}
