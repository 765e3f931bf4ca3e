// Runs in: the supervisor (`ccproxy serve`).

import CCProxyCore

/// What one pool worker holds while it serves a connection (see ``SlotLedger``).
struct SlotEntry: Sendable, Equatable {
    /// The connection handed to it.
    var connection: ConnectionGrant
    /// Tokens authorized on this connection, by token id (a keep-alive connection may carry
    /// requests of several tokens).
    var grants: [String: TokenLedgerGrant] = [:]
    /// The token whose request is in progress (counted by the concurrent-turn cap), if any.
    var activeToken: String?
    /// The id the worker gave for its latest admitted request, for status reports only
    /// (nothing is decided by it).
    var requestID: String?
    /// The claude process group it reported (`turnStarted`), if any.
    var processGroup: Int32?
    /// The token of its turn that waits for the client's function results (`turnWaits`):
    /// still a turn in progress for the concurrent-turn cap, and what its follow-up must be
    /// granted for. The entry outlives its connection while the turn waits.
    var waitingToken: String?
    /// Its current request was admitted at the token's concurrent-turn cap because a turn of
    /// the token waits: it may only continue that turn (`findWaitingTurn`), never start one.
    var followUpOnly = false
}

/// A client connection as the supervisor accepted it.
struct ConnectionGrant: Sendable, Equatable {
    var id: UInt64
    /// The client's address without the port (the wrong-secret limit's per-source key).
    var source: String
}

/// What the ledger keeps of an authorization.
struct TokenLedgerGrant: Sendable, Equatable {
    var tokenID: String
    var name: String
    /// Turns in progress at once allowed for the token; 0 = unlimited.
    var maxConcurrent: Int
    /// Who the token's sessions belong to (its principal, or the token itself).
    var owner: String = ""
    /// What the token may do beyond `chat` (checked for session leases).
    var scopes: Set<Scope> = []
}

/// What a slot held when its connection ended or its worker died: the shell stops the
/// process group and grants the freed session to the next waiter.
struct SlotRelease: Sendable, Equatable {
    /// A claude process group still recorded for it.
    var processGroup: Int32?
    /// The persistent session it held, if any.
    var session: SessionLeases.Key?
    /// The session handed to the next waiting turn, if one waited.
    var next: [SessionLeases.Action] = []
}
