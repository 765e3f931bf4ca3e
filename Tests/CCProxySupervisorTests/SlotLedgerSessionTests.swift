import CCProxyCore
import CCProxyWire
import Testing

@testable import CCProxySupervisor

/// Session leases as part of the ledger, event by event: who may ask, for whose session, and
/// what a slot's end releases.
@Suite struct SlotLedgerSessionTests {
    static let alice = TokenLedgerGrant(
        tokenID: "a1", name: "alice", maxConcurrent: 0, owner: "principal:alice", scopes: [.chat, .sessionPersistent])
    static let aliceLaptop = TokenLedgerGrant(
        tokenID: "a2", name: "alice-laptop", maxConcurrent: 0, owner: "principal:alice", scopes: [.chat, .sessionPersistent])
    static let chatOnly = TokenLedgerGrant(tokenID: "c1", name: "chat", maxConcurrent: 0, owner: "token:c1", scopes: [.chat])

    func admitted(_ grants: [UInt32: TokenLedgerGrant]) -> SlotLedger {
        var ledger = SlotLedger()
        for (slot, grant) in grants {
            ledger.connectionAssigned(slot: slot, connectionID: UInt64(slot) * 10, source: "192.0.2.\(slot)")
            _ = ledger.authorized(slot: slot, connectionID: UInt64(slot) * 10, grant: grant)
        }
        return ledger
    }

    func ask(_ ledger: inout SlotLedger, slot: UInt32, name: String = "s", now: Double = 0) throws
        -> Result<SessionLeases.Action?, SlotLedger.SessionRefusal>
    {
        try ledger.sessionRequested(slot: slot, correlation: slot, name: name, workspace: nil, now: now)
    }

    @Test func onlyAnAdmittedRequestMayAskAndTheOwnerComesFromItsGrant() throws {
        var ledger = SlotLedger()
        ledger.connectionAssigned(slot: 1, connectionID: 10, source: "x")
        #expect(throws: SlotLedger.Violation.self, "no authorized request yet") { try ask(&ledger, slot: 1) }
        _ = ledger.authorized(slot: 1, connectionID: 10, grant: Self.alice)
        guard case .success(.grant(let request)) = try ask(&ledger, slot: 1) else {
            Issue.record("a free session is granted at once")
            return
        }
        #expect(request.key == SessionLeases.Key(owner: "principal:alice", name: "s"))
        #expect(request.connectionID == 10)
        #expect(ledger.holdsSession(slot: 1, key: request.key, connectionID: 10))
        #expect(throws: SlotLedger.Violation.self, "one lease per slot") { try ask(&ledger, slot: 1, name: "t") }
    }

    @Test func scopeAndNameAreCheckedBeforeAnyLease() throws {
        var ledger = admitted([1: Self.chatOnly, 2: Self.alice])
        #expect(try ask(&ledger, slot: 1) == .failure(.missingScope))
        #expect(try ask(&ledger, slot: 2, name: "") == .failure(.invalidName))
        #expect(try ask(&ledger, slot: 2, name: String(repeating: "x", count: Limits.maxSessionNameBytes + 1)) == .failure(.invalidName))
        #expect(ledger.sessions.heldKeys.isEmpty)
        #expect(throws: SlotLedger.Violation.self, "a refused request holds nothing to release") { try ledger.sessionReleased(slot: 2) }
    }

    @Test func twoTokensOfOneOwnerShareTheSessionOneTurnAtATime() throws {
        var ledger = admitted([1: Self.alice, 2: Self.aliceLaptop])
        _ = try ask(&ledger, slot: 1)
        #expect(try ask(&ledger, slot: 2, now: 1) == .success(nil), "the second waits")
        let (released, next) = try ledger.sessionReleased(slot: 1)
        #expect(released.owner == "principal:alice")
        guard case .grant(let request) = next.first else {
            Issue.record("the waiter is granted when the holder releases")
            return
        }
        #expect(request.slot == 2 && request.connectionID == 20)
        #expect(throws: SlotLedger.Violation.self, "slot 1 holds nothing now") { try ledger.sessionReleased(slot: 1) }
    }

    @Test func theEndOfAConnectionOrAWorkerReleasesItsLeaseToTheNextWaiter() throws {
        var ledger = admitted([1: Self.alice, 2: Self.aliceLaptop, 3: Self.alice])
        _ = try ask(&ledger, slot: 1)
        _ = try ask(&ledger, slot: 2)
        _ = try ask(&ledger, slot: 3)
        let gone = ledger.slotVacated(slot: 1)
        #expect(gone.session?.name == "s")
        #expect(gone.next.count == 1)
        // The waiter in slot 3 leaves; the holder (slot 2) keeps its lease.
        let left = ledger.connectionReleased(slot: 3)
        #expect(left.session == nil && left.next.isEmpty)
        #expect(ledger.sessions.held(bySlot: 2) != nil)
        // A registry answer for slot 2's old connection is stale once it serves another.
        let key = SessionLeases.Key(owner: "principal:alice", name: "s")
        #expect(ledger.holdsSession(slot: 2, key: key, connectionID: 20))
        _ = ledger.connectionReleased(slot: 2)
        ledger.connectionAssigned(slot: 2, connectionID: 21, source: "x")
        #expect(!ledger.holdsSession(slot: 2, key: key, connectionID: 20))
        #expect(ledger.sessions.heldKeys.isEmpty)
    }

    @Test func waitsExpireThroughTheLedger() throws {
        var ledger = admitted([1: Self.alice, 2: Self.aliceLaptop])
        _ = try ask(&ledger, slot: 1, now: 0)
        _ = try ask(&ledger, slot: 2, now: 0)
        #expect(ledger.expireSessionWaits(now: Limits.sessionLeaseWaitSeconds - 1).isEmpty)
        let refused = ledger.expireSessionWaits(now: Limits.sessionLeaseWaitSeconds)
        guard case .refuseBusy(let request) = refused.first else {
            Issue.record("a wait past its deadline is refused as busy")
            return
        }
        #expect(request.slot == 2)
        // The refused waiter may ask again (its place in the queue is gone).
        #expect(try ask(&ledger, slot: 2, now: 40) == .success(nil))
    }

    @Test func aSessionMayBeBoundToThePrincipalsBridgeWithoutAWorkspaceScope() throws {
        var ledger = admitted([1: Self.alice])
        guard case .success(.grant(let request)) = try ledger.sessionRequested(
            slot: 1, correlation: 1, name: "s", workspace: ReservedWorkspaceName.bridge, now: 0)
        else {
            Issue.record("the bridge binding needs no workspace scope")
            return
        }
        #expect(request.workspace == "@bridge")
        #expect(BridgePaths.sessionBinding == ReservedWorkspaceName.bridge, "the wire repeats the Core name")
    }

    @Test func aSessionMayBeBoundOnlyToAWorkspaceTheGrantCovers() throws {
        let docs = TokenLedgerGrant(
            tokenID: "d1", name: "docs", maxConcurrent: 0, owner: "token:d1", scopes: [.chat, .sessionPersistent, .workspace("docs")])
        let any = TokenLedgerGrant(
            tokenID: "w1", name: "any", maxConcurrent: 0, owner: "token:w1", scopes: [.chat, .sessionPersistent, .anyWorkspace])
        var ledger = admitted([1: docs, 2: any, 3: Self.alice])
        #expect(throws: SlotLedger.Violation.self) {
            try ledger.sessionRequested(slot: 1, correlation: 1, name: "s", workspace: "secret", now: 0)
        }
        #expect(throws: SlotLedger.Violation.self, "no workspace scope at all") {
            try ledger.sessionRequested(slot: 3, correlation: 3, name: "s", workspace: "docs", now: 0)
        }
        guard case .success(.grant(let request)) = try ledger.sessionRequested(slot: 1, correlation: 1, name: "s", workspace: "docs", now: 0)
        else {
            Issue.record("a covered workspace is granted")
            return
        }
        #expect(request.workspace == "docs")
        guard case .success(.grant) = try ledger.sessionRequested(slot: 2, correlation: 2, name: "s", workspace: "secret", now: 0) else {
            Issue.record("workspace:* covers every workspace")
            return
        }
    }
}
