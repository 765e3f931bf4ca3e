import CCProxyStore
import Foundation
import Testing

@Suite("Database")
struct DatabaseTests {
    @Test("opening creates a 0600 file in WAL mode with the latest schema")
    func openConfigures() throws {
        let directory = try TemporaryDirectory()
        let database = try Database(path: directory.databasePath)
        try Migrator.ccproxy.migrate(database)

        #expect(try database.journalMode() == "wal")
        #expect(try database.userVersion() == Migrator.ccproxy.latestVersion)
        let foreignKeys = try database.prepare("PRAGMA foreign_keys")
        #expect(try foreignKeys.step())
        #expect(foreignKeys.int(at: 0) == 1)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.databasePath)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test("an existing file is tightened to 0600")
    func tightensMode() throws {
        let directory = try TemporaryDirectory()
        _ = FileManager.default.createFile(
            atPath: directory.databasePath, contents: nil, attributes: [.posixPermissions: 0o644])
        _ = try Database(path: directory.databasePath)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory.databasePath)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test("migrating again, or reopening, changes nothing and keeps the data")
    func migrateIsIdempotent() throws {
        let directory = try TemporaryDirectory()
        do {
            let database = try Database(path: directory.databasePath)
            try Migrator.ccproxy.migrate(database)
            try Migrator.ccproxy.migrate(database)
            try TokenStore(database: database).insert(
                TokenRecord(id: "00000000000000aa", name: "n", prefix: "aaaaaaaa", hash: "h", scopes: ["chat"], createdAt: referenceDate))
        }
        let reopened = try Database(path: directory.databasePath)
        try Migrator.ccproxy.migrate(reopened)
        #expect(try reopened.userVersion() == Migrator.ccproxy.latestVersion)
        #expect(try reopened.journalMode() == "wal")
        #expect(try TokenStore(database: reopened).count() == 1)
    }

    @Test("a schema newer than the program is refused")
    func refusesNewerSchema() throws {
        let directory = try TemporaryDirectory()
        let database = try Database(path: directory.databasePath)
        try database.execute("PRAGMA user_version = 99")
        #expect(throws: SQLiteError.self) { try Migrator.ccproxy.migrate(database) }
    }

    @Test("errors carry the code, message and SQL")
    func errorsCarrySQL() throws {
        let database = try Database(path: ":memory:")
        let error = #expect(throws: SQLiteError.self) { try database.execute("SELEC 1") }
        #expect(error?.sql == "SELEC 1")
        #expect(error?.message.contains("syntax error") == true)
        #expect(error?.code == 1)
    }

    @Test("a transaction commits on return and rolls back on throw")
    func transactions() throws {
        let directory = try TemporaryDirectory()
        let database = try Database(path: directory.databasePath)
        try database.execute("CREATE TABLE t (x INTEGER NOT NULL)")
        try database.transaction { () throws(SQLiteError) in try database.execute("INSERT INTO t VALUES (1)") }
        #expect(throws: SQLiteError.self) {
            try database.transaction { () throws(SQLiteError) in
                try database.execute("INSERT INTO t VALUES (2)")
                try database.execute("INSERT INTO t VALUES (NULL)")
            }
        }
        let count = try database.prepare("SELECT count(*), sum(x) FROM t")
        #expect(try count.step())
        #expect(count.int(at: 0) == 1)
        #expect(count.int(at: 1) == 1)
    }

    @Test("statements bind and read text, integers and NULL")
    func bindAndRead() throws {
        let database = try Database(path: ":memory:")
        let statement = try database.prepare("SELECT ?1, ?2, ?3, ?4")
        try statement.bind("héllo", at: 1)
        try statement.bind(42, at: 2)
        try statement.bind(nil as String?, at: 3)
        try statement.bind(true, at: 4)
        #expect(try statement.step())
        #expect(statement.string(at: 0) == "héllo")
        #expect(statement.int(at: 1) == 42)
        #expect(statement.isNull(at: 2))
        #expect(statement.optionalInt(at: 2) == nil)
        #expect(statement.int(at: 3) == 1)
        #expect(try !statement.step())
    }
}
