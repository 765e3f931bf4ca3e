#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The SQLite ``TokenRepository``: the `tokens` table of `tokens.db`.
///
/// Dates are stored as whole Unix seconds, scopes as a comma-joined list. The database must
/// have been migrated (``Migrator/ccproxy``). Shares the thread confinement of its ``Database``.
public final class TokenStore: TokenRepository {
    private let database: Database

    private static let columns = """
        id, name, prefix, hash, scopes, created_at, expires_at, last_used_at,
        rate_limit_rpm, rate_limit_tpd, debug_capture, default_verbosity, principal, max_concurrent
        """

    public init(database: Database) {
        self.database = database
    }

    public func insert(_ record: TokenRecord) throws(StoreError) {
        try mapped { () throws(SQLiteError) in try insertRow(record) }
    }

    public func insertIfEmpty(_ record: TokenRecord) throws(StoreError) -> Bool {
        try mapped { () throws(SQLiteError) in
            try database.transaction { () throws(SQLiteError) -> Bool in
                guard try countRows() == 0 else { return false }
                try insertRow(record)
                return true
            }
        }
    }

    public func find(byPrefix prefix: String) throws(StoreError) -> TokenRecord? {
        try query("SELECT \(Self.columns) FROM tokens WHERE prefix = ?1", prefix).first
    }

    public func find(byID id: String) throws(StoreError) -> TokenRecord? {
        try query("SELECT \(Self.columns) FROM tokens WHERE id = ?1", id).first
    }

    public func find(byName name: String) throws(StoreError) -> [TokenRecord] {
        try query("SELECT \(Self.columns) FROM tokens WHERE name = ?1 ORDER BY created_at DESC, rowid DESC", name)
    }

    public func list() throws(StoreError) -> [TokenRecord] {
        try query("SELECT \(Self.columns) FROM tokens ORDER BY created_at DESC, rowid DESC", nil)
    }

    @discardableResult
    public func delete(id: String) throws(StoreError) -> Bool {
        try update("DELETE FROM tokens WHERE id = ?1") { statement throws(SQLiteError) in
            try statement.bind(id, at: 1)
        }
    }

    @discardableResult
    public func replaceSecret(id: String, prefix: String, hash: String) throws(StoreError) -> Bool {
        try update("UPDATE tokens SET prefix = ?2, hash = ?3 WHERE id = ?1") { statement throws(SQLiteError) in
            try statement.bind(id, at: 1)
            try statement.bind(prefix, at: 2)
            try statement.bind(hash, at: 3)
        }
    }

    @discardableResult
    public func setDebugCapture(id: String, enabled: Bool) throws(StoreError) -> Bool {
        try update("UPDATE tokens SET debug_capture = ?2 WHERE id = ?1") { statement throws(SQLiteError) in
            try statement.bind(id, at: 1)
            try statement.bind(enabled, at: 2)
        }
    }

    @discardableResult
    public func updateSettings(_ record: TokenRecord) throws(StoreError) -> Bool {
        try update(
            """
            UPDATE tokens SET scopes = ?2, rate_limit_rpm = ?3, rate_limit_tpd = ?4, max_concurrent = ?5,
                debug_capture = ?6, default_verbosity = ?7, principal = ?8
            WHERE id = ?1
            """
        ) { statement throws(SQLiteError) in
            try statement.bind(record.id, at: 1)
            try statement.bind(record.scopes.joined(separator: ","), at: 2)
            try statement.bind(record.rateLimitRPM, at: 3)
            try statement.bind(record.rateLimitTPD, at: 4)
            try statement.bind(record.maxConcurrent, at: 5)
            try statement.bind(record.debugCapture, at: 6)
            try statement.bind(record.defaultVerbosity, at: 7)
            try statement.bind(record.principal, at: 8)
        }
    }

    public func touchLastUsed(id: String, at date: Date) throws(StoreError) {
        try update("UPDATE tokens SET last_used_at = ?2 WHERE id = ?1") { statement throws(SQLiteError) in
            try statement.bind(id, at: 1)
            try statement.bind(Self.seconds(date), at: 2)
        }
    }

    public func count() throws(StoreError) -> Int {
        try mapped { () throws(SQLiteError) in try countRows() }
    }

    // MARK: - Rows

    private func insertRow(_ record: TokenRecord) throws(SQLiteError) {
        let statement = try database.prepare(
            "INSERT INTO tokens (\(Self.columns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)")
        try statement.bind(record.id, at: 1)
        try statement.bind(record.name, at: 2)
        try statement.bind(record.prefix, at: 3)
        try statement.bind(record.hash, at: 4)
        try statement.bind(record.scopes.joined(separator: ","), at: 5)
        try statement.bind(Self.seconds(record.createdAt), at: 6)
        try statement.bind(record.expiresAt.map(Self.seconds), at: 7)
        try statement.bind(record.lastUsedAt.map(Self.seconds), at: 8)
        try statement.bind(record.rateLimitRPM, at: 9)
        try statement.bind(record.rateLimitTPD, at: 10)
        try statement.bind(record.debugCapture, at: 11)
        try statement.bind(record.defaultVerbosity, at: 12)
        try statement.bind(record.principal, at: 13)
        try statement.bind(record.maxConcurrent, at: 14)
        try statement.step()
    }

    private func countRows() throws(SQLiteError) -> Int {
        let statement = try database.prepare("SELECT count(*) FROM tokens")
        guard try statement.step() else { return 0 }
        return statement.int(at: 0)
    }

    private func query(_ sql: String, _ argument: String?) throws(StoreError) -> [TokenRecord] {
        try mapped { () throws(SQLiteError) in
            let statement = try database.prepare(sql)
            if let argument { try statement.bind(argument, at: 1) }
            var records: [TokenRecord] = []
            while try statement.step() {
                records.append(Self.record(from: statement))
            }
            return records
        }
    }

    @discardableResult
    private func update(
        _ sql: String, _ bind: (Statement) throws(SQLiteError) -> Void
    ) throws(StoreError) -> Bool {
        try mapped { () throws(SQLiteError) in
            let statement = try database.prepare(sql)
            try bind(statement)
            try statement.step()
            return database.changes > 0
        }
    }

    private func mapped<T>(_ body: () throws(SQLiteError) -> T) throws(StoreError) -> T {
        do {
            return try body()
        } catch {
            throw StoreError(error)
        }
    }

    private static func record(from row: Statement) -> TokenRecord {
        TokenRecord(
            id: row.string(at: 0) ?? "",
            name: row.string(at: 1) ?? "",
            prefix: row.string(at: 2) ?? "",
            hash: row.string(at: 3) ?? "",
            scopes: (row.string(at: 4) ?? "").split(separator: ",").map(String.init),
            createdAt: Date(timeIntervalSince1970: TimeInterval(row.int(at: 5))),
            expiresAt: row.optionalInt(at: 6).map { Date(timeIntervalSince1970: TimeInterval($0)) },
            lastUsedAt: row.optionalInt(at: 7).map { Date(timeIntervalSince1970: TimeInterval($0)) },
            rateLimitRPM: row.int(at: 8),
            rateLimitTPD: row.int(at: 9),
            debugCapture: row.int(at: 10) != 0,
            defaultVerbosity: row.string(at: 11),
            principal: row.string(at: 12),
            maxConcurrent: row.int(at: 13))
    }

    private static func seconds(_ date: Date) -> Int {
        Int(date.timeIntervalSince1970.rounded(.down))
    }
}

@available(*, unavailable)
extension TokenStore: Sendable {}
