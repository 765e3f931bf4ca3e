import CCPSQLite3

/// A failed SQLite call: the primary or extended result code, SQLite's message, and the SQL
/// that was being prepared or run, when there was one.
///
/// Related SQLite documentation: <https://www.sqlite.org/rescode.html>
public struct SQLiteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The (possibly extended) SQLite result code, e.g. `SQLITE_BUSY` (5).
    public var code: Int32
    /// The text of `sqlite3_errmsg` (or `sqlite3_errstr` when no connection exists).
    public var message: String
    /// The statement involved, if any.
    public var sql: String?

    public init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    /// The primary result code (the low 8 bits of an extended code).
    public var primaryCode: Int32 { code & 0xFF }

    /// Whether a UNIQUE, PRIMARY KEY, FOREIGN KEY, CHECK or NOT NULL constraint failed.
    public var isConstraintViolation: Bool { primaryCode == SQLITE_CONSTRAINT }

    /// Whether another connection held a lock for longer than the busy timeout.
    public var isBusy: Bool { primaryCode == SQLITE_BUSY || primaryCode == SQLITE_LOCKED }

    public var description: String {
        var text = "SQLite error \(code): \(message)"
        if let sql { text += " (while running: \(sql))" }
        return text
    }
}
