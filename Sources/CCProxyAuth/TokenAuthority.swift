import CCProxyCore
import CCProxyStore
import CCProxyPosix

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The token registry's single entry point: minting, listing, revoking, rotating and
/// updating tokens (the `ccproxy token` CLI), and authorizing bearers (the supervisor).
///
/// The database is the only truth. ``authorize(bearer:requiredScope:now:)`` reads the token's
/// row on every call, so a revoke, rotate or update made by another process (the CLI, while the
/// server runs) takes effect on the next request. What is cached in memory is only which
/// (prefix, stored hash, secret) triples already passed argon2id, so the expensive hash runs
/// once per token and secret, not once per request.
///
/// Thread-safe: repository calls are serialised by a lock; argon2id runs outside it.
public final class TokenAuthority: Sendable {
    /// The repositories a `TokenAuthority` works on, handed over as one value.
    public struct Storage {
        /// The token registry.
        public var tokens: any TokenRepository
        /// The daily usage counters.
        public var usage: any UsageRepository

        public init(tokens: any TokenRepository, usage: any UsageRepository) {
            self.tokens = tokens
            self.usage = usage
        }
    }

    struct State {
        var storage: Storage
        var verified: VerifiedSecretCache
        var failures = FailedSecretGuard()
    }

    /// The accepted `defaultVerbosity` values.
    public static let verbosities = ["text-only", "verbose", "narrated"]

    /// The default number of verified (token, secret) pairs remembered.
    public static let defaultCacheCapacity = 1024

    /// `last_used_at` is written at most this often per token, in seconds.
    public static let lastUsedResolution: TimeInterval = 60

    let state: Locked<State>
    let hasher: any SecretHasher

    /// An authority over `storage`, hashing with `hasher`.
    ///
    /// - Parameters:
    ///   - storage: the repositories; the authority becomes their only user.
    ///   - hasher: ``Argon2id`` with recommended parameters unless a test injects another.
    ///   - cacheCapacity: how many verified (token, secret) pairs to remember.
    public init(storage: sending Storage, hasher: any SecretHasher = Argon2id(), cacheCapacity: Int = defaultCacheCapacity) {
        self.state = Locked(State(storage: storage, verified: VerifiedSecretCache(capacity: cacheCapacity)))
        self.hasher = hasher
    }

    /// An authority over the SQLite database at `databasePath` (usually `<state_dir>/tokens.db`),
    /// created with mode 0600 and migrated if needed.
    ///
    /// - Throws: ``TokenAuthorityError/store(_:)`` if the database cannot be opened or migrated.
    ///   - busyTimeoutMilliseconds: how long a call waits for another process's lock (the
    ///     supervisor passes `Limits.supervisorBusyTimeoutMilliseconds`).
    public convenience init(
        databasePath: String, hasher: any SecretHasher = Argon2id(), cacheCapacity: Int = defaultCacheCapacity,
        busyTimeoutMilliseconds: Int32 = Database.busyTimeoutMilliseconds
    ) throws(TokenAuthorityError) {
        let database: Database
        do {
            database = try Database(path: databasePath, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
            try Migrator.ccproxy.migrate(database)
        } catch {
            throw .store(StoreError(error))
        }
        let storage = Storage(tokens: TokenStore(database: database), usage: UsageStore(database: database))
        self.init(storage: storage, hasher: hasher, cacheCapacity: cacheCapacity)
    }

    // MARK: - Management

    /// Mints a token and stores it.
    ///
    /// - Parameters:
    ///   - name: a non-empty label (not unique).
    ///   - scopes: granted scopes; `bridge` adds `bridge:connect` (once).
    ///   - ttl: lifetime in seconds from `now`, or nil for no expiry.
    ///   - rpm, tpd: rate limits, 0 for unlimited.
    ///   - maxConcurrent: turns in progress at once, 0 for unlimited.
    ///   - defaultVerbosity: one of ``verbosities``, or nil.
    ///   - principal: the bridge principal, or nil.
    /// - Returns: the stored record and the bearer, which exists nowhere else: show it once.
    /// - Throws: ``TokenAuthorityError`` for invalid arguments, hashing or store failures.
    public func create(
        name: String, scopes: ScopeSet = .default, ttl: TimeInterval? = nil, rpm: Int = 0, tpd: Int = 0,
        defaultVerbosity: String? = nil, debugCapture: Bool = false, principal: String? = nil,
        bridge: Bool = false, maxConcurrent: Int = 0, now: Date = Date()
    ) throws(TokenAuthorityError) -> (record: TokenRecord, bearer: String) {
        let name = Substring(name).trimmingASCIIWhitespace()
        guard !name.isEmpty else { throw .emptyName }
        guard rpm >= 0 else { throw .negativeLimit("rpm") }
        guard tpd >= 0 else { throw .negativeLimit("tpd") }
        guard maxConcurrent >= 0 else { throw .negativeLimit("max-concurrent") }
        if let ttl, !(ttl > 0) { throw .nonPositiveTTL }
        if let defaultVerbosity, !Self.verbosities.contains(defaultVerbosity) {
            throw .invalidVerbosity(defaultVerbosity)
        }
        if let principal, !Self.isValidPrincipal(principal) { throw .invalidPrincipal(principal) }
        let granted = bridge ? scopes.inserting(.bridgeConnect) : scopes
        let created = Self.wholeSeconds(now)

        // A 32-bit prefix collides rarely; draw again rather than fail.
        for attempt in 1...3 {
            let bearer = Bearer.generate()
            let record = TokenRecord(
                id: Hex.random(byteCount: 8), name: name, prefix: bearer.prefix,
                hash: try hash(bearer.secret), scopes: granted.strings, createdAt: created,
                expiresAt: ttl.map { created.addingTimeInterval($0.rounded(.down)) },
                rateLimitRPM: rpm, rateLimitTPD: tpd, debugCapture: debugCapture,
                defaultVerbosity: defaultVerbosity, principal: principal, maxConcurrent: maxConcurrent)
            do {
                try withStorage { (storage) throws(StoreError) in try storage.tokens.insert(record) }
                return (record, bearer.description)
            } catch .store(let error) where error.kind == .constraint && attempt < 3 {
                continue
            }
        }
        throw .store(StoreError(kind: .constraint, message: "could not draw an unused token prefix"))
    }

    /// Every token, newest first.
    public func list() throws(TokenAuthorityError) -> [TokenRecord] {
        try withStorage { (storage) throws(StoreError) in try storage.tokens.list() }
    }

    /// The token whose id is `idOrName`, else the only token named `idOrName`.
    ///
    /// - Throws: ``TokenAuthorityError/ambiguousName(_:count:)`` when several tokens have the
    ///   name, ``TokenAuthorityError/notFound(_:)`` when none matches.
    public func resolve(idOrName: String) throws(TokenAuthorityError) -> TokenRecord {
        let (byID, byName) = try withStorage { (storage) throws(StoreError) in
            if let record = try storage.tokens.find(byID: idOrName) { return (Optional(record), [TokenRecord]()) }
            return (nil, try storage.tokens.find(byName: idOrName))
        }
        if let byID { return byID }
        guard byName.count <= 1 else { throw .ambiguousName(idOrName, count: byName.count) }
        guard let record = byName.first else { throw .notFound(idOrName) }
        return record
    }

    /// Deletes the token (and its usage); its bearer is refused from the next request on.
    ///
    /// - Returns: the revoked record.
    @discardableResult
    public func revoke(idOrName: String) throws(TokenAuthorityError) -> TokenRecord {
        let record = try resolve(idOrName: idOrName)
        let deleted = try withStorage { (state) throws(StoreError) in try state.tokens.delete(id: record.id) }
        guard deleted else { throw .notFound(idOrName) }
        state.withLock {
            $0.verified.remove(prefix: record.prefix)
            $0.failures.forget(prefix: record.prefix)
        }
        return record
    }

    /// Gives the token a new bearer; everything else (id, name, scopes, limits, expiry,
    /// principal, capture flag) is kept and the old bearer is refused from the next request on.
    ///
    /// - Returns: the updated record and the new bearer: show it once.
    public func rotate(idOrName: String) throws(TokenAuthorityError) -> (record: TokenRecord, bearer: String) {
        var record = try resolve(idOrName: idOrName)
        let oldPrefix = record.prefix
        let bearer = Bearer.generate()
        record.prefix = bearer.prefix
        record.hash = try hash(bearer.secret)
        let updated = try withStorage { [record] (storage) throws(StoreError) in
            try storage.tokens.replaceSecret(id: record.id, prefix: record.prefix, hash: record.hash)
        }
        guard updated else { throw .notFound(idOrName) }
        state.withLock {
            $0.verified.remove(prefix: oldPrefix)
            $0.failures.forget(prefix: oldPrefix)
        }
        return (record, bearer.description)
    }

    /// Switches debug capture for the token; seen by the next authorization.
    ///
    /// - Returns: the updated record.
    @discardableResult
    public func update(idOrName: String, debugCapture: Bool) throws(TokenAuthorityError) -> TokenRecord {
        var record = try resolve(idOrName: idOrName)
        let updated = try withStorage { [record] (storage) throws(StoreError) in
            try storage.tokens.setDebugCapture(id: record.id, enabled: debugCapture)
        }
        guard updated else { throw .notFound(idOrName) }
        record.debugCapture = debugCapture
        return record
    }

    /// Changes any of a token's settings; nil fields are kept. Seen by the next authorization.
    ///
    /// - Returns: the updated record.
    /// - Throws: ``TokenAuthorityError`` for a negative limit, an unknown verbosity, an
    ///   invalid principal, an unknown token or a store failure.
    @discardableResult
    public func update(idOrName: String, settings: TokenSettingsUpdate) throws(TokenAuthorityError) -> TokenRecord {
        var record = try resolve(idOrName: idOrName)
        if let scopes = settings.scopes { record.scopes = scopes.strings }
        if let rpm = settings.rpm {
            guard rpm >= 0 else { throw .negativeLimit("rpm") }
            record.rateLimitRPM = rpm
        }
        if let tpd = settings.tpd {
            guard tpd >= 0 else { throw .negativeLimit("tpd") }
            record.rateLimitTPD = tpd
        }
        if let maxConcurrent = settings.maxConcurrent {
            guard maxConcurrent >= 0 else { throw .negativeLimit("max-concurrent") }
            record.maxConcurrent = maxConcurrent
        }
        if let debugCapture = settings.debugCapture { record.debugCapture = debugCapture }
        if let verbosity = settings.defaultVerbosity {
            if let verbosity, !Self.verbosities.contains(verbosity) { throw .invalidVerbosity(verbosity) }
            record.defaultVerbosity = verbosity
        }
        if let principal = settings.principal {
            if let principal, !Self.isValidPrincipal(principal) { throw .invalidPrincipal(principal) }
            record.principal = principal
        }
        let updated = try withStorage { [record] (storage) throws(StoreError) in try storage.tokens.updateSettings(record) }
        guard updated else { throw .notFound(idOrName) }
        return record
    }

    // MARK: - Helpers

    /// Runs `body` on the repositories under the lock, mapping store errors.
    func withStorage<T: Sendable>(_ body: (inout Storage) throws(StoreError) -> T) throws(TokenAuthorityError) -> T {
        do {
            return try state.withLock { (state) throws(StoreError) -> T in try body(&state.storage) }
        } catch {
            throw .store(error)
        }
    }

    func hash(_ secret: String) throws(TokenAuthorityError) -> String {
        do {
            return try hasher.hash(secret: secret)
        } catch {
            throw .hashing(error)
        }
    }

    static func wholeSeconds(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }

    static func isValidPrincipal(_ principal: String) -> Bool {
        !principal.isEmpty && principal.utf8.count <= Limits.maxPrincipalBytes && principal.unicodeScalars.allSatisfy { !$0.properties.isWhitespace && $0.value >= 0x20 && $0.value != 0x7F }
    }
}
