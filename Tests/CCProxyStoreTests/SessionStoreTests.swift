import CCProxyStore
import Foundation
import Testing

@Suite("SessionStore")
struct SessionStoreTests {
    private func store(_ directory: TemporaryDirectory) throws -> SessionStore {
        let database = try Database(path: directory.databasePath)
        try Migrator.ccproxy.migrate(database)
        return SessionStore(database: database)
    }

    private func record(owner: String, name: String, id: String, lastUsed: Double = 100) -> SessionRecord {
        SessionRecord(
            owner: owner, name: name, claudeSessionID: id, workspace: nil, started: false,
            createdAt: Date(timeIntervalSince1970: 50), lastUsedAt: Date(timeIntervalSince1970: lastUsed))
    }

    @Test("a session is found by owner and name only")
    func keyedByOwner() throws {
        let directory = try TemporaryDirectory()
        let sessions = try store(directory)
        try sessions.insert(record(owner: "principal:alice", name: "s", id: "u1"))
        #expect(try sessions.find(owner: "principal:alice", name: "s")?.claudeSessionID == "u1")
        #expect(try sessions.find(owner: "token:bob", name: "s") == nil)
        try sessions.insert(record(owner: "token:bob", name: "s", id: "u2"))
        #expect(try sessions.find(owner: "token:bob", name: "s")?.claudeSessionID == "u2")
    }

    @Test("duplicates are a constraint error")
    func duplicates() throws {
        let directory = try TemporaryDirectory()
        let sessions = try store(directory)
        try sessions.insert(record(owner: "o", name: "s", id: "u1"))
        #expect(throws: StoreError.self) { try sessions.insert(record(owner: "o", name: "s", id: "u9")) }
        #expect(throws: StoreError.self) { try sessions.insert(record(owner: "o", name: "t", id: "u1")) }
    }

    @Test("recordTurn moves last use and never unsets started")
    func recordTurn() throws {
        let directory = try TemporaryDirectory()
        let sessions = try store(directory)
        try sessions.insert(record(owner: "o", name: "s", id: "u1"))
        #expect(try sessions.recordTurn(owner: "o", name: "s", started: true, at: Date(timeIntervalSince1970: 200)))
        #expect(try sessions.recordTurn(owner: "o", name: "s", started: false, at: Date(timeIntervalSince1970: 300)))
        let found = try #require(try sessions.find(owner: "o", name: "s"))
        #expect(found.started)
        #expect(found.lastUsedAt == Date(timeIntervalSince1970: 300))
        #expect(try !sessions.recordTurn(owner: "o", name: "missing", started: true, at: Date()))
    }

    @Test("idle lists the oldest first, bounded; delete removes")
    func idleAndDelete() throws {
        let directory = try TemporaryDirectory()
        let sessions = try store(directory)
        try sessions.insert(record(owner: "o", name: "new", id: "u1", lastUsed: 500))
        try sessions.insert(record(owner: "o", name: "old", id: "u2", lastUsed: 100))
        try sessions.insert(record(owner: "o", name: "older", id: "u3", lastUsed: 50))
        #expect(try sessions.idle(before: Date(timeIntervalSince1970: 400), limit: 10).map(\.name) == ["older", "old"])
        #expect(try sessions.idle(before: Date(timeIntervalSince1970: 400), limit: 1).map(\.name) == ["older"])
        #expect(try sessions.list().map(\.name) == ["new", "old", "older"])
        #expect(try sessions.delete(owner: "o", name: "old"))
        #expect(try !sessions.delete(owner: "o", name: "old"))
        #expect(try sessions.list().count == 2)
    }

    @Test("sessions survive reopening the database")
    func durable() throws {
        let directory = try TemporaryDirectory()
        try store(directory).insert(record(owner: "o", name: "s", id: "u1"))
        #expect(try store(directory).find(owner: "o", name: "s")?.claudeSessionID == "u1")
    }
}
