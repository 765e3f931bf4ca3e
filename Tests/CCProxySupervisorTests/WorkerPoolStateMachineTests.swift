import Testing

@testable import CCProxySupervisor

/// Drives the pool state machine event by event, without processes, asserting the actions.
@Suite struct WorkerPoolStateMachineTests {
    typealias Action = WorkerPoolStateMachine.Action

    /// A machine that has spawned and greeted `minIdle` workers with pids 100, 101, ...
    func runningPool(policy: PoolPolicy = PoolPolicy(minIdle: 2, maxWorkers: 4, maxRequestsPerWorker: 3, maxQueue: 2)) -> WorkerPoolStateMachine {
        var pool = WorkerPoolStateMachine(policy: policy)
        let actions = pool.start(now: 0)
        for case .spawn(let slot) in actions {
            pool.workerSpawned(slot: slot, pid: 99 + Int32(slot))
            _ = pool.workerReady(slot: slot, now: 0)
        }
        return pool
    }

    @Test func startSpawnsMinIdleAndIsReadyOnlyAfterEveryHello() {
        var pool = WorkerPoolStateMachine(policy: PoolPolicy(minIdle: 2))
        let actions = pool.start(now: 0)
        #expect(actions == [.spawn(slot: 1), .spawn(slot: 2)])
        pool.workerSpawned(slot: 1, pid: 100)
        pool.workerSpawned(slot: 2, pid: 101)
        #expect(!pool.workerReady(slot: 1, now: 0).contains(.notifyReady))
        #expect(pool.workerReady(slot: 2, now: 0).contains(.notifyReady))
        #expect(pool.lifecycle == .running)
        #expect(pool.idleCount == 2)
    }

    @Test func connectionGoesToAnIdleWorkerAndThePoolTopsUp() {
        var pool = runningPool()
        let actions = pool.connectionAccepted(1, now: 1)
        #expect(actions.first == .handOff(connectionID: 1, slot: 1))
        #expect(actions.contains(.spawn(slot: 3)), "one idle left, min_idle 2: spawn another; got \(actions)")
        #expect(pool.busyCount == 1)
    }

    @Test func connectionsQueueWhenAllAreBusyThenAreRefusedPastTheQueue() {
        var pool = runningPool(policy: PoolPolicy(minIdle: 1, maxWorkers: 1, maxRequestsPerWorker: 100, maxQueue: 2))
        #expect(pool.connectionAccepted(1, now: 0) == [.handOff(connectionID: 1, slot: 1)])
        #expect(pool.connectionAccepted(2, now: 0) == [])
        #expect(pool.connectionAccepted(3, now: 0) == [])
        #expect(pool.connectionAccepted(4, now: 0) == [.refuse(connectionID: 4)])
        #expect(pool.queue == [2, 3])
        // When the worker is done, the oldest queued connection goes to it.
        #expect(pool.connectionDone(slot: 1, now: 1) == [.handOff(connectionID: 2, slot: 1)])
    }

    @Test func workerIsRecycledAfterMaxRequests() throws {
        var pool = runningPool(policy: PoolPolicy(minIdle: 1, maxWorkers: 4, maxRequestsPerWorker: 2, maxQueue: 2))
        for connection in UInt64(1)...2 {
            let actions = pool.connectionAccepted(connection, now: 0)
            let slot = actions.compactMap { if case .handOff(_, let s) = $0 { return s } else { return nil } }.first
            let done = pool.connectionDone(slot: try #require(slot), now: 0)
            if connection == 2 {
                #expect(done.contains(.retire(slot: 1)), "served 2 of 2: retire; got \(done)")
            }
        }
        #expect(pool.slots[1]?.state == .exiting)
    }

    /// Completes every `.spawn` in `actions`: the process starts (pid 500+slot) and says hello.
    func startSpawned(_ actions: [Action], in pool: inout WorkerPoolStateMachine) {
        for case .spawn(let slot) in actions {
            pool.workerSpawned(slot: slot, pid: 500 + Int32(slot))
            startSpawned(pool.workerReady(slot: slot, now: 0), in: &pool)
        }
    }

    @Test func aCrashedBusyWorkerCostsOnlyItsConnection() {
        var pool = runningPool()
        startSpawned(pool.connectionAccepted(7, now: 0), in: &pool)
        _ = pool.connectionAccepted(8, now: 0)
        let (lost, _) = pool.workerExited(pid: 100, crashed: true, now: 10)
        #expect(lost == 7)
        #expect(pool.slots[1] == nil)
        #expect(pool.slots[2]?.state == .busy(connectionID: 8), "the other connection is untouched")
    }

    @Test func aCrashedIdleWorkerIsReplacedAfterTheBackoff() {
        var pool = runningPool()
        let (lost, actions) = pool.workerExited(pid: 101, crashed: true, now: 10)
        #expect(lost == nil)
        #expect(!actions.contains { if case .spawn = $0 { return true } else { return false } }, "not before the backoff")
        #expect(abs((pool.nextDeadline(now: 10) ?? -1) - 0.1) < 1e-9)
        let later = pool.tick(now: 10.1)
        #expect(later.contains { if case .spawn = $0 { return true } else { return false } }, "got \(later)")
    }

    @Test func repeatedCrashesBackOffExponentially() {
        var pool = runningPool(policy: PoolPolicy(minIdle: 1, maxWorkers: 2, initialBackoffSeconds: 1, maxBackoffSeconds: 8))
        var now = 0.0
        var delays: [Double] = []
        for _ in 0..<5 {
            let pid = pool.slots.values.first?.pid ?? 0
            _ = pool.workerExited(pid: pid, crashed: true, now: now)
            let delay = pool.nextDeadline(now: now) ?? -1
            delays.append(delay)
            now += delay
            for case .spawn(let slot) in pool.tick(now: now) { pool.workerSpawned(slot: slot, pid: Int32(500 + slot)) }
        }
        #expect(delays == [1, 2, 4, 8, 8])
    }

    @Test func gracefulDrainWaitsForBusyWorkersThenExits() {
        var pool = runningPool()
        _ = pool.connectionAccepted(1, now: 0)
        for case .spawn(let slot) in pool.tick(now: 0) { pool.workerSpawned(slot: slot, pid: 200) }
        let actions = pool.shutdownRequested(now: 5)
        #expect(actions.prefix(2) == [.notifyStopping, .closeListener])
        #expect(actions.contains(.retire(slot: 2)), "idle workers are told to stop; got \(actions)")
        #expect(!actions.contains(.retire(slot: 1)), "the busy one finishes its turn first")
        #expect(pool.connectionAccepted(9, now: 5) == [.refuse(connectionID: 9)])
        // Idle workers exit; the busy one finishes and is retired, then exits; then stop.
        for (pid, _) in pool.slots.values.filter({ $0.state == .exiting }).map({ ($0.pid, 0) }) {
            #expect(!pool.workerExited(pid: pid, crashed: false, now: 6).actions.contains(.exit(code: 0)))
        }
        #expect(pool.connectionDone(slot: 1, now: 7).contains(.retire(slot: 1)))
        #expect(pool.workerExited(pid: 100, crashed: false, now: 8).actions.contains(.exit(code: 0)))
        #expect(pool.lifecycle == .stopped)
    }

    @Test func drainEscalatesToTermThenKill() {
        var pool = runningPool(policy: PoolPolicy(minIdle: 1, maxWorkers: 2, drainTimeoutSeconds: 10, killAfterSeconds: 5))
        _ = pool.connectionAccepted(1, now: 0)
        _ = pool.shutdownRequested(now: 0)
        #expect(pool.nextDeadline(now: 0) == 10)
        let term = pool.tick(now: 10)
        #expect(term.contains(.signal(pid: 100, signal: 15)), "got \(term)")
        #expect(pool.nextDeadline(now: 10) == 5)
        #expect(pool.tick(now: 15).contains(.signal(pid: 100, signal: 9)))
    }

    @Test func surplusIdleWorkersRetire() {
        var pool = runningPool(policy: PoolPolicy(minIdle: 1, maxIdle: 1, maxWorkers: 4))
        // Two connections at once make more workers.
        startSpawned(pool.connectionAccepted(1, now: 0), in: &pool)
        startSpawned(pool.connectionAccepted(2, now: 0), in: &pool)
        #expect(pool.busyCount == 2)
        // Both finish: more idle workers than max_idle, so the surplus retires.
        _ = pool.connectionDone(slot: 1, now: 1)
        _ = pool.connectionDone(slot: 2, now: 1)
        #expect(pool.idleCount == 1, "got \(pool.slots)")
        #expect(pool.slots.values.filter { $0.state == .exiting }.count == 2)
    }

    @Test func unknownPidsAndStaleEventsAreIgnored() {
        var pool = runningPool()
        #expect(pool.workerExited(pid: 4242, crashed: true, now: 0).lost == nil)
        #expect(pool.connectionDone(slot: 1, now: 0) == [], "slot 1 is idle, not busy")
        #expect(pool.workerReady(slot: 99, now: 0) == [])
    }
}
