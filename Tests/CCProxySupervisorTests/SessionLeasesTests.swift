import Testing

@testable import CCProxySupervisor

/// `SessionLeases`, event by event: one turn per session, a bounded fair wait, and nothing
/// left behind when a slot goes away.
@Suite struct SessionLeasesTests {
    private static let alice = SessionLeases.Key(owner: "principal:alice", name: "chat")
    private static let bob = SessionLeases.Key(owner: "token:b0b", name: "chat")

    private func request(_ slot: UInt32, _ key: SessionLeases.Key = alice, correlation: UInt32 = 1) -> SessionLeases.Request {
        SessionLeases.Request(slot: slot, correlation: correlation, key: key, workspace: nil)
    }

    @Test func aFreeSessionIsGrantedAtOnce() throws {
        var leases = SessionLeases(waitSeconds: 30, maxWaiters: 2)
        let action = try leases.acquire(request(1), now: 0)
        #expect(action == .grant(request(1)))
        #expect(leases.held(bySlot: 1) == Self.alice)
        #expect(leases.isHeld(Self.alice))
    }

    @Test func theSameNameOfAnotherOwnerIsAnotherSession() throws {
        var leases = SessionLeases(waitSeconds: 30, maxWaiters: 2)
        _ = try leases.acquire(request(1, Self.alice), now: 0)
        let action = try leases.acquire(request(2, Self.bob), now: 0)
        #expect(action == .grant(request(2, Self.bob)), "bob's 'chat' must not wait for alice's")
    }

    @Test func aHeldSessionMakesTheNextTurnWaitThenGrantsItOnRelease() throws {
        var leases = SessionLeases(waitSeconds: 30, maxWaiters: 2)
        _ = try leases.acquire(request(1), now: 0)
        #expect(try leases.acquire(request(2, correlation: 7), now: 1) == nil)
        #expect(leases.nextDeadline(now: 1) == 30)
        let actions = leases.release(slot: 1)
        #expect(actions == [.grant(request(2, correlation: 7))])
        #expect(leases.held(bySlot: 2) == Self.alice)
        #expect(leases.held(bySlot: 1) == nil)
        #expect(leases.nextDeadline(now: 2) == nil)
    }

    @Test func waitersAreServedFirstComeFirstServed() throws {
        var leases = SessionLeases(waitSeconds: 30, maxWaiters: 3)
        _ = try leases.acquire(request(1), now: 0)
        _ = try leases.acquire(request(2), now: 1)
        _ = try leases.acquire(request(3), now: 2)
        #expect(leases.release(slot: 1) == [.grant(request(2))])
        #expect(leases.release(slot: 2) == [.grant(request(3))])
        #expect(leases.release(slot: 3) == [])
        #expect(!leases.isHeld(Self.alice))
    }

    @Test func aWaitPastItsBoundIsRefusedAsBusy() throws {
        var leases = SessionLeases(waitSeconds: 30, maxWaiters: 2)
        _ = try leases.acquire(request(1), now: 0)
        _ = try leases.acquire(request(2), now: 5)
        #expect(leases.expire(now: 34.9) == [])
        #expect(leases.expire(now: 35) == [.refuseBusy(request(2))])
        #expect(leases.release(slot: 1) == [], "the refused waiter is gone")
    }

    @Test func tooManyWaitersAreRefusedAtOnce() throws {
        var leases = SessionLeases(waitSeconds: 30, maxWaiters: 1)
        _ = try leases.acquire(request(1), now: 0)
        #expect(try leases.acquire(request(2), now: 0) == nil)
        #expect(try leases.acquire(request(3), now: 0) == .refuseBusy(request(3)))
    }

    @Test func aSlotAsksForOneLeaseOnly() throws {
        var leases = SessionLeases(waitSeconds: 30, maxWaiters: 2)
        _ = try leases.acquire(request(1), now: 0)
        #expect(throws: SessionLeases.Refusal.slotAlreadyHasOne) { try leases.acquire(request(1, Self.bob), now: 0) }
        let waiting = request(2)
        _ = try leases.acquire(waiting, now: 0)
        #expect(throws: SessionLeases.Refusal.slotAlreadyHasOne) { try leases.acquire(request(2, Self.bob), now: 0) }
    }

    @Test func aWaiterThatGoesAwayIsForgotten() throws {
        var leases = SessionLeases(waitSeconds: 30, maxWaiters: 2)
        _ = try leases.acquire(request(1), now: 0)
        _ = try leases.acquire(request(2), now: 0)
        _ = try leases.acquire(request(3), now: 0)
        #expect(leases.release(slot: 2) == [], "slot 2 held nothing; its wait ends")
        #expect(leases.release(slot: 1) == [.grant(request(3))])
        #expect(try leases.acquire(request(2, Self.bob), now: 1) == .grant(request(2, Self.bob)), "slot 2 may ask again")
    }

    @Test func releasingTwiceIsHarmless() throws {
        var leases = SessionLeases(waitSeconds: 30, maxWaiters: 2)
        _ = try leases.acquire(request(1), now: 0)
        _ = leases.release(slot: 1)
        #expect(leases.release(slot: 1) == [])
        #expect(try leases.acquire(request(4), now: 0) == .grant(request(4)))
    }
}
