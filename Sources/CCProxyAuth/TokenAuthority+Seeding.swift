import CCProxyStore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension TokenAuthority {
    /// Makes sure a fresh server can be used: if the registry is empty, stores a first token.
    ///
    /// - With `environmentToken` (the value of `CCPROXY_TOKEN`, trimmed; empty counts as
    ///   absent) that parses as a bearer, stores it as `seed (CCPROXY_TOKEN)` (scope `chat`,
    ///   no expiry, no limits), hashing the given secret → ``SeedOutcome/seeded(name:)``. If it
    ///   does not parse → ``SeedOutcome/invalidSeed`` and nothing is stored (no auto-mint).
    /// - Without it, mints `auto-seed (first boot)` (scope `chat`) →
    ///   ``SeedOutcome/minted(bearer:)``; the caller prints the bearer once.
    /// - If the registry holds a token (checked atomically with the insert, so two processes
    ///   cannot both seed) → ``SeedOutcome/populated``.
    ///
    /// A database or hashing failure also leaves the registry as it was and is reported as
    /// ``SeedOutcome/populated``; call ``checkedSeedIfEmpty(environmentToken:now:)`` to see it.
    /// Only `ccproxy serve` calls this; the CLI never seeds.
    public func seedIfEmpty(environmentToken: String?, now: Date = Date()) -> SeedOutcome {
        (try? checkedSeedIfEmpty(environmentToken: environmentToken, now: now)) ?? .populated
    }

    /// ``seedIfEmpty(environmentToken:now:)``, throwing database and hashing failures.
    ///
    /// - Throws: ``TokenAuthorityError/store(_:)`` or ``TokenAuthorityError/hashing(_:)``.
    public func checkedSeedIfEmpty(environmentToken: String?, now: Date = Date()) throws(TokenAuthorityError) -> SeedOutcome {
        let count = try withStorage { (storage) throws(StoreError) in try storage.tokens.count() }
        guard count == 0 else { return .populated }

        let given = environmentToken.map { Substring($0).trimmingASCIIWhitespace() } ?? ""
        let bearer: Bearer
        let name: String
        if given.isEmpty {
            bearer = Bearer.generate()
            name = SeedOutcome.mintedName
        } else {
            guard let parsed = Bearer.parse(given) else { return .invalidSeed }
            bearer = parsed
            name = SeedOutcome.seededName
        }

        let record = TokenRecord(
            id: Hex.random(byteCount: 8), name: name, prefix: bearer.prefix, hash: try hash(bearer.secret),
            scopes: ScopeSet.default.strings, createdAt: Self.wholeSeconds(now))
        let inserted = try withStorage { (storage) throws(StoreError) in try storage.tokens.insertIfEmpty(record) }
        guard inserted else { return .populated }
        return given.isEmpty ? .minted(bearer: bearer.description) : .seeded(name: name)
    }
}
