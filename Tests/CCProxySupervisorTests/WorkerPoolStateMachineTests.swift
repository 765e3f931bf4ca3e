import Testing

@testable import CCProxySupervisor

/// Drives the pool state machine event by event, without processes, asserting the actions.
@Suite struct WorkerPoolStateMachineTests {
    typealias Action = WorkerPoolStateMachine.Action

    static let crash = ChildExit.signaled(9, coreDumped: false)
    static let clean = ChildExit.exited(.finished)

    /// A machine that has spawned and greeted `minIdle` workers with pids 100, 101, ...
    func runningPool(policy: PoolPolicy = PoolPolicy(minIdle: 2, maxWorkers: 4, maxRequestsPerWorker: 3, maxQueue: 2)) -> WorkerPoolStateMachine {
        var pool = WorkerPoolStateMachine(policy: policy)
        let actions = pool.start(now: 0)
        for case .spawn(let slot, _) in actions {
            pool.workerSpawned(slot: slot, pid: 99 + Int32(slot))
            _ = pool.workerReady(slot: slot, now: 0)
        }
        return pool
    }

    /// Completes every `.spawn` in `actions`: the process starts (pid 500+slot) and says hello.
    func startSpawned(_ actions: [Action], in pool: inout WorkerPoolStateMachine) {
        for case .spawn(let slot, _) in actions {
            pool.workerSpawned(slot: slot, pid: 500 + Int32(slot))
            startSpawned(pool.workerReady(slot: slot, now: 0), in: &pool)
        }
    }

    func handOffSlot(_ actions: [Action]) -> UInt32? {
        actions.compactMap { if case .handOff(_, let s) = $0 { return s } else { return nil } }.first
    }

    func spawns(_ actions: [Action]) -> [UInt32] {
        actions.compactMap { if case .spawn(let s, _) = $0 { return s } else { return nil } }
    }

    @Test func startSpawnsMinIdleAndIsReadyOnlyAfterEveryHello() {
        var pool = WorkerPoolStateMachine(policy: PoolPolicy(minIdle: 2))
        let actions = pool.start(now: 0)
        #expect(actions == [.spawn(slot: 1, generation: 1), .spawn(slot: 2, generation: 1)])
        pool.workerSpawned(slot: 1, pid: 100)
        pool.workerSpawned(slot: 2, pid: 101)
        #expect(!pool.workerReady(slot: 1, now: 0).contains(.notifyReady))
        #expect(pool.workerReady(slot: 2, now: 0).contains(.notifyReady))
        #expect(pool.lifecycle == .running)
        #expect(pool.idleCount == 2)
    }

    @Test func connectionGoesToAnIdleWorkerAndThePoolTopsUp() {
        var pool = runningPool()
        let actions = pool.connectionAccepted(1, source: "a", now: 1)
        #expect(actions.first == .handOff(connectionID: 1, slot: 1))
        #expect(actions.contains(.spawn(slot: 3, generation: 1)), "one idle left, min_idle 2: spawn another; got \(actions)")
        #expect(pool.busyCount == 1)
        #expect(pool.counters.handOffs == 1)
    }

    @Test func aDetachedWorkerLeavesThePoolWithItsConnectionAndThePoolRefills() {
        var pool = runningPool(policy: PoolPolicy(minIdle: 1, maxWorkers: 1, maxRequestsPerWorker: 100, maxQueue: 2))
        #expect(pool.connectionAccepted(1, source: "a", now: 0) == [.handOff(connectionID: 1, slot: 1)])
        #expect(pool.connectionAccepted(2, source: "a", now: 0) == [], "queued: the only worker is busy")
        #expect(pool.workerDetached(slot: 2, now: 1) == [], "not busy: nothing to detach")
        let actions = pool.workerDetached(slot: 1, now: 1)
        #expect(actions == [.spawn(slot: 2, generation: 1)], "the slot is free for a new worker; got \(actions)")
        #expect(pool.slots[1] == nil)
        #expect(pool.connections[1] == nil)
        #expect(pool.workerExited(pid: 100, exit: Self.clean, now: 2).actions == [], "its exit is not the pool's any more")
        pool.workerSpawned(slot: 2, pid: 200)
        #expect(pool.workerReady(slot: 2, now: 2) == [.handOff(connectionID: 2, slot: 2)], "the queued connection is served")
    }

    @Test func connectionsQueueWhenAllAreBusyThenAreRefusedPastTheQueue() {
        var pool = runningPool(policy: PoolPolicy(minIdle: 1, maxWorkers: 1, maxRequestsPerWorker: 100, maxQueue: 2))
        #expect(pool.connectionAccepted(1, source: "a", now: 0) == [.handOff(connectionID: 1, slot: 1)])
        #expect(pool.connectionAccepted(2, source: "a", now: 0) == [])
        #expect(pool.connectionAccepted(3, source: "a", now: 0) == [])
        #expect(pool.connectionAccepted(4, source: "a", now: 0) == [.refuse(connectionID: 4, reason: .queueFull)])
        #expect(pool.queue == [2, 3])
        #expect(pool.counters.refusals[.queueFull] == 1)
        // When the worker is done, the oldest queued connection goes to it.
        #expect(pool.connectionDone(slot: 1, now: 1) == [.handOff(connectionID: 2, slot: 1)])
    }

    @Test func queuedConnectionsAreRefusedPastTheQueueTimeout() {
        var pool = runningPool(policy: PoolPolicy(minIdle: 1, maxWorkers: 1, maxQueue: 5, queueTimeoutSeconds: 10))
        _ = pool.connectionAccepted(1, source: "a", now: 0)
        _ = pool.connectionAccepted(2, source: "a", now: 1)
        _ = pool.connectionAccepted(3, source: "a", now: 5)
        #expect(pool.nextDeadline(now: 5) == 6, "the oldest queued connection times out at 11")
        #expect(pool.tick(now: 10.5) == [])
        #expect(pool.tick(now: 11) == [.refuse(connectionID: 2, reason: .queueTimeout)])
        #expect(pool.queue == [3])
        #expect(pool.counters.refusals[.queueTimeout] == 1)
    }

    @Test func perSourceLimitRefusesOnlyTheCrowdingSource() {
        var pool = runningPool(policy: PoolPolicy(minIdle: 1, maxWorkers: 1, maxQueue: 10, maxWaitingPerSource: 2))
        _ = pool.connectionAccepted(1, source: "a", now: 0)  // served
        #expect(pool.connectionAccepted(2, source: "a", now: 0) == [])
        #expect(pool.connectionAccepted(3, source: "a", now: 0) == [])
        #expect(pool.connectionAccepted(4, source: "a", now: 0) == [.refuse(connectionID: 4, reason: .perSourceLimit)])
        #expect(pool.connectionAccepted(5, source: "b", now: 0) == [], "another source still queues")
        #expect(pool.queue == [2, 3, 5])
    }

    @Test func workerIsRecycledAfterMaxRequests() throws {
        var pool = runningPool(policy: PoolPolicy(minIdle: 1, maxWorkers: 4, maxRequestsPerWorker: 2, maxQueue: 2))
        for connection in UInt64(1)...2 {
            let slot = try #require(handOffSlot(pool.connectionAccepted(connection, source: "a", now: 0)))
            let done = pool.connectionDone(slot: slot, now: 0)
            if connection == 2 {
                #expect(done.contains(.retire(slot: 1)), "served 2 of 2: retire; got \(done)")
            }
        }
        #expect(pool.slots[1]?.state == .exiting)
        #expect(pool.counters.recycles == 1)
    }

    @Test func aCrashedBusyWorkerCostsOnlyItsConnection() {
        var pool = runningPool()
        startSpawned(pool.connectionAccepted(7, source: "a", now: 0), in: &pool)
        _ = pool.connectionAccepted(8, source: "a", now: 0)
        let (lost, _) = pool.workerExited(pid: 100, exit: Self.crash, now: 10)
        #expect(lost == 7)
        #expect(pool.slots[1] == nil)
        #expect(pool.connections[7] == nil, "the lost connection is forgotten")
        #expect(pool.slots[2]?.state == .busy(connectionID: 8), "the other connection is untouched")
        #expect(pool.counters.crashes == 1)
    }

    @Test func aCrashedIdleWorkerIsReplacedAfterTheBackoff() {
        var pool = runningPool()
        let (lost, actions) = pool.workerExited(pid: 101, exit: Self.crash, now: 10)
        #expect(lost == nil)
        #expect(spawns(actions).isEmpty, "not before the backoff")
        #expect(abs((pool.nextDeadline(now: 10) ?? -1) - 0.1) < 1e-9)
        let later = pool.tick(now: 10.1)
        #expect(!spawns(later).isEmpty, "got \(later)")
    }

    @Test func repeatedCrashesBackOffExponentially() {
        var pool = runningPool(policy: PoolPolicy(minIdle: 1, maxWorkers: 2, initialBackoffSeconds: 1, maxBackoffSeconds: 8))
        var now = 0.0
        var delays: [Double] = []
        for _ in 0..<5 {
            let pid = pool.slots.values.first?.pid ?? 0
            _ = pool.workerExited(pid: pid, exit: Self.crash, now: now)
            let delay = pool.nextDeadline(now: now) ?? -1
            delays.append(delay)
            now += delay
            for slot in spawns(pool.tick(now: now)) { pool.workerSpawned(slot: slot, pid: Int32(500 + slot)) }
        }
        #expect(delays == [1, 2, 4, 8, 8])
    }

    @Test(arguments: [
        (ChildExit.exited(.finished), false), (.exited(.failed), false), (.exited(.supervisorGone), false),
        (.exited(.fatalConfiguration), false), (.exitedWithCode(42), true), (.signaled(11, coreDumped: true), true),
    ])
    func exitsAreClassified(_ exit: ChildExit, isCrash: Bool) {
        #expect(exit.isCrash == isCrash, "\(exit)")
        #expect(ChildExit(.exited(2)) == .exited(.fatalConfiguration))
        #expect(ChildExit(.exited(9)) == .exitedWithCode(9))
        #expect(ChildExit(.signaled(9, coreDumped: false)) == .signaled(9, coreDumped: false))
    }

    @Test func fatalConfigurationHaltsRespawningUntilAReload() {
        var pool = runningPool(policy: PoolPolicy(minIdle: 1, maxWorkers: 2))
        _ = pool.connectionAccepted(1, source: "a", now: 0)
        let queuedFirst = pool.connectionAccepted(2, source: "a", now: 0)
        startSpawned(queuedFirst, in: &pool)
        // Every worker exits with the fatal-configuration code.
        let pids = pool.slots.values.map(\.pid).sorted()
        let first = pool.workerExited(pid: pids[0], exit: .exited(.fatalConfiguration), now: 1)
        #expect(first.actions.contains { if case .respawnHalted = $0 { return true } else { return false } }, "\(first.actions)")
        #expect(pool.respawnHaltReason != nil)
        let second = pool.workerExited(pid: pids[1], exit: .exited(.fatalConfiguration), now: 1)
        #expect(spawns(first.actions + second.actions).isEmpty, "no respawn after a fatal configuration error")
        #expect(spawns(pool.tick(now: 100)).isEmpty)
        #expect(pool.nextDeadline(now: 100) == nil, "no timer spins while halted")
        #expect(pool.connectionAccepted(3, source: "a", now: 100) == [.refuse(connectionID: 3, reason: .noWorkers)])
        // A reload clears the halt and brings workers back.
        let reload = pool.reloadRequested(policy: pool.policy, now: 101)
        #expect(spawns(reload).count == 1, "min_idle 1: one new worker; got \(reload)")
        #expect(pool.respawnHaltReason == nil)
    }

    @Test func gracefulDrainWaitsForBusyWorkersThenExits() {
        var pool = runningPool()
        _ = pool.connectionAccepted(1, source: "a", now: 0)
        for slot in spawns(pool.tick(now: 0)) { pool.workerSpawned(slot: slot, pid: 200) }
        let actions = pool.shutdownRequested(now: 5)
        #expect(actions.prefix(2) == [.notifyStopping, .closeListener])
        #expect(actions.contains(.retire(slot: 2)), "idle workers are told to stop; got \(actions)")
        #expect(!actions.contains(.retire(slot: 1)), "the busy one finishes its turn first")
        #expect(pool.connectionAccepted(9, source: "a", now: 5) == [.refuse(connectionID: 9, reason: .draining)])
        for pid in pool.slots.values.filter({ $0.state == .exiting }).map(\.pid) {
            #expect(!pool.workerExited(pid: pid, exit: Self.clean, now: 6).actions.contains(.exit(code: 0)))
        }
        #expect(pool.connectionDone(slot: 1, now: 7).contains(.retire(slot: 1)))
        #expect(pool.workerExited(pid: 100, exit: Self.clean, now: 8).actions.contains(.exit(code: 0)))
        #expect(pool.lifecycle == .stopped)
    }

    @Test func drainEscalatesToTermThenKill() {
        var pool = runningPool(policy: PoolPolicy(minIdle: 1, maxWorkers: 2, drainTimeoutSeconds: 10, killAfterSeconds: 5))
        _ = pool.connectionAccepted(1, source: "a", now: 0)
        _ = pool.shutdownRequested(now: 0)
        #expect(pool.nextDeadline(now: 0) == 10)
        let term = pool.tick(now: 10)
        #expect(term.contains(.signal(pid: 100, signal: 15)), "got \(term)")
        #expect(pool.nextDeadline(now: 10) == 5)
        #expect(pool.tick(now: 15).contains(.signal(pid: 100, signal: 9)))
    }

    @Test func surplusIdleWorkersRetire() {
        var pool = runningPool(policy: PoolPolicy(minIdle: 1, maxIdle: 1, maxWorkers: 4))
        startSpawned(pool.connectionAccepted(1, source: "a", now: 0), in: &pool)
        startSpawned(pool.connectionAccepted(2, source: "a", now: 0), in: &pool)
        #expect(pool.busyCount == 2)
        _ = pool.connectionDone(slot: 1, now: 1)
        _ = pool.connectionDone(slot: 2, now: 1)
        #expect(pool.idleCount == 1, "got \(pool.slots)")
        #expect(pool.slots.values.filter { $0.state == .exiting }.count == 2)
    }

    @Test func unknownPidsAndStaleEventsAreIgnored() {
        var pool = runningPool()
        #expect(pool.workerExited(pid: 4242, exit: Self.crash, now: 0).lost == nil)
        #expect(pool.connectionDone(slot: 1, now: 0) == [], "slot 1 is idle, not busy")
        #expect(pool.workerReady(slot: 99, now: 0) == [])
        #expect(pool.connectionHandedBack(slot: 1, connectionID: 5, reason: .keepAlive, now: 0) == [], "slot 1 holds nothing")
        #expect(pool.connectionReadable(77, now: 0) == [])
        #expect(pool.connectionClosedByPeer(77) == [])
    }

    // MARK: - Keep-alive hand-back

    @Test func aHandedBackConnectionIsParkedThenGoesToAFreeWorkerWhenReadable() throws {
        var pool = runningPool()
        let slot = try #require(handOffSlot(pool.connectionAccepted(1, source: "a", now: 0)))
        let back = pool.connectionHandedBack(slot: slot, connectionID: 1, reason: .keepAlive, now: 2)
        #expect(back.first == .park(connectionID: 1, reason: .keepAlive), "got \(back)")
        #expect(pool.slots[slot]?.state == .idle && pool.slots[slot]?.served == 1, "the worker is free again")
        #expect(pool.keepAliveCount == 1)
        #expect(pool.counters.handBacks == 1)
        let again = pool.connectionReadable(1, now: 3)
        #expect(again.first == .handOff(connectionID: 1, slot: 1), "got \(again)")
        #expect(pool.keepAliveCount == 0)
    }

    @Test func idleKeepAliveConnectionsTimeOut() throws {
        var pool = runningPool(policy: PoolPolicy(minIdle: 2, maxWorkers: 4, keepAliveTimeoutSeconds: 60))
        let slot = try #require(handOffSlot(pool.connectionAccepted(1, source: "a", now: 0)))
        _ = pool.connectionHandedBack(slot: slot, connectionID: 1, reason: .keepAlive, now: 10)
        #expect(pool.nextDeadline(now: 10) == 60)
        #expect(pool.tick(now: 69) == [])
        #expect(pool.tick(now: 70) == [.closeConnection(connectionID: 1, reason: .idleTimeout)])
        #expect(pool.connections[1] == nil)
        #expect(pool.counters.closes[.idleTimeout] == 1)
    }

    @Test func pastTheKeepAliveLimitTheOldestIdleConnectionIsClosed() throws {
        var pool = runningPool(policy: PoolPolicy(minIdle: 1, maxWorkers: 1, maxKeepAliveConnections: 2))
        for (id, time) in [(UInt64(1), 1.0), (2, 2), (3, 3)] {
            let slot = try #require(handOffSlot(pool.connectionAccepted(id, source: "a", now: time)))
            let back = pool.connectionHandedBack(slot: slot, connectionID: id, reason: .keepAlive, now: time)
            if id == 3 {
                #expect(back.prefix(2) == [.closeConnection(connectionID: 1, reason: .idleLimit), .park(connectionID: 3, reason: .keepAlive)], "got \(back)")
            }
        }
        #expect(pool.keepAliveCount == 2)
    }

    @Test func aHandedBackConnectionOverItsSourceLimitIsClosed() throws {
        var pool = runningPool(policy: PoolPolicy(minIdle: 1, maxWorkers: 1, maxWaitingPerSource: 1))
        var slot = try #require(handOffSlot(pool.connectionAccepted(1, source: "a", now: 0)))
        _ = pool.connectionHandedBack(slot: slot, connectionID: 1, reason: .keepAlive, now: 0)
        slot = try #require(handOffSlot(pool.connectionAccepted(2, source: "a", now: 0)))
        let back = pool.connectionHandedBack(slot: slot, connectionID: 2, reason: .keepAlive, now: 0)
        #expect(back.first == .closeConnection(connectionID: 2, reason: .perSourceLimit), "got \(back)")
    }

    @Test func aParkedConnectionClosedByTheClientIsForgotten() throws {
        var pool = runningPool()
        let slot = try #require(handOffSlot(pool.connectionAccepted(1, source: "a", now: 0)))
        _ = pool.connectionHandedBack(slot: slot, connectionID: 1, reason: .keepAlive, now: 0)
        #expect(pool.connectionClosedByPeer(1) == [.closeConnection(connectionID: 1, reason: .peerClosed)])
        #expect(pool.connectionReadable(1, now: 1) == [])
    }

    @Test func anIncompleteHeadWaitsForMoreBytesUntilTheHeadDeadline() throws {
        var pool = runningPool(policy: PoolPolicy(minIdle: 2, maxWorkers: 4, headTimeoutSeconds: 30))
        let slot = try #require(handOffSlot(pool.connectionAccepted(1, source: "a", now: 0)))
        let back = pool.connectionHandedBack(slot: slot, connectionID: 1, reason: .incompleteHead(pendingBytes: 5), now: 0.01)
        #expect(back.first == .park(connectionID: 1, reason: .incompleteHead(pendingBytes: 5)))
        #expect(pool.slots[slot]?.served == 0, "an incomplete head is not a served request")
        // More bytes: to a worker again; still incomplete: back again, same deadline.
        let again = try #require(handOffSlot(pool.connectionReadable(1, now: 10)))
        _ = pool.connectionHandedBack(slot: again, connectionID: 1, reason: .incompleteHead(pendingBytes: 9), now: 10.01)
        #expect(pool.nextDeadline(now: 10.01).map { abs($0 - 19.99) < 1e-9 } == true)
        #expect(pool.tick(now: 30) == [.closeConnection(connectionID: 1, reason: .headTimeout)])
    }

    @Test func drainingClosesIdleKeepAliveConnectionsAndHandBacks() throws {
        var pool = runningPool()
        let first = try #require(handOffSlot(pool.connectionAccepted(1, source: "a", now: 0)))
        _ = pool.connectionHandedBack(slot: first, connectionID: 1, reason: .keepAlive, now: 0)
        let second = try #require(handOffSlot(pool.connectionAccepted(2, source: "a", now: 0)))
        let shutdown = pool.shutdownRequested(now: 1)
        #expect(shutdown.contains(.closeConnection(connectionID: 1, reason: .draining)), "got \(shutdown)")
        let back = pool.connectionHandedBack(slot: second, connectionID: 2, reason: .keepAlive, now: 2)
        #expect(back.first == .closeConnection(connectionID: 2, reason: .draining), "got \(back)")
    }

    // MARK: - Reload

    @Test func reloadReplacesIdleWorkersAndLetsBusyOnesFinish() throws {
        var pool = runningPool()
        let busy = try #require(handOffSlot(pool.connectionAccepted(1, source: "a", now: 0)))
        startSpawned(pool.tick(now: 0), in: &pool)
        let actions = pool.reloadRequested(policy: pool.policy, now: 1)
        #expect(pool.generation == 2)
        let idleOld = pool.slots.values.filter { $0.generation == 1 && $0.id != busy }.map(\.id).sorted()
        for slot in idleOld { #expect(actions.contains(.retire(slot: slot)), "idle slot \(slot) retired; got \(actions)") }
        #expect(!actions.contains(.retire(slot: busy)), "the busy worker finishes its turn")
        #expect(actions.contains { if case .spawn(_, 2) = $0 { return true } else { return false } }, "new workers get generation 2")
        #expect(!actions.contains { if case .notifyReloaded = $0 { return true } else { return false } }, "not before they are up")
        // The new workers say hello: the reload is complete.
        var reloaded: [Action] = []
        for slot in spawns(actions) {
            pool.workerSpawned(slot: slot, pid: 700 + Int32(slot))
            reloaded += pool.workerReady(slot: slot, now: 2)
        }
        #expect(reloaded.contains(.notifyReloaded(generation: 2)), "got \(reloaded)")
        // The old busy worker is retired when its connection ends.
        #expect(pool.connectionDone(slot: busy, now: 3).contains(.retire(slot: busy)))
    }

    @Test func reloadAppliesTheNewPolicy() {
        var pool = runningPool(policy: PoolPolicy(minIdle: 1, maxWorkers: 4))
        let actions = pool.reloadRequested(policy: PoolPolicy(minIdle: 3, maxWorkers: 4), now: 1)
        #expect(spawns(actions).count == 3, "three idle workers of the new generation; got \(actions)")
        #expect(pool.policy.minIdle == 3)
    }

    @Test func reloadIsIgnoredWhileDraining() {
        var pool = runningPool()
        _ = pool.shutdownRequested(now: 0)
        #expect(pool.reloadRequested(policy: pool.policy, now: 1) == [])
        #expect(pool.generation == 1)
    }
}
