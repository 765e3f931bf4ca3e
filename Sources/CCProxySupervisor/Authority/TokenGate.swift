// Runs in: the supervisor (`ccproxy serve`), on its authority thread only.
// The answers to workers' authorize and usage requests, backed by the token database. Only
// the supervisor holds one (invariant 1): workers see a grant or a refusal, never a hash.

public import CCProxyAuth
import CCProxyStore
import CCProxyCore
import CCProxyWire
public import Foundation
public import Logging

/// Authorizes bearers and enforces each token's limits: requests per minute (a token bucket
/// per token, persisted by nobody: see README "Limits") and tokens per UTC day (from the
/// usage table, so it survives restarts). Both are refused with 429 `rate_limit_error`; a
/// database that cannot be read is 503 with `Retry-After`, never "unlimited".
///
/// Confined to the authority thread (`AuthorityService` calls it from there only), which is
/// why its mutable rate buckets need no lock.
public final class TokenGate: WorkerRequestAuthority, @unchecked Sendable {
    let authority: TokenAuthority
    private let logger: Logger
    var rates = RequestRateLimiter()
    private let clock: @Sendable () -> Date

    /// Restores the requests-per-minute buckets saved at the last shutdown, so that a
    /// restart does not give every token a fresh burst.
    public init(authority: TokenAuthority, logger: Logger, clock: @escaping @Sendable () -> Date = Date.init) {
        self.authority = authority
        self.logger = logger
        self.clock = clock
        do {
            for saved in try authority.loadRequestBuckets() {
                rates.restore(
                    tokenID: saved.tokenID, capacity: Double(saved.capacityMilli) / 1000,
                    available: Double(saved.availableMilli) / 1000, updated: Double(saved.updatedUnixMilli) / 1000)
            }
        } catch {
            logger.warning("could not restore the requests-per-minute buckets; they start full", metadata: ["error": "\(error)"])
        }
    }

    public func persistState() {
        let buckets = rates.snapshot().map {
            RequestBucketRecord(
                tokenID: $0.tokenID, capacityMilli: Int(($0.capacity * 1000).rounded()),
                availableMilli: Int(($0.available * 1000).rounded(.down)), updatedUnixMilli: Int(($0.updated * 1000).rounded()))
        }
        do {
            try authority.saveRequestBuckets(buckets)
        } catch {
            logger.warning("could not save the requests-per-minute buckets", metadata: ["error": "\(error)"])
        }
    }

    public func authorize(bearer: String, scope: String, source: String?) -> Result<AuthorityGrant, AuthorityRefusal> {
        let now = clock()
        let identity: TokenIdentity
        switch authority.authorize(bearer: bearer, requiredScope: scope, source: source, now: now) {
        case .failure(let refusal):
            if refusal.reason == .storeUnavailable {
                logger.warning("token database unavailable: authorization answered 503")
            }
            // A 403 is an authenticated response: it reports the token's limits (read only).
            let limits = refusal.identity.map { readOnlyFigures(of: $0, now: now) }
            return .failure(AuthorityRefusal(error: refusal.error, limits: limits))
        case .success(let found):
            identity = found
        }
        var tokensRemaining = RateLimitFigures.unlimited
        if identity.rateLimitTPD > 0 {
            let used: Int
            do {
                used = try authority.dailyUsage(tokenID: identity.id, now: now)
            } catch {
                // Failing open here would make a locked database mean "unlimited".
                logger.warning("could not read daily usage: authorization answered 503", metadata: ["error": "\(error)"])
                return .failure(AuthorityRefusal(error: AuthRefusal.storeUnavailable().error))
            }
            tokensRemaining = UInt64(max(0, identity.rateLimitTPD - used))
        }
        let tokensLimit = identity.rateLimitTPD > 0 ? UInt64(identity.rateLimitTPD) : RateLimitFigures.unlimited
        let requestsLimit = identity.rateLimitRPM > 0 ? UInt64(identity.rateLimitRPM) : RateLimitFigures.unlimited
        if tokensRemaining == 0 {
            let figures = RateLimitFigures(
                requestsLimit: requestsLimit, requestsRemaining: rates.remaining(tokenID: identity.id, perMinute: identity.rateLimitRPM, now: now.timeIntervalSince1970),
                tokensLimit: tokensLimit, tokensRemaining: 0)
            return .failure(
                AuthorityRefusal(
                    error: Self.limited(
                        "per-token tokens/day exceeded (\(identity.rateLimitTPD - Int(tokensRemaining)) of \(identity.rateLimitTPD) today, UTC)",
                        retryAfter: Self.secondsUntilNextUTCDay(now)),
                    limits: figures))
        }
        let taken = rates.takeReporting(tokenID: identity.id, perMinute: identity.rateLimitRPM, now: now.timeIntervalSince1970)
        let figures = RateLimitFigures(
            requestsLimit: requestsLimit,
            requestsRemaining: identity.rateLimitRPM > 0 ? UInt64(taken.remaining) : RateLimitFigures.unlimited,
            tokensLimit: tokensLimit, tokensRemaining: tokensRemaining)
        if let wait = taken.retryAfter {
            return .failure(
                AuthorityRefusal(
                    error: Self.limited("per-token requests/minute exceeded (limit \(identity.rateLimitRPM))", retryAfter: wait),
                    limits: figures))
        }
        let grant = TokenGrant(
            tokenID: identity.id, name: identity.name, scopes: identity.scopes, principal: identity.principal,
            debugCapture: identity.debugCapture, defaultVerbosity: identity.defaultVerbosity, limits: figures)
        return .success(AuthorityGrant(grant: grant, maxConcurrent: identity.maxConcurrent))
    }

    /// The token's figures without taking a request (for a 403). Only the headers depend on
    /// the usage read here, so a failed read reports the whole limit rather than refusing.
    private func readOnlyFigures(of identity: TokenIdentity, now: Date) -> RateLimitFigures {
        let rpm = identity.rateLimitRPM
        let tpd = identity.rateLimitTPD
        return RateLimitFigures(
            requestsLimit: rpm > 0 ? UInt64(rpm) : RateLimitFigures.unlimited,
            requestsRemaining: rpm > 0 ? rates.remaining(tokenID: identity.id, perMinute: rpm, now: now.timeIntervalSince1970) : RateLimitFigures.unlimited,
            tokensLimit: tpd > 0 ? UInt64(tpd) : RateLimitFigures.unlimited,
            tokensRemaining: tpd > 0 ? UInt64(max(0, tpd - ((try? authority.dailyUsage(tokenID: identity.id, now: now)) ?? 0))) : RateLimitFigures.unlimited)
    }

    public func recordUsage(_ usage: UsageRecord) -> UsageWriteOutcome {
        do {
            try authority.recordUsage(
                tokenID: usage.tokenID, inputTokens: Int(clamping: usage.inputTokens),
                outputTokens: Int(clamping: usage.outputTokens), now: usage.finishedAt)
            return .written
        } catch {
            return .retry(reason: "\(error)")
        }
    }

    static func limited(_ message: String, retryAfter: Int) -> APIError {
        APIError(status: 429, type: "rate_limit_error", code: "rate_limit_exceeded", message: message, retryAfterSeconds: retryAfter)
    }

    /// Seconds until the next UTC midnight, when the daily counter starts again.
    static func secondsUntilNextUTCDay(_ now: Date) -> Int {
        let seconds = now.timeIntervalSince1970
        let day = 86_400.0
        return max(1, Int((day - seconds.truncatingRemainder(dividingBy: day)).rounded(.up)))
    }
}
