import CCProxyCore
import CCProxyStore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension TokenAuthority {
    /// Adds a turn's `inputTokens + outputTokens` (negative counts as 0) to the token's
    /// counter for the UTC day of `now`. Nothing is written for a total of 0, and nothing for
    /// a token revoked in the meantime.
    public func recordUsage(tokenID: String, inputTokens: Int, outputTokens: Int, now: Date = Date()) throws(TokenAuthorityError) {
        // Each count is capped first, so the sum cannot overflow (huge counts from a worker
        // must not trap the supervisor).
        let tokens = min(max(0, inputTokens), Limits.maxTurnTokens) + min(max(0, outputTokens), Limits.maxTurnTokens)
        guard tokens > 0 else { return }
        let day = UTCDay.string(for: now)
        do {
            try withStorage { (storage) throws(StoreError) in
                try storage.usage.record(tokenID: tokenID, day: day, tokens: tokens)
            }
        } catch .store(let error) where error.kind == .constraint {
            return  // the token row is gone (revoked mid-turn): there is no one to bill.
        }
    }

    /// Saves the requests-per-minute buckets (at shutdown), replacing what was saved.
    public func saveRequestBuckets(_ buckets: [RequestBucketRecord]) throws(TokenAuthorityError) {
        try withStorage { (storage) throws(StoreError) in try storage.usage.saveRequestBuckets(buckets) }
    }

    /// The requests-per-minute buckets saved at the last shutdown.
    public func loadRequestBuckets() throws(TokenAuthorityError) -> [RequestBucketRecord] {
        try withStorage { (storage) throws(StoreError) in try storage.usage.loadRequestBuckets() }
    }

    /// The token's total for the UTC day of `now` (the tokens-per-day limit compares it with
    /// `rateLimitTPD`: a request is refused once the total is at or over the limit).
    public func dailyUsage(tokenID: String, now: Date = Date()) throws(TokenAuthorityError) -> Int {
        let day = UTCDay.string(for: now)
        return try withStorage { (storage) throws(StoreError) in try storage.usage.total(tokenID: tokenID, day: day) }
    }
}
