import CCPSQLite3

/// A compiled SQL statement, finalised when the value is released.
///
/// Bind parameters with the `bind` methods (indices start at 1, as in SQLite), then call
/// ``step()`` until it returns `false`, reading columns (indices start at 0) after each `true`.
/// A `Statement` belongs to its ``Database`` and shares its thread confinement.
///
/// Related SQLite documentation: <https://www.sqlite.org/c3ref/stmt.html>
public final class Statement {
    /// The SQL text the statement was compiled from.
    public let sql: String

    private let database: Database
    private let handle: OpaquePointer

    init(database: Database, sql: String) throws(SQLiteError) {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v2(database.handle, sql, -1, &statement, nil)
        guard code == SQLITE_OK, let statement else {
            throw SQLiteError(code: code, message: database.lastErrorMessage, sql: sql)
        }
        self.database = database
        self.sql = sql
        self.handle = statement
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Binds text (or NULL for nil) to the 1-based parameter `index`.
    public func bind(_ value: String?, at index: Int32) throws(SQLiteError) {
        guard let value else { return try bindNull(at: index) }
        try check(sqlite3_bind_text(handle, index, value, -1, ccp_sqlite3_transient()))
    }

    /// Binds an integer (or NULL for nil) to the 1-based parameter `index`.
    public func bind(_ value: Int?, at index: Int32) throws(SQLiteError) {
        guard let value else { return try bindNull(at: index) }
        try check(sqlite3_bind_int64(handle, index, Int64(value)))
    }

    /// Binds a boolean as 0 or 1 to the 1-based parameter `index`.
    public func bind(_ value: Bool, at index: Int32) throws(SQLiteError) {
        try check(sqlite3_bind_int64(handle, index, value ? 1 : 0))
    }

    /// Binds NULL to the 1-based parameter `index`.
    public func bindNull(at index: Int32) throws(SQLiteError) {
        try check(sqlite3_bind_null(handle, index))
    }

    /// Advances the statement.
    ///
    /// - Returns: `true` when a row is available, `false` when the statement is done.
    /// - Throws: ``SQLiteError`` on any other result (including `SQLITE_BUSY` after the busy
    ///   timeout and constraint violations).
    @discardableResult
    public func step() throws(SQLiteError) -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW:
            return true
        case SQLITE_DONE:
            return false
        case let code:
            throw SQLiteError(code: code, message: database.lastErrorMessage, sql: sql)
        }
    }

    /// Clears bindings and rewinds, so that the statement can run again.
    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Whether column `index` of the current row is NULL.
    public func isNull(at index: Int32) -> Bool {
        sqlite3_column_type(handle, index) == SQLITE_NULL
    }

    /// Column `index` of the current row as an integer (0 for NULL).
    public func int(at index: Int32) -> Int {
        Int(sqlite3_column_int64(handle, index))
    }

    /// Column `index` of the current row as an integer, or nil for NULL.
    public func optionalInt(at index: Int32) -> Int? {
        isNull(at: index) ? nil : int(at: index)
    }

    /// Column `index` of the current row as text, or nil for NULL.
    public func string(at index: Int32) -> String? {
        guard let text = sqlite3_column_text(handle, index) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, index))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    private func check(_ code: Int32) throws(SQLiteError) {
        guard code == SQLITE_OK else {
            throw SQLiteError(code: code, message: database.lastErrorMessage, sql: sql)
        }
    }
}

@available(*, unavailable)
extension Statement: Sendable {}
