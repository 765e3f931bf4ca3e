#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The SQLite ``SessionRepository``: the `sessions` table of `tokens.db`.
///
/// Dates are whole Unix seconds. The database must have been migrated (``Migrator/ccproxy``).
/// Shares the thread confinement of its ``Database``.
public final class SessionStore: SessionRepository {
    private let database: Database

    private static let columns = "owner, name, claude_session_id, workspace, started, created_at, last_used_at"

    public init(database: Database) {
        self.database = database
    }

    public func find(owner: String, name: String) throws(StoreError) -> SessionRecord? {
        try query("SELECT \(Self.columns) FROM sessions WHERE owner = ?1 AND name = ?2") { s throws(SQLiteError) in
            try s.bind(owner, at: 1)
            try s.bind(name, at: 2)
        }.first
    }

    public func insert(_ record: SessionRecord) throws(StoreError) {
        try mapped { () throws(SQLiteError) in
            let s = try database.prepare("INSERT INTO sessions (\(Self.columns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")
            try s.bind(record.owner, at: 1)
            try s.bind(record.name, at: 2)
            try s.bind(record.claudeSessionID, at: 3)
            try s.bind(record.workspace, at: 4)
            try s.bind(record.started, at: 5)
            try s.bind(Self.seconds(record.createdAt), at: 6)
            try s.bind(Self.seconds(record.lastUsedAt), at: 7)
            try s.step()
        }
    }

    @discardableResult
    public func recordTurn(owner: String, name: String, started: Bool, at date: Date) throws(StoreError) -> Bool {
        try mapped { () throws(SQLiteError) in
            let s = try database.prepare(
                "UPDATE sessions SET last_used_at = ?3, started = MAX(started, ?4) WHERE owner = ?1 AND name = ?2")
            try s.bind(owner, at: 1)
            try s.bind(name, at: 2)
            try s.bind(Self.seconds(date), at: 3)
            try s.bind(started, at: 4)
            try s.step()
            return database.changes > 0
        }
    }

    @discardableResult
    public func delete(owner: String, name: String) throws(StoreError) -> Bool {
        try mapped { () throws(SQLiteError) in
            let s = try database.prepare("DELETE FROM sessions WHERE owner = ?1 AND name = ?2")
            try s.bind(owner, at: 1)
            try s.bind(name, at: 2)
            try s.step()
            return database.changes > 0
        }
    }

    public func list() throws(StoreError) -> [SessionRecord] {
        try query("SELECT \(Self.columns) FROM sessions ORDER BY last_used_at DESC, rowid DESC") { _ throws(SQLiteError) in }
    }

    public func idle(before date: Date, limit: Int) throws(StoreError) -> [SessionRecord] {
        try query("SELECT \(Self.columns) FROM sessions WHERE last_used_at < ?1 ORDER BY last_used_at ASC LIMIT ?2") {
            s throws(SQLiteError) in
            try s.bind(Self.seconds(date), at: 1)
            try s.bind(max(0, limit), at: 2)
        }
    }

    private func query(
        _ sql: String, _ bind: (Statement) throws(SQLiteError) -> Void
    ) throws(StoreError) -> [SessionRecord] {
        try mapped { () throws(SQLiteError) in
            let s = try database.prepare(sql)
            try bind(s)
            var records: [SessionRecord] = []
            while try s.step() {
                records.append(
                    SessionRecord(
                        owner: s.string(at: 0) ?? "", name: s.string(at: 1) ?? "", claudeSessionID: s.string(at: 2) ?? "",
                        workspace: s.string(at: 3), started: s.int(at: 4) != 0,
                        createdAt: Date(timeIntervalSince1970: Double(s.int(at: 5))),
                        lastUsedAt: Date(timeIntervalSince1970: Double(s.int(at: 6)))))
            }
            return records
        }
    }

    private func mapped<T>(_ body: () throws(SQLiteError) -> T) throws(StoreError) -> T {
        do {
            return try body()
        } catch {
            throw StoreError(error)
        }
    }

    private static func seconds(_ date: Date) -> Int {
        Int(date.timeIntervalSince1970.rounded(.down))
    }
}

@available(*, unavailable)
extension SessionStore: Sendable {}
