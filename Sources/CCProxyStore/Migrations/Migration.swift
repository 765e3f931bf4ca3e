/// One step of the schema, applied once, in order of ``version``.
///
/// Versions start at 1 and are consecutive. A released migration is never edited: change the
/// schema by appending a new one.
public struct Migration: Sendable {
    /// The `PRAGMA user_version` the database has once this step is applied.
    public var version: Int
    /// The SQL that moves the schema from `version - 1` to `version`.
    public var sql: String

    public init(version: Int, sql: String) {
        self.version = version
        self.sql = sql
    }
}
