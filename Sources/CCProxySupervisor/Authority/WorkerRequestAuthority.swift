// Runs in: the supervisor (`ccproxy serve`), on its authority thread only.
// The privileged answers to worker requests. Only the supervisor holds one: it is backed by
// the token database and argon2, which workers never see (invariant 1). Its calls are slow
// (argon2, SQLite), so the loop never makes them: `AuthorityService` does, on its thread.

public import CCProxyCore
public import CCProxyWire
public import Foundation

/// Answers the stateful questions workers ask. Called from one thread at a time (the
/// authority thread), so implementations need no locking of their own.
public protocol WorkerRequestAuthority: AnyObject, Sendable {
    /// May this bearer, sent from `source` (the client's address), use `scope`? A grant, or
    /// the refusal the client must see. A database failure is a retryable 503, never a grant.
    func authorize(bearer: String, scope: String, source: String?) -> Result<AuthorityGrant, AuthorityRefusal>
    /// Adds a finished turn's tokens to the token's daily usage.
    func recordUsage(_ usage: UsageRecord) -> UsageWriteOutcome
    /// Saves in-memory limit state that should survive a restart (called once, at shutdown).
    func persistState()
    /// Performs a token operation of the admin socket (`tokenCreate` … `tokenUpdate`) and
    /// returns its reply; a failure is an `error` reply with the CLI's message. Caches of a
    /// revoked or rotated token are dropped before this returns, so the next request sees
    /// the change.
    func administer(_ request: AdminRequest) -> AdminReply
}

extension WorkerRequestAuthority {
    /// Authorities without a token database (tests) answer every token operation with an error.
    public func administer(_ request: AdminRequest) -> AdminReply {
        .error("token administration is not available on this server")
    }
}

/// A successful authorization: what the worker receives, and what the loop enforces itself.
public struct AuthorityGrant: Sendable, Equatable {
    public var grant: TokenGrant
    /// The token's concurrent-turn cap (0 = unlimited), enforced by the loop from its ledger.
    public var maxConcurrent: Int

    public init(grant: TokenGrant, maxConcurrent: Int = 0) {
        self.grant = grant
        self.maxConcurrent = maxConcurrent
    }
}

/// A refused authorization: the client's error and, for an authenticated bearer, its limits.
public struct AuthorityRefusal: Error, Sendable, Equatable {
    public var error: APIError
    public var limits: RateLimitFigures?

    public init(error: APIError, limits: RateLimitFigures? = nil) {
        self.error = error
        self.limits = limits
    }
}

/// One turn's tokens, to be added to a token's daily counter.
public struct UsageRecord: Sendable, Equatable {
    public var tokenID: String
    public var inputTokens: UInt64
    public var outputTokens: UInt64
    /// When the turn finished (the UTC day it counts for).
    public var finishedAt: Date

    public init(tokenID: String, inputTokens: UInt64, outputTokens: UInt64, finishedAt: Date) {
        self.tokenID = tokenID
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.finishedAt = finishedAt
    }
}

/// What became of a usage write.
public enum UsageWriteOutcome: Sendable, Equatable {
    /// Written (or nothing to write: zero tokens, or the token was revoked meanwhile).
    case written
    /// The database was busy or failing: keep the record and try again later.
    case retry(reason: String)
}
