// Runs in: the supervisor (`ccproxy serve`).
// The pool's logic as a pure state machine: events in, actions out. The I/O shell
// (`Supervisor`) performs the actions; this type never touches a process or a socket, so
// every decision it makes is unit-tested without either.

/// Decides when to spawn, hand off, queue, refuse, retire, respawn and stop.
///
/// Lifecycle: `running` → (SIGTERM) `draining` → `stopped`. While draining, no new
/// connections arrive (the listener is closed), queued ones are still served, idle workers
/// are told to exit, busy ones finish their turn; once every worker has exited the machine
/// asks the shell to exit. Past the drain deadline busy workers are terminated, then killed.
///
/// Crashes: a worker that exits abnormally costs only its own connection. Respawns to keep
/// `minIdle` idle workers are delayed by an exponential backoff while crashes keep coming,
/// and the backoff resets once a worker says hello again.
public struct WorkerPoolStateMachine: Sendable {
    public enum Lifecycle: Sendable, Equatable {
        case starting
        case running
        case draining(since: Double)
        case stopped
    }

    public enum Action: Sendable, Equatable {
        /// Start a worker process for this new slot and report `workerSpawned`/`spawnFailed`.
        case spawn(slot: UInt32)
        /// Pass the connection to the worker in `slot`.
        case handOff(connectionID: UInt64, slot: UInt32)
        /// Answer 503 on the connection and close it (no worker could take it).
        case refuse(connectionID: UInt64)
        /// Ask the worker to exit once it is done (`SupervisorMessage.shutdown`).
        case retire(slot: UInt32)
        /// Send a signal to a worker process.
        case signal(pid: Int32, signal: Int32)
        /// Stop accepting: close the listening socket(s).
        case closeListener
        /// The pool is up: tell systemd READY=1.
        case notifyReady
        /// Shutdown began: tell systemd STOPPING=1.
        case notifyStopping
        /// Everything below the supervisor has exited: exit with this code.
        case exit(code: Int32)
    }

    public private(set) var lifecycle: Lifecycle = .starting
    public private(set) var slots: [UInt32: WorkerSlot] = [:]
    public private(set) var queue: [UInt64] = []
    public let policy: PoolPolicy
    private var nextSlot: UInt32 = 1
    private var consecutiveCrashes = 0
    private var respawnNotBefore: Double = 0
    private var terminateSent = false
    private var killSent = false

    public init(policy: PoolPolicy) {
        self.policy = policy
    }

    public var idleCount: Int { slots.values.filter { $0.state == .idle }.count }
    public var busyCount: Int { slots.values.filter { if case .busy = $0.state { return true } else { return false } }.count }
    private var startingCount: Int { slots.values.filter { $0.state == .starting }.count }
    private var liveCount: Int { slots.values.filter { $0.state != .exiting }.count }

    /// The shell is up (listener bound, database open): pre-fork the first workers.
    public mutating func start(now: Double) -> [Action] {
        guard lifecycle == .starting else { return [] }
        return topUp(now: now)
    }

    /// A spawn requested by `.spawn(slot)` succeeded.
    public mutating func workerSpawned(slot: UInt32, pid: Int32) {
        slots[slot]?.pid = pid
    }

    /// A spawn requested by `.spawn(slot)` failed (exec error): counts as a crash.
    public mutating func spawnFailed(slot: UInt32, now: Double) -> [Action] {
        slots[slot] = nil
        noteCrash(now: now)
        return afterChange(now: now)
    }

    /// The worker in `slot` said hello: it is ready for connections.
    public mutating func workerReady(slot: UInt32, now: Double) -> [Action] {
        guard var worker = slots[slot], worker.state == .starting else { return [] }
        worker.state = .idle
        slots[slot] = worker
        consecutiveCrashes = 0
        var actions: [Action] = []
        if lifecycle == .starting && idleCount >= policy.minIdle {
            lifecycle = .running
            actions.append(.notifyReady)
        }
        return actions + afterChange(now: now)
    }

    /// A client connection was accepted.
    public mutating func connectionAccepted(_ id: UInt64, now: Double) -> [Action] {
        if case .draining = lifecycle { return [.refuse(connectionID: id)] }
        if lifecycle == .stopped { return [.refuse(connectionID: id)] }
        if let slot = firstIdleSlot() {
            slots[slot]?.state = .busy(connectionID: id)
            return [.handOff(connectionID: id, slot: slot)] + topUp(now: now)
        }
        guard queue.count < policy.maxQueue else { return [.refuse(connectionID: id)] }
        queue.append(id)
        return topUp(now: now)
    }

    /// The worker in `slot` finished its connection and is idle again.
    public mutating func connectionDone(slot: UInt32, now: Double) -> [Action] {
        guard var worker = slots[slot], case .busy = worker.state else { return [] }
        worker.served += 1
        worker.state = .idle
        slots[slot] = worker
        var actions: [Action] = []
        if worker.served >= policy.maxRequestsPerWorker {
            slots[slot]?.state = .exiting
            actions.append(.retire(slot: slot))
        }
        return actions + afterChange(now: now)
    }

    /// A worker process exited (reaped). `crashed` = killed by a signal or a non-zero exit.
    /// Returns the lost connection, if the worker was busy, with the actions.
    public mutating func workerExited(pid: Int32, crashed: Bool, now: Double) -> (lost: UInt64?, actions: [Action]) {
        guard let (slot, worker) = slots.first(where: { $0.value.pid == pid }) else { return (nil, []) }
        slots[slot] = nil
        var lost: UInt64?
        if case .busy(let id) = worker.state { lost = id }
        if crashed && worker.state != .exiting { noteCrash(now: now) }
        return (lost, afterChange(now: now))
    }

    /// Time passes: delayed respawns and drain escalation happen here.
    public mutating func tick(now: Double) -> [Action] {
        afterChange(now: now)
    }

    /// SIGTERM/SIGINT: graceful drain.
    public mutating func shutdownRequested(now: Double) -> [Action] {
        switch lifecycle {
        case .draining, .stopped: return []
        case .starting, .running:
            lifecycle = .draining(since: now)
            return [.notifyStopping, .closeListener] + afterChange(now: now)
        }
    }

    /// When the shell should call `tick` next (seconds from `now`), or nil for "no timer".
    public func nextDeadline(now: Double) -> Double? {
        if case .draining(let since) = lifecycle {
            let terminateAt = since + policy.drainTimeoutSeconds
            let killAt = terminateAt + policy.killAfterSeconds
            let next = terminateSent ? killAt : terminateAt
            return max(0, next - now)
        }
        if needsSpawn && respawnNotBefore > now { return respawnNotBefore - now }
        return nil
    }

    // MARK: - Internals

    private var needsSpawn: Bool {
        guard lifecycle == .starting || lifecycle == .running else { return false }
        return idleCount + startingCount < policy.minIdle + queue.count && liveCount < policy.maxWorkers
    }

    private func firstIdleSlot() -> UInt32? {
        slots.filter { $0.value.state == .idle }.map(\.key).min()
    }

    private mutating func noteCrash(now: Double) {
        consecutiveCrashes += 1
        var delay = policy.initialBackoffSeconds
        for _ in 1..<max(consecutiveCrashes, 1) { delay = min(delay * 2, policy.maxBackoffSeconds) }
        respawnNotBefore = now + min(delay, policy.maxBackoffSeconds)
    }

    /// Dispatches queued connections, keeps `minIdle` idle workers, retires surplus idle
    /// workers, and drives the drain.
    private mutating func afterChange(now: Double) -> [Action] {
        var actions: [Action] = []
        while !queue.isEmpty, let slot = firstIdleSlot() {
            let id = queue.removeFirst()
            slots[slot]?.state = .busy(connectionID: id)
            actions.append(.handOff(connectionID: id, slot: slot))
        }
        switch lifecycle {
        case .starting, .running:
            while idleCount > policy.maxIdle, let slot = firstIdleSlot() {
                slots[slot]?.state = .exiting
                actions.append(.retire(slot: slot))
            }
            actions += topUp(now: now)
        case .draining(let since):
            actions += drain(since: since, now: now)
        case .stopped:
            break
        }
        return actions
    }

    private mutating func topUp(now: Double) -> [Action] {
        var actions: [Action] = []
        while needsSpawn && now >= respawnNotBefore {
            let slot = nextSlot
            nextSlot += 1
            slots[slot] = WorkerSlot(id: slot, pid: 0, state: .starting, served: 0)
            actions.append(.spawn(slot: slot))
        }
        return actions
    }

    private mutating func drain(since: Double, now: Double) -> [Action] {
        var actions: [Action] = []
        // Queued connections still get served; anything without a worker to go to is refused.
        if !queue.isEmpty && slots.values.allSatisfy({ $0.state == .exiting }) {
            actions += queue.map { .refuse(connectionID: $0) }
            queue.removeAll()
        }
        for (id, worker) in slots.sorted(by: { $0.key < $1.key }) where worker.state == .idle || worker.state == .starting {
            if queue.isEmpty || worker.state == .starting {
                slots[id]?.state = .exiting
                actions.append(.retire(slot: id))
            }
        }
        if slots.isEmpty {
            lifecycle = .stopped
            actions += queue.map { .refuse(connectionID: $0) }
            queue.removeAll()
            actions.append(.exit(code: 0))
            return actions
        }
        let terminateAt = since + policy.drainTimeoutSeconds
        if now >= terminateAt && !terminateSent {
            terminateSent = true
            actions += slots.values.filter { $0.pid > 0 }.sorted { $0.id < $1.id }.map { .signal(pid: $0.pid, signal: 15) }
        }
        if now >= terminateAt + policy.killAfterSeconds && !killSent {
            killSent = true
            actions += slots.values.filter { $0.pid > 0 }.sorted { $0.id < $1.id }.map { .signal(pid: $0.pid, signal: 9) }
        }
        return actions
    }
}
