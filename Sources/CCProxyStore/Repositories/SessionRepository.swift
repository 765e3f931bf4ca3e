#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The persistent-session registry, as the supervisor sees it.
///
/// ``SessionStore`` implements it on SQLite. Implementations need not be thread-safe: their
/// users serialise calls. Sessions are keyed by (owner, name): one owner's name never finds
/// another owner's session.
public protocol SessionRepository {
    /// The session `name` of `owner`, or nil.
    func find(owner: String, name: String) throws(StoreError) -> SessionRecord?

    /// Adds a session. Throws ``StoreError`` of kind `.constraint` if (owner, name) or the
    /// claude session id exists.
    func insert(_ record: SessionRecord) throws(StoreError)

    /// Records a finished turn: `last_used_at`, and `started` once a turn created the claude
    /// session (never unset). Returns whether the session existed.
    @discardableResult
    func recordTurn(owner: String, name: String, started: Bool, at date: Date) throws(StoreError) -> Bool

    /// Deletes the session. Returns whether it existed.
    @discardableResult
    func delete(owner: String, name: String) throws(StoreError) -> Bool

    /// Every session, most recently used first.
    func list() throws(StoreError) -> [SessionRecord]

    /// Sessions last used before `date`, oldest first, at most `limit`.
    func idle(before date: Date, limit: Int) throws(StoreError) -> [SessionRecord]
}
