// Runs in: the supervisor (`ccproxy serve`): made on the loop, performed on the authority
// thread by `SessionRegistry`, answered back to the loop.

import CCProxyStore
import Foundation

/// Work on the session registry that the loop hands to the authority thread. Jobs run in the
/// order they were submitted, so a turn's record is written before the next turn on the
/// same session is looked up.
enum SessionJob: Sendable, Equatable {
    /// The ledger granted a lease: find (or create) the session to answer the worker.
    case lookUp(SessionLeases.Request)
    /// A turn on a session ended. No answer.
    case recordTurn(SessionTurn)
    /// Evict sessions idle since before `cutoff`, except those turns hold (as of submission).
    case evictIdle(cutoff: Date, held: Set<SessionLeases.Key>)
    /// `ccproxyctl sessions list`, for admin client `client`.
    case list(client: UInt64)
    /// `ccproxyctl sessions end`, for admin client `client`.
    case end(client: UInt64, owner: String?, name: String, held: Set<SessionLeases.Key>)

    /// Bookkeeping is never refused for a full queue (like usage); requests that someone
    /// waits for are.
    var isBookkeeping: Bool {
        if case .recordTurn = self { return true }
        return false
    }
}

/// One ended turn on a session: when it ran, and whether claude now holds the conversation.
struct SessionTurn: Sendable, Equatable {
    var key: SessionLeases.Key
    var started: Bool
    var at: Date
}

/// What `ccproxyctl sessions end` achieved.
struct SessionsEnded: Sendable, Equatable {
    var count: UInt32 = 0
    /// Owners whose session of that name a turn holds (not ended).
    var busyOwners: [String] = []
}

/// The registry's answer to a ``SessionJob``.
enum SessionAnswer: Sendable, Equatable {
    case lookedUp(SessionLeases.Request, Result<SessionRecord, StoreError>)
    case evicted(Result<[SessionRecord], StoreError>)
    case listed(client: UInt64, Result<[SessionRecord], StoreError>)
    case ended(client: UInt64, Result<SessionsEnded, StoreError>)
}
