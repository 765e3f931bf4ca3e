// Runs in: the supervisor (`ccproxy serve`).
// What each pool worker was granted, slot by slot: the supervisor trusts a worker only for
// what its ledger entry holds (invariant 9). A pure value owned by the loop: events in,
// verdicts out; the shell acts on them (OpenSSH's monitor keeps the same kind of record of
// what its unprivileged child was allowed).

import CCProxyCore

/// The per-slot ledger of grants.
///
/// Contracts:
/// - a worker may ask for an authorization only while it serves a connection;
/// - it may bill only a token it was granted on its current connection, and is billed by
///   that grant, never by a token id it merely names;
/// - it may report a claude process group only while it serves a connection, and the group
///   must be > 1 (0 and 1 would make `kill(-group)` hit the supervisor's group or init);
/// - the turns in progress of a token are the slots whose current request holds a grant for
///   it and has not finished: the concurrent-turn cap counts them across all workers.
///
/// - a worker may ask for a persistent-session lease only for its current admitted request,
///   only for that grant's owner (it never names one) and only with `session:persistent`; it
///   holds or waits for at most one lease, may bind a new session only to a workspace the
///   grant covers, and may end only the lease it holds;
/// - everything a slot holds (grants, the process group, its session lease or its place in a
///   session's queue) is released with its connection or when its worker is gone.
///
/// New kinds of grants (workspace grants, bridges) go into ``SlotEntry`` or, like the session
/// leases, into a pure table the ledger owns, and are released the same way.
struct SlotLedger: Sendable, Equatable {
    /// A rule a worker broke; the shell kills the worker (`violation`).
    struct Violation: Error, Sendable, Equatable {
        var reason: String
    }

    /// Whether a fresh authorization may start a request.
    enum Admission: Sendable, Equatable {
        /// Recorded: the request is in progress.
        case admitted
        /// Recorded at the cap because a turn of the token waits: the request may only be
        /// that turn's follow-up.
        case admittedForFollowUp
        /// The token already has `limit` turns in progress.
        case overConcurrency(limit: Int)
        /// The slot no longer serves the connection the authorization was for: drop it.
        case stale
    }

    /// Why a session request is answered with an error (the worker did nothing wrong).
    enum SessionRefusal: Error, Sendable, Equatable {
        /// The request's token lacks `session:persistent`.
        case missingScope
        /// The session id is empty or longer than `Limits.maxSessionNameBytes`.
        case invalidName
    }

    private(set) var entries: [UInt32: SlotEntry] = [:]
    /// The persistent-session leases: which slot holds which session, and who waits.
    private(set) var sessions: SessionLeases

    init(sessions: SessionLeases = SessionLeases()) {
        self.sessions = sessions
    }

    // MARK: - Connections

    /// The slot was handed connection `id` from `source`.
    mutating func connectionAssigned(slot: UInt32, connectionID id: UInt64, source: String) {
        entries[slot] = SlotEntry(connection: ConnectionGrant(id: id, source: source))
    }

    /// The connection is over for this slot (done, handed back, lost): its grants end with it.
    /// - Returns: a claude process group still recorded for it, which the shell stops, and
    ///   the session lease it held, now granted to the next waiter.
    mutating func connectionReleased(slot: UInt32) -> SlotRelease {
        release(slot: slot)
    }

    /// The worker in `slot` is gone (exited, killed).
    /// - Returns: as ``connectionReleased(slot:)``; the shell kills the group.
    mutating func slotVacated(slot: UInt32) -> SlotRelease {
        release(slot: slot)
    }

    private mutating func release(slot: UInt32) -> SlotRelease {
        let group = entries.removeValue(forKey: slot)?.processGroup
        let held = sessions.held(bySlot: slot)
        return SlotRelease(processGroup: group, session: held, next: sessions.release(slot: slot))
    }

    /// The connection the slot serves, or nil when it serves none.
    func connection(slot: UInt32) -> ConnectionGrant? {
        entries[slot]?.connection
    }

    // MARK: - Authorization

    /// May the worker in `slot` ask for an authorization? Only while it serves a connection.
    func authorizationRequested(slot: UInt32) throws(Violation) -> ConnectionGrant {
        guard let connection = entries[slot]?.connection else {
            throw Violation(reason: "authorize without a connection")
        }
        return connection
    }

    /// An authorization for connection `connectionID` succeeded: unless the token is at its
    /// concurrent-turn cap, the grant is recorded and the slot's request is in progress for
    /// it (replacing the previous request's, which is over once a new one is authorized).
    /// `requestID` (the worker's word, for status only) is kept for the admitted request.
    mutating func authorized(
        slot: UInt32, connectionID: UInt64, grant: TokenLedgerGrant, requestID: String? = nil
    ) -> Admission {
        guard var entry = entries[slot], entry.connection.id == connectionID else { return .stale }
        entry.activeToken = nil
        entry.requestID = nil
        entries[slot] = entry
        if grant.maxConcurrent > 0, turnsInProgress(tokenID: grant.tokenID) >= grant.maxConcurrent {
            guard hasWaitingTurn(tokenID: grant.tokenID) else { return .overConcurrency(limit: grant.maxConcurrent) }
            // Perhaps the follow-up of a waiting turn, which takes that turn's place: admitted
            // for that only (`followUpOnly`); anything else is refused when it would start.
            entry.followUpOnly = true
        } else {
            entry.followUpOnly = false
        }
        entry.grants[grant.tokenID] = grant
        entry.activeToken = grant.tokenID
        entry.requestID = requestID
        entries[slot] = entry
        return entry.followUpOnly ? .admittedForFollowUp : .admitted
    }

    /// The number of slots whose current request is in progress for `tokenID`.
    func turnsInProgress(tokenID: String) -> Int {
        entries.values.reduce(0) { $0 + ($1.activeToken == tokenID || $1.waitingToken == tokenID ? 1 : 0) }
    }

    /// Whether a turn of `tokenID` waits for the client's results (its follow-up is admitted
    /// even at the concurrent-turn cap: it takes the waiting turn's place).
    func hasWaitingTurn(tokenID: String) -> Bool {
        entries.values.contains { $0.waitingToken == tokenID }
    }

    // MARK: - Waiting turns

    /// The slot's turn waits for the client's function results.
    /// - Returns: the token of the request that started it.
    /// - Throws: without an admitted request in progress.
    mutating func turnWaits(slot: UInt32) throws(Violation) -> String {
        guard var entry = entries[slot], let token = entry.activeToken ?? entry.waitingToken else {
            throw Violation(reason: "turnWaits without an admitted request")
        }
        entry.waitingToken = token
        entries[slot] = entry
        return token
    }

    /// The waiting turn of `slot` serves its follow-up on connection `id`: the entry (its
    /// grants and claude group) now belongs to that connection, and the turn is in progress
    /// again.
    mutating func waitingTurnResumed(slot: UInt32, connection: ConnectionGrant) {
        guard var entry = entries[slot] else { return }
        entry.connection = connection
        entry.activeToken = entry.waitingToken ?? entry.activeToken
        entry.waitingToken = nil
        entries[slot] = entry
    }

    /// The turn no longer waits, and still has its connection (it ended before the
    /// connection was done).
    mutating func waitEnded(slot: UInt32) {
        entries[slot]?.waitingToken = nil
    }

    // MARK: - Turns

    /// A turn's usage arrived naming `tokenID`. The request is over for the concurrency cap.
    /// - Returns: the grant to bill.
    /// - Throws: when the token was not granted on the slot's current connection.
    mutating func turnFinished(slot: UInt32, tokenID: String) throws(Violation) -> TokenLedgerGrant {
        guard var entry = entries[slot], let grant = entry.grants[tokenID] else {
            throw Violation(reason: "billed a token not granted on its connection")
        }
        if entry.activeToken == tokenID { entry.activeToken = nil }
        entries[slot] = entry
        return grant
    }

    /// The worker reported claude's process group.
    mutating func turnStarted(slot: UInt32, processGroup group: Int32) throws(Violation) {
        guard group > 1 else { throw Violation(reason: "process group \(group) is not a claude group") }
        guard var entry = entries[slot] else { throw Violation(reason: "turnStarted without a connection") }
        guard !entry.followUpOnly else {
            throw Violation(reason: "a turn started for a request admitted only as a waiting turn's follow-up")
        }
        guard entry.processGroup == nil || entry.processGroup == group else {
            throw Violation(reason: "a second process group before turnEnded")
        }
        entry.processGroup = group
        entries[slot] = entry
    }

    /// The reported process group is gone. Harmless without a connection (it claims
    /// nothing), so it is not a violation: the group, if any, was released with it.
    mutating func turnEnded(slot: UInt32) {
        guard var entry = entries[slot] else { return }
        entry.processGroup = nil
        entries[slot] = entry
    }

    /// The token names of the slot's current request, for status reports.
    func activeTokenName(slot: UInt32) -> String? {
        guard let entry = entries[slot], let id = entry.activeToken else { return nil }
        return entry.grants[id]?.name
    }

    /// The grant of the slot's current admitted request, if one is in progress.
    func activeGrant(slot: UInt32) -> TokenLedgerGrant? {
        guard let entry = entries[slot], let id = entry.activeToken else { return nil }
        return entry.grants[id]
    }

    // MARK: - Persistent sessions

    /// The worker asks for session `name` for its current request.
    /// - Returns: the lease table's action (nil: the request waits for the holder), or why
    ///   the client is refused.
    /// - Throws: without an admitted request in progress, for a workspace the grant does not
    ///   cover, or when the slot already holds or waits for a lease.
    mutating func sessionRequested(
        slot: UInt32, correlation: UInt32, name: String, workspace: String?, now: Double
    ) throws(Violation) -> Result<SessionLeases.Action?, SessionRefusal> {
        guard let entry = entries[slot], let grant = activeGrant(slot: slot) else {
            throw Violation(reason: "acquireSession without an authorized request")
        }
        guard grant.scopes.contains(.sessionPersistent) else { return .failure(.missingScope) }
        // The worker refuses a workspace the token may not use before it asks (403); a new
        // session bound to one anyway would outlive this grant, so it is a violation.
        if let workspace, workspace != ReservedWorkspaceName.bridge, !grant.scopes.contains(.anyWorkspace),
            !grant.scopes.contains(.workspace(workspace))
        {
            throw Violation(reason: "a session bound to a workspace its grant does not cover")
        }
        guard !name.isEmpty, name.utf8.count <= Limits.maxSessionNameBytes else { return .failure(.invalidName) }
        let request = SessionLeases.Request(
            slot: slot, connectionID: entry.connection.id, correlation: correlation,
            key: .init(owner: grant.owner, name: name), workspace: workspace)
        do {
            return .success(try sessions.acquire(request, now: now))
        } catch {
            throw Violation(reason: "acquireSession while it already holds or waits for a session")
        }
    }

    /// The worker's turn on its session is over.
    /// - Returns: the session it held and the grant for the next waiter, if any.
    /// - Throws: when the slot holds no lease.
    mutating func sessionReleased(slot: UInt32) throws(Violation) -> (SessionLeases.Key, [SessionLeases.Action]) {
        guard let key = sessions.held(bySlot: slot) else {
            throw Violation(reason: "releaseSession without a session lease")
        }
        return (key, sessions.release(slot: slot))
    }

    /// Whether the slot still holds `key` for connection `connectionID` (a registry answer
    /// for a lease is sent only then).
    func holdsSession(slot: UInt32, key: SessionLeases.Key, connectionID: UInt64) -> Bool {
        sessions.held(bySlot: slot) == key && entries[slot]?.connection.id == connectionID
    }

    /// Refuses the session waits whose deadline has passed.
    mutating func expireSessionWaits(now: Double) -> [SessionLeases.Action] {
        sessions.expire(now: now)
    }

    /// The request id of the slot's latest admitted request on its current connection.
    func requestID(slot: UInt32) -> String? {
        entries[slot]?.requestID
    }
}
