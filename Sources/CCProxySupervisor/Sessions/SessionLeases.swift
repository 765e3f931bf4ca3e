// Runs in: the supervisor (`ccproxy serve`).
// Which turn holds which persistent session, and which turns wait for one. Pure: events in,
// actions out, time passed in (like `WorkerPoolStateMachine`), so every rule is unit-tested
// event by event without processes.

import CCProxyCore

/// The lease table of persistent sessions: one turn at a time per session. Part of the
/// `SlotLedger` (a lease is one of the things a slot is granted); the ledger checks who may
/// ask before it consults this table.
///
/// - A free session is granted at once; a held one queues the request (first come, first
///   served) until the holder releases it or `Limits.sessionLeaseWaitSeconds` pass, then it
///   is refused as busy. At most `Limits.maxSessionWaiters` wait per session; more are
///   refused at once.
/// - A slot holds at most one lease and waits for at most one: its one turn. Asking again is
///   a protocol violation.
/// - When a slot's connection ends (or the worker dies), everything it held or waited for
///   goes, and the next waiter is granted.
struct SessionLeases: Sendable, Equatable {
    /// A session: its owner and the client's name for it.
    struct Key: Hashable, Sendable {
        var owner: String
        var name: String
    }

    /// A request for a lease, answered by the correlation number.
    struct Request: Equatable, Sendable {
        var slot: UInt32
        /// The connection the slot served when it asked: an answer for another one is stale.
        var connectionID: UInt64 = 0
        var correlation: UInt32
        var key: Key
        /// The configured workspace the request names (binds a new session).
        var workspace: String?
    }

    /// What the shell must do.
    enum Action: Equatable, Sendable {
        /// The request now holds the session: look it up (or create it) and answer.
        case grant(Request)
        /// The request waited too long, or too many wait: answer 409.
        case refuseBusy(Request)
    }

    /// Why a request is refused outright.
    enum Refusal: Error, Equatable {
        /// The slot already holds or waits for a lease.
        case slotAlreadyHasOne
    }

    private struct Waiting: Sendable, Equatable {
        var request: Request
        var deadline: Double
    }

    private(set) var holders: [Key: UInt32] = [:]
    private var heldBySlot: [UInt32: Key] = [:]
    private var waiting: [Key: [Waiting]] = [:]
    private var waitingSlots: Set<UInt32> = []
    let waitSeconds: Double
    let maxWaiters: Int

    init(waitSeconds: Double = Limits.sessionLeaseWaitSeconds, maxWaiters: Int = Limits.maxSessionWaiters) {
        self.waitSeconds = waitSeconds
        self.maxWaiters = maxWaiters
    }

    /// The session a slot holds, if any.
    func held(bySlot slot: UInt32) -> Key? { heldBySlot[slot] }

    /// Whether some turn holds the session.
    func isHeld(_ key: Key) -> Bool { holders[key] != nil }

    /// Every session some turn holds (never evicted or ended while held).
    var heldKeys: Set<Key> { Set(holders.keys) }

    /// A request arrives. Returns the action to perform now, or nil when it waits.
    mutating func acquire(_ request: Request, now: Double) throws(Refusal) -> Action? {
        guard heldBySlot[request.slot] == nil, !waitingSlots.contains(request.slot) else { throw .slotAlreadyHasOne }
        guard holders[request.key] != nil else {
            holders[request.key] = request.slot
            heldBySlot[request.slot] = request.key
            return .grant(request)
        }
        var queue = waiting[request.key] ?? []
        guard queue.count < maxWaiters else { return .refuseBusy(request) }
        queue.append(Waiting(request: request, deadline: now + waitSeconds))
        waiting[request.key] = queue
        waitingSlots.insert(request.slot)
        return nil
    }

    /// The slot's turn is over (release, end of connection, or death): it holds and waits
    /// for nothing any more. Returns the grant for the next waiter, if any.
    mutating func release(slot: UInt32) -> [Action] {
        if waitingSlots.remove(slot) != nil {
            for (key, queue) in waiting {
                let kept = queue.filter { $0.request.slot != slot }
                waiting[key] = kept.isEmpty ? nil : kept
            }
        }
        guard let key = heldBySlot.removeValue(forKey: slot) else { return [] }
        holders[key] = nil
        guard var queue = waiting[key], !queue.isEmpty else { return [] }
        let next = queue.removeFirst()
        waiting[key] = queue.isEmpty ? nil : queue
        waitingSlots.remove(next.request.slot)
        holders[key] = next.request.slot
        heldBySlot[next.request.slot] = key
        return [.grant(next.request)]
    }

    /// Refuses every request whose wait has passed its deadline.
    mutating func expire(now: Double) -> [Action] {
        var actions: [Action] = []
        for (key, queue) in waiting {
            let (late, kept) = (queue.filter { $0.deadline <= now }, queue.filter { $0.deadline > now })
            guard !late.isEmpty else { continue }
            waiting[key] = kept.isEmpty ? nil : kept
            for entry in late {
                waitingSlots.remove(entry.request.slot)
                actions.append(.refuseBusy(entry.request))
            }
        }
        return actions.sorted { $0.sortKey < $1.sortKey }
    }

    /// Seconds until the earliest waiting request expires, if any wait.
    func nextDeadline(now: Double) -> Double? {
        waiting.values.flatMap { $0.map(\.deadline) }.min().map { max(0, $0 - now) }
    }
}

extension SessionLeases.Action {
    /// Orders simultaneous refusals deterministically (by slot).
    fileprivate var sortKey: UInt32 {
        switch self {
        case .grant(let request), .refuseBusy(let request): request.slot
        }
    }
}
