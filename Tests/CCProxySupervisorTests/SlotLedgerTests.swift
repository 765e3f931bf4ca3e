import Testing

@testable import CCProxySupervisor

/// The per-slot ledger, event by event: what a worker may claim, and what it is billed by.
@Suite struct SlotLedgerTests {
    static let alice = TokenLedgerGrant(tokenID: "a1", name: "alice", maxConcurrent: 0)
    static let capped = TokenLedgerGrant(tokenID: "c1", name: "capped", maxConcurrent: 1)

    func ledgerServing(_ slots: [UInt32]) -> SlotLedger {
        var ledger = SlotLedger()
        for slot in slots { ledger.connectionAssigned(slot: slot, connectionID: UInt64(slot) * 10, source: "192.0.2.\(slot)") }
        return ledger
    }

    @Test func authorizeNeedsAConnectionAndGivesItsSource() throws {
        var ledger = SlotLedger()
        #expect(throws: SlotLedger.Violation.self) { try ledger.authorizationRequested(slot: 1) }
        ledger.connectionAssigned(slot: 1, connectionID: 7, source: "192.0.2.9")
        #expect(try ledger.authorizationRequested(slot: 1) == ConnectionGrant(id: 7, source: "192.0.2.9"))
        _ = ledger.connectionReleased(slot: 1)
        #expect(throws: SlotLedger.Violation.self) { try ledger.authorizationRequested(slot: 1) }
    }

    @Test func aWorkerIsBilledOnlyByATokenGrantedOnItsConnection() throws {
        var ledger = ledgerServing([1, 2])
        #expect(ledger.authorized(slot: 1, connectionID: 10, grant: Self.alice) == .admitted)
        // Slot 2 never got alice's grant: naming her token is a violation.
        #expect(throws: SlotLedger.Violation.self) { try ledger.turnFinished(slot: 2, tokenID: "a1") }
        #expect(try ledger.turnFinished(slot: 1, tokenID: "a1") == Self.alice)
        // A later request on the same connection may still bill it (keep-alive).
        #expect(try ledger.turnFinished(slot: 1, tokenID: "a1") == Self.alice)
        // Not after the connection is over: grants end with it.
        _ = ledger.connectionReleased(slot: 1)
        ledger.connectionAssigned(slot: 1, connectionID: 11, source: "192.0.2.1")
        #expect(throws: SlotLedger.Violation.self) { try ledger.turnFinished(slot: 1, tokenID: "a1") }
    }

    @Test func theRequestIDOfTheAdmittedRequestIsReportedUntilTheConnectionEnds() {
        var ledger = ledgerServing([1, 2])
        #expect(ledger.requestID(slot: 1) == nil)
        #expect(ledger.authorized(slot: 1, connectionID: 10, grant: Self.alice, requestID: "req-1") == .admitted)
        #expect(ledger.requestID(slot: 1) == "req-1")
        #expect(ledger.activeTokenName(slot: 1) == "alice")
        #expect(ledger.requestID(slot: 2) == nil)
        // A refused request (over the cap) does not report the previous request's id.
        #expect(ledger.authorized(slot: 2, connectionID: 20, grant: Self.capped, requestID: "req-2") == .admitted)
        #expect(ledger.authorized(slot: 1, connectionID: 10, grant: Self.capped, requestID: "req-3") == .overConcurrency(limit: 1))
        #expect(ledger.requestID(slot: 1) == nil)
        #expect(ledger.activeTokenName(slot: 1) == nil)
        // A stale answer changes nothing.
        #expect(ledger.authorized(slot: 2, connectionID: 99, grant: Self.alice, requestID: "req-4") == .stale)
        #expect(ledger.requestID(slot: 2) == "req-2")
        _ = ledger.connectionReleased(slot: 2)
        #expect(ledger.requestID(slot: 2) == nil)
    }

    @Test func anAnswerForAConnectionThatMovedOnIsStale() {
        var ledger = ledgerServing([1])
        _ = ledger.connectionReleased(slot: 1)
        #expect(ledger.authorized(slot: 1, connectionID: 10, grant: Self.alice) == .stale)
        ledger.connectionAssigned(slot: 1, connectionID: 12, source: "x")
        #expect(ledger.authorized(slot: 1, connectionID: 10, grant: Self.alice) == .stale)
        #expect(ledger.turnsInProgress(tokenID: "a1") == 0)
    }

    @Test func theConcurrentCapCountsTurnsInProgressAcrossWorkers() throws {
        var ledger = ledgerServing([1, 2, 3])
        #expect(ledger.authorized(slot: 1, connectionID: 10, grant: Self.capped) == .admitted)
        #expect(ledger.turnsInProgress(tokenID: "c1") == 1)
        #expect(ledger.authorized(slot: 2, connectionID: 20, grant: Self.capped) == .overConcurrency(limit: 1))
        #expect(ledger.turnsInProgress(tokenID: "c1") == 1, "a refused request is not in progress")
        // An uncapped token is not affected.
        #expect(ledger.authorized(slot: 3, connectionID: 30, grant: Self.alice) == .admitted)
        // The first turn finishes: the next is admitted.
        _ = try ledger.turnFinished(slot: 1, tokenID: "c1")
        #expect(ledger.authorized(slot: 2, connectionID: 20, grant: Self.capped) == .admitted)
        // A request that ends without usage ends with its connection.
        _ = ledger.connectionReleased(slot: 2)
        #expect(ledger.turnsInProgress(tokenID: "c1") == 0)
        // The same slot's next request replaces its previous one (it is not counted twice).
        #expect(ledger.authorized(slot: 1, connectionID: 10, grant: Self.capped) == .admitted)
        #expect(ledger.authorized(slot: 1, connectionID: 10, grant: Self.capped) == .admitted)
        #expect(ledger.turnsInProgress(tokenID: "c1") == 1)
        // A dead worker's turn is not in progress any more.
        _ = ledger.slotVacated(slot: 1)
        #expect(ledger.turnsInProgress(tokenID: "c1") == 0)
    }

    @Test func processGroupsOnlyWhileServingAndAboveOne() throws {
        var ledger = SlotLedger()
        #expect(throws: SlotLedger.Violation.self) { try ledger.turnStarted(slot: 1, processGroup: 4242) }
        ledger.connectionAssigned(slot: 1, connectionID: 10, source: "x")
        for bad: Int32 in [1, 0, -1, .min] {
            #expect(throws: SlotLedger.Violation.self, "group \(bad)") { try ledger.turnStarted(slot: 1, processGroup: bad) }
        }
        try ledger.turnStarted(slot: 1, processGroup: 4242)
        try ledger.turnStarted(slot: 1, processGroup: 4242)  // the same group again is harmless
        #expect(throws: SlotLedger.Violation.self) { try ledger.turnStarted(slot: 1, processGroup: 4343) }
        ledger.turnEnded(slot: 1)
        try ledger.turnStarted(slot: 1, processGroup: 4343)
        // A worker that dies with a group reported: the shell gets it to kill.
        #expect(ledger.slotVacated(slot: 1).processGroup == 4343)
        #expect(ledger.slotVacated(slot: 1).processGroup == nil)
        ledger.turnEnded(slot: 1)  // claims nothing: harmless
        #expect(ledger.connection(slot: 1) == nil)
    }

    @Test func aConnectionReleasedWithAGroupStillRecordedHandsItBack() throws {
        var ledger = ledgerServing([1])
        try ledger.turnStarted(slot: 1, processGroup: 777)
        #expect(ledger.connectionReleased(slot: 1).processGroup == 777)
        #expect(ledger.connection(slot: 1) == nil)
    }

    @Test func statusNamesTheActiveToken() throws {
        var ledger = ledgerServing([1])
        #expect(ledger.activeTokenName(slot: 1) == nil)
        _ = ledger.authorized(slot: 1, connectionID: 10, grant: Self.alice)
        #expect(ledger.activeTokenName(slot: 1) == "alice")
    }
}
