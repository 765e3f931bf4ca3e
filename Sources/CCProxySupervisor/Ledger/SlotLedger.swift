// Runs in: the supervisor (`ccproxy serve`).
// What each pool worker was granted, slot by slot: the supervisor trusts a worker only for
// what its ledger entry holds (invariant 9). A pure value owned by the loop: events in,
// verdicts out; the shell acts on them (OpenSSH's monitor keeps the same kind of record of
// what its unprivileged child was allowed).

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
/// New kinds of grants (session leases, workspace grants) go into ``SlotEntry`` and are
/// released with the connection or the slot.
struct SlotLedger: Sendable, Equatable {
    /// A rule a worker broke; the shell kills the worker (`violation`).
    struct Violation: Error, Sendable, Equatable {
        var reason: String
    }

    /// Whether a fresh authorization may start a request.
    enum Admission: Sendable, Equatable {
        /// Recorded: the request is in progress.
        case admitted
        /// The token already has `limit` turns in progress.
        case overConcurrency(limit: Int)
        /// The slot no longer serves the connection the authorization was for: drop it.
        case stale
    }

    private(set) var entries: [UInt32: SlotEntry] = [:]

    // MARK: - Connections

    /// The slot was handed connection `id` from `source`.
    mutating func connectionAssigned(slot: UInt32, connectionID id: UInt64, source: String) {
        entries[slot] = SlotEntry(connection: ConnectionGrant(id: id, source: source))
    }

    /// The connection is over for this slot (done, handed back, lost): its grants end with it.
    /// - Returns: a claude process group still recorded for it, which the shell stops.
    mutating func connectionReleased(slot: UInt32) -> Int32? {
        entries.removeValue(forKey: slot)?.processGroup
    }

    /// The worker in `slot` is gone (exited, killed).
    /// - Returns: a claude process group it reported and did not end, which the shell kills.
    mutating func slotVacated(slot: UInt32) -> Int32? {
        entries.removeValue(forKey: slot)?.processGroup
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
            return .overConcurrency(limit: grant.maxConcurrent)
        }
        entry.grants[grant.tokenID] = grant
        entry.activeToken = grant.tokenID
        entry.requestID = requestID
        entries[slot] = entry
        return .admitted
    }

    /// The number of slots whose current request is in progress for `tokenID`.
    func turnsInProgress(tokenID: String) -> Int {
        entries.values.reduce(0) { $0 + ($1.activeToken == tokenID ? 1 : 0) }
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

    /// The request id of the slot's latest admitted request on its current connection.
    func requestID(slot: UInt32) -> String? {
        entries[slot]?.requestID
    }
}
