/// Per-token usage counters, one per UTC day (`token_usage_daily`).
///
/// ``UsageStore`` implements it on SQLite. Days are `YYYY-MM-DD` strings in UTC
/// (see ``UTCDay``), so that every process and host agrees on when a day ends.
public protocol UsageRepository {
    /// Adds `tokens` to the token's total for `day` (creating the row at 0 first).
    func record(tokenID: String, day: String, tokens: Int) throws(StoreError)

    /// The token's total for `day`; 0 when nothing was recorded.
    func total(tokenID: String, day: String) throws(StoreError) -> Int
}
