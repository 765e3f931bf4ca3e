/// Brings a database's schema up to date, using `PRAGMA user_version` as the applied version.
///
/// Each pending migration runs in its own `BEGIN IMMEDIATE` transaction together with the
/// version bump, and the version is re-read inside that transaction, so two processes that
/// open the same new file at once (the server and the `ccproxy token` CLI) apply each step
/// exactly once. Running the migrator on an up-to-date database does nothing.
public struct Migrator: Sendable {
    /// The steps, in ascending version order.
    public var migrations: [Migration]

    public init(migrations: [Migration]) {
        self.migrations = migrations.sorted { $0.version < $1.version }
    }

    /// The ccproxy schema: tokens and daily usage.
    public static let ccproxy = Migrator(migrations: Schema.migrations)

    /// The version an up-to-date database has.
    public var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Applies every migration newer than the database's `user_version`.
    ///
    /// - Throws: ``SQLiteError`` if a step fails (that step is rolled back), or if the database
    ///   is newer than this program knows (`SQLITE_ERROR`, so an old binary never writes to a
    ///   schema it does not understand).
    public func migrate(_ database: Database) throws(SQLiteError) {
        let current = try database.userVersion()
        if current > latestVersion {
            throw SQLiteError(
                code: 1,
                message: "database schema version \(current) is newer than this program (\(latestVersion))")
        }
        for migration in migrations where migration.version > current {
            try database.transaction { () throws(SQLiteError) in
                guard try database.userVersion() < migration.version else { return }
                try database.execute(migration.sql)
                try database.execute("PRAGMA user_version = \(migration.version)")
            }
        }
    }
}
