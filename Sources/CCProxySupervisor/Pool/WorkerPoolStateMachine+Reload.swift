// Runs in: the supervisor (`ccproxy serve`).
// The pool state machine's reload event (SIGHUP, `ccproxyctl reload`).

extension WorkerPoolStateMachine {
    /// A new, already validated configuration is in force: new workers get generation + 1.
    /// Idle workers are replaced at once, busy ones when their connection ends; `policy`
    /// (sizes, timeouts) applies from now on. Ignored while draining or stopped.
    /// - Returns: the actions, ending with `notifyReloaded` once enough new workers are idle.
    public mutating func reloadRequested(policy newPolicy: PoolPolicy, now: Double) -> [Action] {
        switch lifecycle {
        case .draining, .stopped: return []
        case .starting, .running: break
        }
        policy = newPolicy
        generation += 1
        respawnHaltReason = nil
        consecutiveCrashes = 0
        respawnNotBefore = 0
        reloadPending = true
        return afterChange(now: now)
    }
}
