import CCPSQLite3

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One SQLite connection, configured the way every ccproxy process needs it.
///
/// Opening a database:
/// - creates the file with mode 0600 if it does not exist, and tightens an existing file to 0600
///   (SQLite gives the `-wal` and `-shm` files the mode of the database file);
/// - switches the journal to WAL, so that the `ccproxy token` CLI can write while the server
///   reads, and sets `synchronous = NORMAL` (durable across application crashes in WAL mode);
/// - waits up to ``busyTimeoutMilliseconds`` (or the time given) for a lock held by another process;
/// - enables foreign keys (usage rows are deleted with their token).
///
/// A `Database` is not thread-safe: confine it to one thread or protect it with a lock, as
/// `TokenAuthority` does. Several processes may each open their own `Database` on one file.
public final class Database {
    /// How long a statement waits for another connection's lock before failing with
    /// `SQLITE_BUSY`, in milliseconds.
    public static let busyTimeoutMilliseconds: Int32 = 5000

    /// The path the connection was opened with.
    public let path: String

    let handle: OpaquePointer

    /// Opens (creating if needed) the database at `path` and configures the connection.
    ///
    /// - Throws: ``SQLiteError`` if the file cannot be created, opened or configured (for
    ///   example when it is not a database, or WAL mode cannot be enabled).
    /// - Parameter busyTimeoutMilliseconds: how long a statement waits for another
    ///   connection's lock (the supervisor passes a short one: it retries bookkeeping writes
    ///   itself and answers an authorization 503 rather than late).
    public init(path: String, busyTimeoutMilliseconds: Int32 = Database.busyTimeoutMilliseconds) throws(SQLiteError) {
        self.path = path
        if !Self.isInMemory(path) {
            try Self.restrictFileMode(path)
        }
        var connection: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &connection, flags, nil)
        guard let connection else {
            throw SQLiteError(code: code, message: String(cString: sqlite3_errstr(code)))
        }
        guard code == SQLITE_OK else {
            let error = SQLiteError(code: code, message: String(cString: sqlite3_errmsg(connection)))
            sqlite3_close_v2(connection)
            throw error
        }
        self.handle = connection
        sqlite3_extended_result_codes(connection, 1)
        sqlite3_busy_timeout(connection, busyTimeoutMilliseconds)
        try configure()
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// Runs one or more SQL statements that return no rows of interest.
    ///
    /// - Throws: ``SQLiteError`` naming the statement that failed.
    public func execute(_ sql: String) throws(SQLiteError) {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &errorMessage)
        guard code == SQLITE_OK else {
            let message = errorMessage.map { String(cString: $0) } ?? lastErrorMessage
            sqlite3_free(errorMessage)
            throw SQLiteError(code: code, message: message, sql: sql)
        }
    }

    /// Compiles one SQL statement. Placeholders are bound with `Statement.bind(_:at:)`.
    ///
    /// - Throws: ``SQLiteError`` if the SQL does not compile.
    public func prepare(_ sql: String) throws(SQLiteError) -> Statement {
        try Statement(database: self, sql: sql)
    }

    /// Runs `body` in a transaction: committed if `body` returns, rolled back if it throws.
    ///
    /// The transaction starts with `BEGIN IMMEDIATE`, taking the write lock up front, so that a
    /// read-then-write (e.g. "insert if the table is empty") cannot interleave with a writer in
    /// another process. Transactions do not nest.
    ///
    /// - Throws: whatever `body` throws, or ``SQLiteError`` from BEGIN or COMMIT.
    public func transaction<T>(_ body: () throws(SQLiteError) -> T) throws(SQLiteError) -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            // The rollback's own failure (e.g. SQLite already rolled back) adds nothing.
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// The number of rows changed by the most recent INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// `PRAGMA user_version`, the schema version maintained by ``Migrator``.
    public func userVersion() throws(SQLiteError) -> Int {
        let statement = try prepare("PRAGMA user_version")
        guard try statement.step() else { return 0 }
        return statement.int(at: 0)
    }

    /// The current journal mode, lowercased (`wal` once opened).
    public func journalMode() throws(SQLiteError) -> String {
        let statement = try prepare("PRAGMA journal_mode")
        guard try statement.step() else { return "" }
        return (statement.string(at: 0) ?? "").lowercased()
    }

    var lastErrorMessage: String { String(cString: sqlite3_errmsg(handle)) }

    private func configure() throws(SQLiteError) {
        let mode = try prepare("PRAGMA journal_mode = WAL")
        _ = try mode.step()
        if !Self.isInMemory(path), (mode.string(at: 0) ?? "").lowercased() != "wal" {
            throw SQLiteError(code: SQLITE_ERROR, message: "could not enable WAL journal mode", sql: mode.sql)
        }
        try execute("PRAGMA synchronous = NORMAL")
        try execute("PRAGMA foreign_keys = ON")
    }

    private static func isInMemory(_ path: String) -> Bool {
        path.isEmpty || path == ":memory:"
    }

    /// Creates the file 0600 if missing; tightens an existing one to 0600.
    ///
    /// An existing file is changed by path, never opened: closing any descriptor of a file
    /// drops every POSIX lock this process holds on it (fcntl semantics), which would pull the
    /// locks from under another connection of this process to the same database.
    private static func restrictFileMode(_ path: String) throws(SQLiteError) {
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & 0o777 != 0o600 else { return }
            guard chmod(path, 0o600) == 0 else {
                throw SQLiteError(
                    code: SQLITE_PERM, message: "cannot chmod 0600 \(path): \(String(cString: strerror(errno)))")
            }
            return
        }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw SQLiteError(
                code: SQLITE_CANTOPEN, message: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        guard fchmod(fd, 0o600) == 0 else {
            throw SQLiteError(
                code: SQLITE_PERM, message: "cannot chmod 0600 \(path): \(String(cString: strerror(errno)))")
        }
    }
}

@available(*, unavailable)
extension Database: Sendable {}
