import CCProxyStore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension TokenAuthority {
    private enum Lookup {
        case refused(AuthRefusal)
        case found(TokenRecord, alreadyVerified: Bool)
    }

    /// Decides whether `bearer` may make a request that needs `requiredScope`.
    ///
    /// In order: the bearer must parse (`ccp_<8 hex>_<24 hex>`), a token must have its prefix,
    /// the token must not be expired at `now`, the secret must match the stored argon2id hash,
    /// and the token must hold `requiredScope` (``ScopeSet/grants(_:in:)``). The first four
    /// failures are 401 `invalid bearer token`, the last 403
    /// `token missing required scope: <scope>`; a database failure is 503.
    ///
    /// The row is read on every call (one indexed query). argon2id runs only when this prefix,
    /// stored hash and secret have not passed before. On success `last_used_at` is written if
    /// it is unset or older than ``lastUsedResolution``.
    ///
    /// Wrong secrets are kept cheap (``FailedSecretGuard``): a secret found wrong in the last
    /// `Limits.wrongSecretCacheSeconds` is refused 401 without hashing, and once a prefix or
    /// `source` (the client's address) used up its failure budget, an unverified secret is
    /// refused 429 `too many failed authentications` without hashing. A verified secret is
    /// recognised before either check, so its holder is not locked out by someone else's flood.
    public func authorize(
        bearer text: String, requiredScope: String, source: String? = nil, now: Date = Date()
    ) -> Result<TokenIdentity, AuthRefusal> {
        guard let bearer = Bearer.parse(text) else { return .failure(.invalidBearer(.malformed)) }

        let lookup: Lookup = state.withLock { state in
            let found: TokenRecord?
            do {
                found = try state.storage.tokens.find(byPrefix: bearer.prefix)
            } catch {
                return .refused(.storeUnavailable())
            }
            guard let record = found else {
                state.verified.remove(prefix: bearer.prefix)
                return .refused(.invalidBearer(.unknown))
            }
            guard !record.isExpired(at: now) else { return .refused(.invalidBearer(.expired)) }
            let verified = state.verified.contains(prefix: record.prefix, hash: record.hash, secret: bearer.secret)
            if !verified {
                let seconds = now.timeIntervalSince1970
                if state.failures.isKnownWrong(prefix: record.prefix, hash: record.hash, secret: bearer.secret, now: seconds) {
                    return .refused(.invalidBearer(.wrongSecret))
                }
                if let wait = state.failures.throttled(prefix: record.prefix, source: source, now: seconds) {
                    return .refused(.throttled(retryAfter: wait))
                }
            }
            return .found(record, alreadyVerified: verified)
        }

        let record: TokenRecord
        switch lookup {
        case .refused(let refusal):
            return .failure(refusal)
        case .found(let found, true):
            record = found
        case .found(let found, false):
            guard hasher.verify(encoded: found.hash, secret: bearer.secret) else {
                state.withLock {
                    $0.failures.recordFailure(
                        prefix: found.prefix, hash: found.hash, secret: bearer.secret, source: source,
                        now: now.timeIntervalSince1970)
                }
                return .failure(.invalidBearer(.wrongSecret))
            }
            state.withLock { $0.verified.insert(prefix: found.prefix, hash: found.hash, secret: bearer.secret) }
            record = found
        }

        touchIfStale(record, now: now)
        let identity = TokenIdentity(
            id: record.id, name: record.name, scopes: record.scopes, principal: record.principal,
            debugCapture: record.debugCapture, defaultVerbosity: record.defaultVerbosity,
            rateLimitRPM: record.rateLimitRPM, rateLimitTPD: record.rateLimitTPD,
            maxConcurrent: record.maxConcurrent)
        guard ScopeSet.grants(requiredScope, in: record.scopes) else {
            return .failure(.missingScope(requiredScope, identity: identity))
        }
        return .success(identity)
    }

    /// The number of (token, secret) pairs currently remembered as verified.
    public var verifiedCacheCount: Int {
        state.withLock { $0.verified.count }
    }

    /// Best effort: a busy database must not fail the request it is only bookkeeping for.
    private func touchIfStale(_ record: TokenRecord, now: Date) {
        if let last = record.lastUsedAt, now.timeIntervalSince(last) < Self.lastUsedResolution { return }
        state.withLock { state in
            try? state.storage.tokens.touchLastUsed(id: record.id, at: now)
        }
    }
}
