import Dispatch
import Glibc
import CCProxyPosix

/// Learns how this process's children ended, from one long-lived thread.
///
/// Why a thread of its own: waitpid(2) blocks, and a blocking call must not sit on a Swift
/// concurrency or event-loop thread. One thread for the whole process (instead of one per
/// child, detached) keeps the number of threads fixed however many turns run, and it is the
/// natural place to reap children that are not ours by spawning: a process that is a child
/// subreaper (PR_SET_CHILD_SUBREAPER) inherits orphaned grandchildren, which must be reaped
/// too or they stay zombies. Those are reaped and ignored.
///
/// Contract: call `watch(_:onExit:)` right after spawning a child (before anything else can
/// reap it). A process that uses the watcher must reap only through it (its `waitpid(-1)`
/// would otherwise race another waiter). `onExit` runs exactly once, on the watcher thread, with the child's status; keep
/// it short (signal, set state, complete a promise). A child that exited before `watch` was
/// called is still reported: its status is kept until claimed.
public final class ChildWatcher: Sendable {
    /// The process-wide watcher.
    public static let shared = ChildWatcher()

    private struct State {
        var handlers: [pid_t: @Sendable (ExitStatus) -> Void] = [:]
        /// Children reaped before anyone watched them (bounded: only our own spawns land here).
        var unclaimed: [pid_t: ExitStatus] = [:]
    }

    private let state = Locked(State())
    private let wake = DispatchSemaphore(value: 0)

    private init() {
        // The watcher is never deinitialised (it is the process-wide `shared`), so the thread
        // may hold it unretained-by-Swift for as long as the process lives.
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { argument in
            guard let argument else { return nil }
            Unmanaged<ChildWatcher>.fromOpaque(argument).takeUnretainedValue().loop()
            return nil
        }, context)
        if created == 0 { pthread_detach(thread) }
    }

    /// Calls `onExit` once `pid` has exited and been reaped.
    public func watch(_ pid: pid_t, onExit: @escaping @Sendable (ExitStatus) -> Void) {
        let early: ExitStatus? = state.withLock { state in
            if let status = state.unclaimed.removeValue(forKey: pid) { return status }
            state.handlers[pid] = onExit
            return nil
        }
        if let early {
            onExit(early)
        } else {
            wake.signal()
        }
    }

    private func loop() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, 0)
            if pid > 0 {
                let exit = ExitStatus(waitStatus: status)
                let handler = state.withLock { state -> (@Sendable (ExitStatus) -> Void)? in
                    if let handler = state.handlers.removeValue(forKey: pid) { return handler }
                    // Not watched (yet): keep it only if someone may still ask. Orphans adopted
                    // as a subreaper are never asked for; the cap keeps the map bounded.
                    if state.unclaimed.count < 1024 { state.unclaimed[pid] = exit }
                    return nil
                }
                handler?(exit)
                continue
            }
            if errno == EINTR { continue }
            // ECHILD: no children right now. Sleep until a new one is watched (or a short
            // while, in case one was spawned and exited before its `watch`).
            _ = wake.wait(timeout: .now() + .milliseconds(100))
        }
    }
}
