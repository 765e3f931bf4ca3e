// Runs in: the supervisor (`ccproxy serve`).
// The answers to workers' authorize and usage requests, backed by the token database. Only
// the supervisor holds one (invariant 1): workers see a grant or a refusal, never a hash.

public import CCProxyAuth
public import CCProxyCore
public import CCProxyWire
import Foundation
public import Logging

/// Authorizes bearers and enforces each token's limits: requests per minute (in memory, a
/// token bucket per token) and tokens per UTC day (from the usage table, so it survives
/// restarts). Both are refused with 429 `rate_limit_error`.
public final class TokenGate: WorkerRequestAuthority {
    private let authority: TokenAuthority
    private let logger: Logger
    private var rates = RequestRateLimiter()
    private let clock: () -> Date

    public init(authority: TokenAuthority, logger: Logger, clock: @escaping () -> Date = Date.init) {
        self.authority = authority
        self.logger = logger
        self.clock = clock
    }

    public func authorize(bearer: String, scope: String) -> Result<TokenGrant, APIError> {
        let now = clock()
        switch authority.authorize(bearer: bearer, requiredScope: scope, now: now) {
        case .failure(let refusal):
            return .failure(refusal.error)
        case .success(let identity):
            if identity.rateLimitTPD > 0 {
                let used = (try? authority.dailyUsage(tokenID: identity.id, now: now)) ?? 0
                if used >= identity.rateLimitTPD {
                    return .failure(
                        Self.limited(
                            "per-token tokens/day exceeded (\(used) of \(identity.rateLimitTPD) today, UTC)",
                            retryAfter: Self.secondsUntilNextUTCDay(now)))
                }
            }
            if let wait = rates.take(tokenID: identity.id, perMinute: identity.rateLimitRPM, now: now.timeIntervalSince1970) {
                return .failure(Self.limited("per-token requests/minute exceeded (limit \(identity.rateLimitRPM))", retryAfter: wait))
            }
            return .success(
                TokenGrant(
                    tokenID: identity.id, name: identity.name, scopes: identity.scopes, principal: identity.principal,
                    debugCapture: identity.debugCapture, defaultVerbosity: identity.defaultVerbosity))
        }
    }

    public func recordUsage(tokenID: String, inputTokens: UInt64, outputTokens: UInt64) {
        do {
            try authority.recordUsage(
                tokenID: tokenID, inputTokens: Int(clamping: inputTokens), outputTokens: Int(clamping: outputTokens), now: clock())
        } catch {
            logger.error("could not record usage, ignoring", metadata: ["token": "\(tokenID)", "error": "\(error)"])
        }
    }

    private static func limited(_ message: String, retryAfter: Int) -> APIError {
        APIError(status: 429, type: "rate_limit_error", code: "rate_limit_exceeded", message: message, retryAfterSeconds: retryAfter)
    }

    /// Seconds until the next UTC midnight, when the daily counter starts again.
    static func secondsUntilNextUTCDay(_ now: Date) -> Int {
        let seconds = now.timeIntervalSince1970
        let day = 86_400.0
        return max(1, Int((day - seconds.truncatingRemainder(dividingBy: day)).rounded(.up)))
    }
}
