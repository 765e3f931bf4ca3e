// Runs in: a worker (`ccproxy-worker`).

import Foundation
import CCProxyPosix

/// The claude process groups this worker is running, so that a signal or the supervisor's
/// death can stop them before the worker exits (invariant 5).
enum TurnRegistry {
    private static let groups = Locked<Set<Int32>>([])

    static func add(_ group: Int32) { groups.withLock { _ = $0.insert(group) } }
    static func remove(_ group: Int32) { groups.withLock { _ = $0.remove(group) } }

    /// SIGKILLs every registered group. Safe to call from any thread.
    static func stopAll() {
        for group in groups.withLock({ $0 }) { _ = kill(-group, SIGKILL) }
    }
}
