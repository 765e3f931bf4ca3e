// Runs in: the supervisor (`ccproxy serve`).
// The pool's logic as a pure state machine: events in, actions out. The I/O shell
// (`Supervisor`) performs the actions; this type never touches a process or a socket, so
// every decision it makes is unit-tested without either. Time is the shell's monotonic clock
// in seconds.

/// Decides when to spawn, hand off, queue, park, refuse, close, retire, respawn and stop.
///
/// Lifecycle: `starting` → (first `minIdle` hellos) `running` → (SIGTERM) `draining` →
/// `stopped`. While draining, no new connections arrive (the listener is closed), queued ones
/// are still served, idle keep-alive connections are closed, idle workers are told to exit,
/// busy ones finish their turn; once every worker has exited the machine asks the shell to
/// exit. Past the drain deadline busy workers are terminated, then killed.
///
/// Connections: accepted → handed to an idle worker, or queued (bounded by `maxQueue` and
/// `queueTimeoutSeconds`, and per source by `maxWaitingPerSource`), or refused with the
/// supervisor's own 503. A worker hands a kept-alive connection back after its response; it
/// is parked until readable (then dispatched like a new one), the keep-alive timeout, or the
/// idle limit. A worker also hands back a connection whose head is still arriving; it is
/// parked until more bytes arrive or the head deadline passes.
///
/// Crashes: a worker that crashes costs only its own connection. Respawns are delayed by
/// an exponential backoff while crashes keep coming; the backoff resets at the next hello.
/// A worker exiting with the fatal-configuration code halts respawning until a reload.
///
/// Reload: the generation goes up; idle workers of older generations are retired and
/// replaced, busy ones are retired when their connection ends. `notifyReloaded` comes once
/// `minIdle` workers of the new generation are idle.
public struct WorkerPoolStateMachine: Sendable {
    public enum Lifecycle: Sendable, Equatable {
        case starting
        case running
        case draining(since: Double)
        case stopped
    }

    public enum Action: Sendable, Equatable {
        /// Start a worker process for this new slot with this generation's settings, and
        /// report `workerSpawned`/`spawnFailed`.
        case spawn(slot: UInt32, generation: UInt32)
        /// Pass the connection to the worker in `slot`.
        case handOff(connectionID: UInt64, slot: UInt32)
        /// Answer 503 on the connection and close it (no worker could take it).
        case refuse(connectionID: UInt64, reason: RefusalReason)
        /// Watch the connection for readability (`connectionReadable`/`connectionClosedByPeer`).
        /// For `.incompleteHead(n)`, only more than `n` queued bytes count as readable.
        case park(connectionID: UInt64, reason: PoolConnection.ParkReason)
        /// Close a connection the supervisor holds, without answering.
        case closeConnection(connectionID: UInt64, reason: ConnectionCloseReason)
        /// Ask the worker to exit once it is done (`SupervisorMessage.shutdown`).
        case retire(slot: UInt32)
        /// Send a signal to a worker process.
        case signal(pid: Int32, signal: Int32)
        /// Stop accepting: close the listening socket(s).
        case closeListener
        /// The pool is up: tell systemd READY=1.
        case notifyReady
        /// A reload is in force (new-generation workers are ready): READY=1 again.
        case notifyReloaded(generation: UInt32)
        /// Shutdown began: tell systemd STOPPING=1.
        case notifyStopping
        /// A worker exited with the fatal-configuration code: respawning stops; say so loudly.
        case respawnHalted(reason: String)
        /// Everything below the supervisor has exited: exit with this code.
        case exit(code: Int32)
        /// The waiting turn of the worker in `slot` has waited long enough: tell it to end
        /// (`SupervisorMessage.endWaitingTurn`).
        case endWaitingTurn(slot: UInt32)
        /// The follow-up passed earlier for the waiting turn in `slot` (see
        /// `WorkerSlot.passedConnection`) can go to it now.
        case continueWaitingTurn(connectionID: UInt64, slot: UInt32)
    }

    public internal(set) var lifecycle: Lifecycle = .starting
    public internal(set) var slots: [UInt32: WorkerSlot] = [:]
    /// Queued connection ids, oldest first.
    public internal(set) var queue: [UInt64] = []
    /// Every connection not yet closed or lost.
    public internal(set) var connections: [UInt64: PoolConnection] = [:]
    public internal(set) var counters = PoolCounters()
    /// The configuration generation new workers get.
    public internal(set) var generation: UInt32 = 1
    /// Why respawning is halted (fatal configuration), or nil.
    public internal(set) var respawnHaltReason: String?
    public internal(set) var policy: PoolPolicy
    var nextSlot: UInt32 = 1
    var consecutiveCrashes = 0
    var respawnNotBefore: Double = 0
    var terminateSent = false
    var killSent = false
    /// A reload waits for its new workers before `notifyReloaded`.
    var reloadPending = false

    public init(policy: PoolPolicy) {
        self.policy = policy
    }

    public var idleCount: Int { slots.values.filter { $0.state == .idle }.count }
    public var busyCount: Int { slots.values.filter { if case .busy = $0.state { return true } else { return false } }.count }
    /// Idle keep-alive connections held by the supervisor.
    public var keepAliveCount: Int { connections.values.filter { $0.phase.isKeepAlive }.count }
    var startingCount: Int { slots.values.filter { $0.state == .starting }.count }
    var liveCount: Int { slots.values.filter { $0.state != .exiting }.count }

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

    /// The worker in `slot` finished its connection (and closed it) and is idle again.
    public mutating func connectionDone(slot: UInt32, now: Double) -> [Action] {
        guard let worker = slots[slot], case .busy(let id) = worker.state else { return [] }
        connections[id] = nil
        return workerFreed(slot: slot, servedOne: true, now: now)
    }

    /// The worker in `slot` took its connection out of the pool for good (it holds a bridge
    /// websocket now, see `BridgeRegistry`): the slot and the connection are forgotten, as if
    /// the worker had exited with it, and the pool refills behind it. The process itself is
    /// the supervisor's to watch from now on, not the pool's.
    public mutating func workerDetached(slot: UInt32, now: Double) -> [Action] {
        guard let worker = slots[slot], case .busy(let id) = worker.state else { return [] }
        slots[slot] = nil
        connections[id] = nil
        return afterChange(now: now)
    }

    /// A worker process exited (reaped). Returns the lost connection, if the worker was
    /// busy, with the actions.
    public mutating func workerExited(pid: Int32, exit: ChildExit, now: Double) -> (lost: UInt64?, actions: [Action]) {
        guard let (slot, worker) = slots.first(where: { $0.value.pid == pid }) else { return (nil, []) }
        slots[slot] = nil
        var lost: UInt64?
        if case .busy(let id) = worker.state {
            lost = id
            connections[id] = nil
        }
        var actions: [Action] = []
        if let passed = worker.passedConnection, connections[passed] != nil {
            actions.append(close(passed, .waitingTurnGone))
        }
        if exit.isFatalConfiguration && respawnHaltReason == nil && worker.generation == generation {
            let reason = "worker (slot \(slot), pid \(pid)) exited with the fatal-configuration code"
            respawnHaltReason = reason
            actions.append(.respawnHalted(reason: reason))
        }
        if exit.isCrash {
            counters.crashes += 1
            if worker.state != .exiting { noteCrash(now: now) }
        }
        return (lost, actions + afterChange(now: now))
    }

    /// Time passes: timeouts, delayed respawns and drain escalation happen here.
    public mutating func tick(now: Double) -> [Action] {
        expire(now: now) + expireWaitingTurns(now: now) + afterChange(now: now)
    }

    /// SIGTERM/SIGINT: graceful drain.
    public mutating func shutdownRequested(now: Double) -> [Action] {
        switch lifecycle {
        case .draining, .stopped: return []
        case .starting, .running:
            lifecycle = .draining(since: now)
            var actions: [Action] = [.notifyStopping, .closeListener]
            for (id, connection) in connections.sorted(by: { $0.key < $1.key }) where connection.phase.isParked {
                actions.append(close(id, .draining))
            }
            return actions + afterChange(now: now)
        }
    }

    /// When the shell should call `tick` next (seconds from `now`), or nil for "no timer".
    public func nextDeadline(now: Double) -> Double? {
        var next: Double?
        func consider(_ at: Double) { next = min(next ?? at, at) }
        if case .draining(let since) = lifecycle {
            let terminateAt = since + policy.drainTimeoutSeconds
            consider(terminateSent ? terminateAt + policy.killAfterSeconds : terminateAt)
        }
        if needsSpawn && respawnNotBefore > now { consider(respawnNotBefore) }
        if let waitEnds = nextWaitingTurnDeadline { consider(waitEnds) }
        for connection in connections.values {
            switch connection.phase {
            case .queued(let since): consider(since + policy.queueTimeoutSeconds)
            case .parked(_, let deadline): consider(deadline)
            case .withWorker: break
            }
        }
        return next.map { max(0, $0 - now) }
    }

    // MARK: - Internals shared by the extensions

    var needsSpawn: Bool {
        guard lifecycle == .starting || lifecycle == .running, respawnHaltReason == nil else { return false }
        let fresh = slots.values.filter { ($0.state == .idle || $0.state == .starting) && $0.generation == generation }.count
        return fresh < policy.minIdle + queue.count && liveCount < policy.maxWorkers
    }

    func firstIdleSlot() -> UInt32? {
        slots.filter { $0.value.state == .idle }.map(\.key).min()
    }

    mutating func noteCrash(now: Double) {
        consecutiveCrashes += 1
        var delay = policy.initialBackoffSeconds
        for _ in 1..<max(consecutiveCrashes, 1) { delay = min(delay * 2, policy.maxBackoffSeconds) }
        respawnNotBefore = now + min(delay, policy.maxBackoffSeconds)
    }

    /// The worker in `slot` is free again: recycle it after `maxRequests` or when its
    /// generation is stale, else it is idle.
    mutating func workerFreed(slot: UInt32, servedOne: Bool, now: Double) -> [Action] {
        guard var worker = slots[slot] else { return [] }
        if servedOne { worker.served += 1 }
        if let turn = worker.declaredWait {
            // Its turn waits for the client: the slot holds it, neither idle nor recycled.
            worker.declaredWait = nil
            let early = worker.earlyReservation
            let passed = worker.passedConnection
            worker.earlyReservation = nil
            worker.passedConnection = nil
            var closed: [Action] = []
            if let passed, connections[passed] != nil {
                if !lifecycle.isDraining {
                    // Its follow-up was quicker than this hand-back: it goes there now.
                    worker.state = .busy(connectionID: passed)
                    slots[slot] = worker
                    counters.handOffs += 1
                    return [.continueWaitingTurn(connectionID: passed, slot: slot)] + afterChange(now: now)
                }
                closed.append(close(passed, .draining))
            }
            if let early, early.until > now {
                worker.state = .reserved(turn, connectionID: early.connectionID, until: early.until)
            } else {
                worker.state = .waiting(turn, until: now + policy.waitingTurnTimeoutSeconds)
            }
            slots[slot] = worker
            if case .draining = lifecycle {
                // A drain does not wait for a client: the turn ends (with its worker) now.
                slots[slot]?.state = .exiting
                return closed + [.retire(slot: slot)] + afterChange(now: now)
            }
            return closed + afterChange(now: now)
        }
        worker.state = .idle
        slots[slot] = worker
        var actions: [Action] = []
        if worker.served >= policy.maxRequestsPerWorker {
            slots[slot]?.state = .exiting
            counters.recycles += 1
            actions.append(.retire(slot: slot))
        } else if worker.generation < generation {
            slots[slot]?.state = .exiting
            actions.append(.retire(slot: slot))
        }
        return actions + afterChange(now: now)
    }

    /// Dispatches queued connections, keeps `minIdle` idle workers, retires surplus and
    /// stale idle workers, reports a finished reload, and drives the drain.
    mutating func afterChange(now: Double) -> [Action] {
        var actions = dispatchQueue()
        switch lifecycle {
        case .starting, .running:
            for (id, worker) in slots.sorted(by: { $0.key < $1.key })
            where worker.generation < generation && (worker.state == .idle || worker.state == .starting) {
                slots[id]?.state = .exiting
                actions.append(.retire(slot: id))
            }
            while idleCount > policy.maxIdle, let slot = firstIdleSlot() {
                slots[slot]?.state = .exiting
                actions.append(.retire(slot: slot))
            }
            actions += topUp(now: now)
            actions += refuseIfNoWorkerCanCome()
            if reloadPending && lifecycle == .running {
                let ready = slots.values.filter { $0.state == .idle && $0.generation == generation }.count
                if ready >= policy.minIdle {
                    reloadPending = false
                    actions.append(.notifyReloaded(generation: generation))
                }
            }
        case .draining(let since):
            actions += drain(since: since, now: now)
        case .stopped:
            break
        }
        return actions
    }

    mutating func dispatchQueue() -> [Action] {
        var actions: [Action] = []
        while !queue.isEmpty, let slot = firstIdleSlot() {
            let id = queue.removeFirst()
            actions.append(assign(id, to: slot))
        }
        return actions
    }

    /// With respawning halted and no worker left, queued connections can only be refused.
    mutating func refuseIfNoWorkerCanCome() -> [Action] {
        guard respawnHaltReason != nil, liveCount == 0, !queue.isEmpty else { return [] }
        let refused = queue
        queue.removeAll()
        return refused.map { refuse($0, .noWorkers) }
    }

    mutating func topUp(now: Double) -> [Action] {
        var actions: [Action] = []
        while needsSpawn && now >= respawnNotBefore {
            let slot = nextSlot
            nextSlot += 1
            slots[slot] = WorkerSlot(id: slot, pid: 0, state: .starting, served: 0, generation: generation)
            actions.append(.spawn(slot: slot, generation: generation))
        }
        return actions
    }

    mutating func drain(since: Double, now: Double) -> [Action] {
        var actions: [Action] = []
        // Queued connections still get served; anything without a worker to go to is refused.
        if !queue.isEmpty && slots.values.allSatisfy({ $0.state == .exiting }) {
            actions += queue.map { refuse($0, .draining) }
            queue.removeAll()
        }
        for (id, worker) in slots.sorted(by: { $0.key < $1.key }) where worker.state == .idle || worker.state == .starting {
            if queue.isEmpty || worker.state == .starting {
                slots[id]?.state = .exiting
                actions.append(.retire(slot: id))
            }
        }
        // Turns waiting on a client do not hold the drain up: they end with their workers.
        for (id, worker) in slots.sorted(by: { $0.key < $1.key }) where holdsWaitingTurn(worker) {
            slots[id]?.state = .exiting
            actions.append(.retire(slot: id))
        }
        if slots.isEmpty {
            lifecycle = .stopped
            actions += queue.map { refuse($0, .draining) }
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

extension WorkerPoolStateMachine.Lifecycle {
    var isDraining: Bool {
        if case .draining = self { return true }
        return false
    }
}

extension PoolConnection.Phase {
    var isParked: Bool {
        if case .parked = self { return true }
        return false
    }

    var isKeepAlive: Bool {
        if case .parked(.keepAlive, _) = self { return true }
        return false
    }
}
