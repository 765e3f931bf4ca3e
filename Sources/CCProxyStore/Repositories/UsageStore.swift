import CCProxyCore

/// The SQLite ``UsageRepository``: the `token_usage_daily` table of `tokens.db`.
///
/// Rows reference `tokens(id)` and are deleted with their token. Shares the thread
/// confinement of its ``Database``.
public final class UsageStore: UsageRepository {
    private let database: Database

    public init(database: Database) {
        self.database = database
    }

    public func record(tokenID: String, day: String, tokens: Int) throws(StoreError) {
        do {
            let statement = try database.prepare(
                """
                INSERT INTO token_usage_daily (token_id, day, total) VALUES (?1, ?2, ?3)
                ON CONFLICT (token_id, day) DO UPDATE SET total = min(total + excluded.total, ?4)
                """)
            try statement.bind(tokenID, at: 1)
            try statement.bind(day, at: 2)
            try statement.bind(min(max(0, tokens), Limits.maxDailyUsageTokens), at: 3)
            try statement.bind(Limits.maxDailyUsageTokens, at: 4)
            try statement.step()
        } catch {
            throw StoreError(error)
        }
    }

    public func saveRequestBuckets(_ buckets: [RequestBucketRecord]) throws(StoreError) {
        do {
            try database.transaction { () throws(SQLiteError) in
                try database.execute("DELETE FROM token_request_buckets")
                for bucket in buckets {
                    let statement = try database.prepare(
                        """
                        INSERT INTO token_request_buckets (token_id, capacity_milli, available_milli, updated_unix_milli)
                        SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM tokens WHERE id = ?1)
                        """)
                    try statement.bind(bucket.tokenID, at: 1)
                    try statement.bind(bucket.capacityMilli, at: 2)
                    try statement.bind(bucket.availableMilli, at: 3)
                    try statement.bind(bucket.updatedUnixMilli, at: 4)
                    try statement.step()
                }
            }
        } catch {
            throw StoreError(error)
        }
    }

    public func loadRequestBuckets() throws(StoreError) -> [RequestBucketRecord] {
        do {
            let statement = try database.prepare(
                "SELECT token_id, capacity_milli, available_milli, updated_unix_milli FROM token_request_buckets")
            var buckets: [RequestBucketRecord] = []
            while try statement.step() {
                buckets.append(
                    RequestBucketRecord(
                        tokenID: statement.string(at: 0) ?? "", capacityMilli: statement.int(at: 1),
                        availableMilli: statement.int(at: 2), updatedUnixMilli: statement.int(at: 3)))
            }
            return buckets
        } catch {
            throw StoreError(error)
        }
    }

    public func total(tokenID: String, day: String) throws(StoreError) -> Int {
        do {
            let statement = try database.prepare(
                "SELECT total FROM token_usage_daily WHERE token_id = ?1 AND day = ?2")
            try statement.bind(tokenID, at: 1)
            try statement.bind(day, at: 2)
            guard try statement.step() else { return 0 }
            return statement.int(at: 0)
        } catch {
            throw StoreError(error)
        }
    }
}

@available(*, unavailable)
extension UsageStore: Sendable {}
