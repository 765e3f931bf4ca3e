import Testing

@testable import CCProxySupervisor

/// Waiting turns, event by event: the pool keeps a waiting worker's slot, finds it for the
/// follow-up that answers its calls, moves the follow-up's connection to it, and ends the
/// wait at `tool_result_timeout`; the ledger keeps its grants and counts it for the cap.
@Suite struct WaitingTurnTests {
    typealias Action = WorkerPoolStateMachine.Action
    static let turn = WaitingTurn(tokenID: "t1", callIDs: ["toolu_a", "toolu_b"])

    func runningPool(timeout: Double = 300) -> WorkerPoolStateMachine {
        var policy = PoolPolicy(minIdle: 2, maxWorkers: 6)
        policy.waitingTurnTimeoutSeconds = timeout
        policy.reservationTimeoutSeconds = 10
        var pool = WorkerPoolStateMachine(policy: policy)
        for case .spawn(let slot, _) in pool.start(now: 0) {
            pool.workerSpawned(slot: slot, pid: 99 + Int32(slot))
            _ = pool.workerReady(slot: slot, now: 0)
        }
        return pool
    }

    /// Slot 1 serves connection 1, whose turn waits for `turn`; the connection is handed back.
    func poolWithAWaitingTurn(timeout: Double = 300) -> WorkerPoolStateMachine {
        var pool = runningPool(timeout: timeout)
        _ = pool.connectionAccepted(1, source: "a", now: 1)
        let result1 = pool.turnWaits(slot: 1, turn: Self.turn)
        #expect(result1)
        _ = pool.connectionHandedBack(slot: 1, connectionID: 1, reason: .keepAlive, now: 2)
        return pool
    }

    @Test func aWaitingTurnKeepsItsSlotOutOfTheIdleWorkersAndThePoolRefills() {
        var pool = runningPool()
        _ = pool.connectionAccepted(1, source: "a", now: 1)
        let result2 = pool.turnWaits(slot: 1, turn: Self.turn)
        #expect(result2)
        let actions = pool.connectionHandedBack(slot: 1, connectionID: 1, reason: .keepAlive, now: 2)
        #expect(pool.slots[1]?.state == .waiting(Self.turn, until: 302))
        #expect(pool.slots[1]?.stateName == "waiting")
        #expect(pool.connections[1]?.phase.isKeepAlive == true, "the connection itself is parked as usual")
        #expect(!actions.contains(.retire(slot: 1)))
        #expect(pool.idleCount == 1 && pool.slots[3]?.state == .starting, "the pool refills around it: \(pool.slots)")
        #expect(!actions.contains(.retire(slot: 3)))
        #expect(pool.nextDeadline(now: 2).map { $0 <= 300 } == true)
    }

    @Test func aTurnMayOnlyWaitWhileItsWorkerServesAConnection() {
        var pool = runningPool()
        let result3 = pool.turnWaits(slot: 1, turn: Self.turn)
        #expect(!result3)
    }

    @Test func theFollowUpOfTheSameTokenAndCallsFindsAndReservesIt() {
        var pool = poolWithAWaitingTurn()
        _ = pool.connectionAccepted(2, source: "a", now: 3)
        guard case .busy(2)? = pool.slots[2]?.state else {
            Issue.record("connection 2 went to slot 2: \(pool.slots)")
            return
        }
        let result4 = pool.waitingTurnSought(bySlot: 2, connectionID: 2, tokenID: "other", callIDs: Self.turn.callIDs, now: 3)
        #expect(!result4)
        let result5 = pool.waitingTurnSought(bySlot: 2, connectionID: 2, tokenID: "t1", callIDs: ["toolu_a"], now: 3)
        #expect(!result5)
        let result6 = pool.waitingTurnSought(bySlot: 2, connectionID: 2, tokenID: "t1", callIDs: ["toolu_b", "toolu_a"], now: 3)
        #expect(result6)
        #expect(pool.slots[1]?.state == .reserved(Self.turn, connectionID: 2, until: 13))
        // Reserved: a second follow-up of the same calls finds nothing.
        _ = pool.connectionAccepted(3, source: "a", now: 4)
        let third = pool.slots.first { $0.value.state == .busy(connectionID: 3) }?.key ?? 0
        let result7 = pool.waitingTurnSought(bySlot: third, connectionID: 3, tokenID: "t1", callIDs: Self.turn.callIDs, now: 4)
        #expect(!result7)
    }

    @Test func passingTheFollowUpMovesItsConnectionToTheWaitingWorker() {
        var pool = poolWithAWaitingTurn()
        _ = pool.connectionAccepted(2, source: "a", now: 3)
        let result8 = pool.waitingTurnSought(bySlot: 2, connectionID: 2, tokenID: "t1", callIDs: Self.turn.callIDs, now: 3)
        #expect(result8)
        let (holder, _, _) = pool.passedToWaitingTurn(fromSlot: 2, connectionID: 2, now: 4)
        #expect(holder == 1)
        #expect(pool.slots[1]?.state == .busy(connectionID: 2))
        #expect(pool.slots[2]?.state == .idle)
        #expect(pool.connections[2]?.phase == .withWorker(slot: 1))
        // The continued turn ends with its connection, and its worker is idle again.
        _ = pool.connectionDone(slot: 1, now: 5)
        #expect(pool.slots[1]?.state == .idle)
        #expect(pool.connections[2] == nil)
    }

    @Test func aFollowUpQuickerThanTheHandBackWaitsForIt() {
        var pool = runningPool()
        _ = pool.connectionAccepted(1, source: "a", now: 1)
        let result9 = pool.turnWaits(slot: 1, turn: Self.turn)
        #expect(result9)
        // The client has the calls and sends the follow-up before slot 1 hands back connection 1.
        _ = pool.connectionAccepted(2, source: "a", now: 2)
        let result10 = pool.waitingTurnSought(bySlot: 2, connectionID: 2, tokenID: "t1", callIDs: Self.turn.callIDs, now: 2)
        #expect(result10)
        #expect(pool.slots[1]?.earlyReservation == WorkerSlot.EarlyReservation(connectionID: 2, until: 12))
        let (holder, deferred, _) = pool.passedToWaitingTurn(fromSlot: 2, connectionID: 2, now: 3)
        #expect(holder == 1 && deferred)
        #expect(pool.slots[2]?.state == .idle)
        #expect(pool.slots[1]?.state == .busy(connectionID: 1))
        // Once connection 1 is handed back, connection 2 goes to slot 1.
        let actions = pool.connectionHandedBack(slot: 1, connectionID: 1, reason: .keepAlive, now: 4)
        #expect(actions.contains(.continueWaitingTurn(connectionID: 2, slot: 1)), "\(actions)")
        #expect(pool.slots[1]?.state == .busy(connectionID: 2))
        #expect(pool.connections[2]?.phase == .withWorker(slot: 1))
    }

    @Test func anEarlyReservationWithoutItsPassLeavesTheTurnReservedUntilItLapses() {
        var pool = runningPool()
        _ = pool.connectionAccepted(1, source: "a", now: 1)
        let result11 = pool.turnWaits(slot: 1, turn: Self.turn)
        #expect(result11)
        _ = pool.connectionAccepted(2, source: "a", now: 2)
        let result12 = pool.waitingTurnSought(bySlot: 2, connectionID: 2, tokenID: "t1", callIDs: Self.turn.callIDs, now: 2)
        #expect(result12)
        _ = pool.connectionHandedBack(slot: 1, connectionID: 1, reason: .keepAlive, now: 3)
        #expect(pool.slots[1]?.state == .reserved(Self.turn, connectionID: 2, until: 12))
        let result13 = pool.tick(now: 12)
        #expect(result13.contains(.endWaitingTurn(slot: 1)))
    }

    @Test func aPassedFollowUpIsClosedWhenItsTurnEndsFirst() {
        var pool = runningPool()
        _ = pool.connectionAccepted(1, source: "a", now: 1)
        let result14 = pool.turnWaits(slot: 1, turn: Self.turn)
        #expect(result14)
        _ = pool.connectionAccepted(2, source: "a", now: 2)
        let result15 = pool.waitingTurnSought(bySlot: 2, connectionID: 2, tokenID: "t1", callIDs: Self.turn.callIDs, now: 2)
        #expect(result15)
        _ = pool.passedToWaitingTurn(fromSlot: 2, connectionID: 2, now: 3)
        let result16 = pool.waitingTurnEnded(slot: 1, now: 4)
        #expect(result16 == [.closeConnection(connectionID: 2, reason: .waitingTurnGone)])
        #expect(pool.connections[2] == nil)
    }

    @Test func aPassWithoutAReservationLosesOnlyThatConnection() {
        var pool = poolWithAWaitingTurn()
        _ = pool.connectionAccepted(2, source: "a", now: 3)
        let (holder, _, _) = pool.passedToWaitingTurn(fromSlot: 2, connectionID: 2, now: 4)
        #expect(holder == nil)
        #expect(pool.connections[2] == nil)
        #expect(pool.slots[2]?.state == .idle)
        #expect(pool.slots[1]?.state == .waiting(Self.turn, until: 302), "the waiting turn is untouched")
    }

    @Test func theWaitEndsAtTheTimeoutAndTheWorkerIsIdleOnceItSaysSo() {
        var pool = poolWithAWaitingTurn(timeout: 5)
        let result17 = pool.tick(now: 6.9)
        #expect(!result17.contains(.endWaitingTurn(slot: 1)))
        let result18 = pool.tick(now: 7)
        #expect(result18.contains(.endWaitingTurn(slot: 1)))
        #expect(pool.slots[1]?.state == .endingWait)
        let result19 = pool.tick(now: 8)
        #expect(!result19.contains(.endWaitingTurn(slot: 1)), "told once")
        _ = pool.waitingTurnEnded(slot: 1, now: 9)
        #expect(pool.slots[1]?.state == .idle)
    }

    @Test func aLapsedReservationEndsTheWait() {
        var pool = poolWithAWaitingTurn()
        _ = pool.connectionAccepted(2, source: "a", now: 3)
        let result20 = pool.waitingTurnSought(bySlot: 2, connectionID: 2, tokenID: "t1", callIDs: Self.turn.callIDs, now: 3)
        #expect(result20)
        let result21 = pool.tick(now: 13)
        #expect(result21.contains(.endWaitingTurn(slot: 1)))
        let (holder, _, _) = pool.passedToWaitingTurn(fromSlot: 2, connectionID: 2, now: 14)
        #expect(holder == nil)
    }

    @Test func aTurnThatEndsBeforeItsConnectionIsDoneDoesNotWait() {
        var pool = runningPool()
        _ = pool.connectionAccepted(1, source: "a", now: 1)
        let result22 = pool.turnWaits(slot: 1, turn: Self.turn)
        #expect(result22)
        let result23 = pool.waitingTurnEnded(slot: 1, now: 2)
        #expect(result23 == [])
        _ = pool.connectionHandedBack(slot: 1, connectionID: 1, reason: .keepAlive, now: 3)
        #expect(pool.slots[1]?.state == .idle)
    }

    @Test func aDrainDoesNotWaitForWaitingTurns() {
        var pool = poolWithAWaitingTurn()
        let actions = pool.shutdownRequested(now: 10)
        #expect(actions.contains(.retire(slot: 1)), "\(actions)")
        #expect(pool.slots[1]?.state == .exiting)
        // A turn that starts waiting during the drain ends at once too.
        var draining = runningPool()
        _ = draining.connectionAccepted(1, source: "a", now: 1)
        let result24 = draining.turnWaits(slot: 1, turn: Self.turn)
        #expect(result24)
        _ = draining.shutdownRequested(now: 2)
        let result25 = draining.connectionDone(slot: 1, now: 3)
        #expect(result25.contains(.retire(slot: 1)))
    }

    // MARK: - The ledger

    static let capped = TokenLedgerGrant(tokenID: "c1", name: "capped", maxConcurrent: 1)

    @Test func aWaitingTurnKeepsItsGrantsAndCountsForTheCapUntilItsFollowUp() throws {
        var ledger = SlotLedger()
        ledger.connectionAssigned(slot: 1, connectionID: 10, source: "s")
        #expect(throws: SlotLedger.Violation.self) { try ledger.turnWaits(slot: 1) }
        #expect(ledger.authorized(slot: 1, connectionID: 10, grant: Self.capped) == .admitted)
        try ledger.turnStarted(slot: 1, processGroup: 500)
        #expect(try ledger.turnWaits(slot: 1) == "c1")
        _ = try ledger.turnFinished(slot: 1, tokenID: "c1")
        #expect(ledger.turnsInProgress(tokenID: "c1") == 1, "billed, but still waiting")
        // A request of the same token at its cap is admitted only as a possible follow-up.
        ledger.connectionAssigned(slot: 2, connectionID: 20, source: "s")
        #expect(ledger.authorized(slot: 2, connectionID: 20, grant: Self.capped) == .admittedForFollowUp)
        #expect(throws: SlotLedger.Violation.self) { try ledger.turnStarted(slot: 2, processGroup: 600) }
        // The follow-up is passed: the waiting slot now serves connection 20, with its group.
        _ = ledger.connectionReleased(slot: 2)
        ledger.waitingTurnResumed(slot: 1, connection: ConnectionGrant(id: 20, source: "s"))
        #expect(ledger.connection(slot: 1)?.id == 20)
        #expect(ledger.entries[1]?.processGroup == 500)
        #expect(ledger.activeGrant(slot: 1) == Self.capped)
        #expect(try ledger.turnFinished(slot: 1, tokenID: "c1") == Self.capped)
        #expect(ledger.turnsInProgress(tokenID: "c1") == 0)
    }
}
