#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The token registry, as the rest of ccproxy sees it.
///
/// ``TokenStore`` implements it on SQLite; another backend (e.g. PostgreSQL, for several hosts)
/// implements the same contract. Implementations need not be thread-safe: their users serialise
/// calls. Every method reads or writes the shared database directly (no caching), so a change
/// made by another process is visible to the next call.
public protocol TokenRepository {
    /// Adds a token. Throws ``StoreError`` of kind `.constraint` if the id or prefix exists.
    func insert(_ record: TokenRecord) throws(StoreError)

    /// Adds `record` only if the registry holds no token at all, atomically with respect to
    /// other writers. Returns whether it was inserted.
    func insertIfEmpty(_ record: TokenRecord) throws(StoreError) -> Bool

    /// The token whose bearer starts with `ccp_<prefix>_`, or nil.
    func find(byPrefix prefix: String) throws(StoreError) -> TokenRecord?

    /// The token with this id, or nil.
    func find(byID id: String) throws(StoreError) -> TokenRecord?

    /// Every token with exactly this name (names are not unique), newest first.
    func find(byName name: String) throws(StoreError) -> [TokenRecord]

    /// Every token, newest first.
    func list() throws(StoreError) -> [TokenRecord]

    /// Deletes the token (revocation) and its usage rows. Returns whether it existed.
    @discardableResult
    func delete(id: String) throws(StoreError) -> Bool

    /// Gives the token a new prefix and hash (rotation); everything else is kept.
    /// Returns whether it existed.
    @discardableResult
    func replaceSecret(id: String, prefix: String, hash: String) throws(StoreError) -> Bool

    /// Switches debug capture. Returns whether the token existed.
    @discardableResult
    func setDebugCapture(id: String, enabled: Bool) throws(StoreError) -> Bool

    /// Replaces the settings of the token `record.id` (scopes, rpm, tpd, max concurrent,
    /// debug capture, verbosity, principal) with `record`'s; `false` if no row has the id.
    @discardableResult
    func updateSettings(_ record: TokenRecord) throws(StoreError) -> Bool

    /// Records that the token was used at `date`.
    func touchLastUsed(id: String, at date: Date) throws(StoreError)

    /// The number of tokens.
    func count() throws(StoreError) -> Int
}
