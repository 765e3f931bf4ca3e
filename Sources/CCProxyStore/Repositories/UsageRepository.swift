/// Per-token usage counters, one per UTC day (`token_usage_daily`).
///
/// ``UsageStore`` implements it on SQLite. Days are `YYYY-MM-DD` strings in UTC
/// (see ``UTCDay``), so that every process and host agrees on when a day ends.
public protocol UsageRepository {
    /// Adds `tokens` to the token's total for `day` (creating the row at 0 first).
    func record(tokenID: String, day: String, tokens: Int) throws(StoreError)

    /// The token's total for `day`; 0 when nothing was recorded.
    func total(tokenID: String, day: String) throws(StoreError) -> Int

    /// Replaces the saved requests-per-minute buckets with `buckets` (rows of tokens that no
    /// longer exist are skipped).
    func saveRequestBuckets(_ buckets: [RequestBucketRecord]) throws(StoreError)

    /// The saved requests-per-minute buckets.
    func loadRequestBuckets() throws(StoreError) -> [RequestBucketRecord]
}

/// One token's requests-per-minute bucket as saved at shutdown.
public struct RequestBucketRecord: Sendable, Equatable {
    public var tokenID: String
    /// Requests the bucket holds when full, in thousandths.
    public var capacityMilli: Int
    /// Requests it held, in thousandths.
    public var availableMilli: Int
    /// When it was last updated, Unix time in milliseconds.
    public var updatedUnixMilli: Int

    public init(tokenID: String, capacityMilli: Int, availableMilli: Int, updatedUnixMilli: Int) {
        self.tokenID = tokenID
        self.capacityMilli = capacityMilli
        self.availableMilli = availableMilli
        self.updatedUnixMilli = updatedUnixMilli
    }
}
