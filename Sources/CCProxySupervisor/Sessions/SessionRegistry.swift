// Runs in: the supervisor (`ccproxy serve`).
// The persistent-session registry (SQLite, so sessions survive restarts) and the session
// directories under the state directory. Only the supervisor holds one (invariant 1).

import CCProxyCore
public import CCProxyStore
import Foundation

/// Looks up, creates, records and evicts persistent sessions, and owns their directories:
/// `<state>/sessions/<claude session id>/` holds a session's own workspace (`workspace/`)
/// when it is not bound to a configured one; it is removed with the session.
public final class SessionRegistry {
    private let repository: any SessionRepository
    private let stateDirectory: String

    public init(repository: any SessionRepository, stateDirectory: String) {
        self.repository = repository
        self.stateDirectory = stateDirectory
    }

    /// Opens the registry on the server's database (migrated by whoever opened it first).
    /// Its calls run on the supervisor's loop, so a lock held by another process is waited
    /// for only `Limits.supervisorBusyTimeoutMilliseconds`.
    public convenience init(databasePath: String, stateDirectory: String) throws {
        let database = try Database(path: databasePath, busyTimeoutMilliseconds: Limits.supervisorBusyTimeoutMilliseconds)
        try Migrator.ccproxy.migrate(database)
        self.init(repository: SessionStore(database: database), stateDirectory: stateDirectory)
    }

    /// The directory of a session's own files.
    public static func directory(stateDirectory: String, claudeSessionID: String) -> String {
        stateDirectory + "/sessions/" + claudeSessionID
    }

    /// The session `name` of `owner`, created (bound to `workspace`) if it does not exist.
    func findOrCreate(owner: String, name: String, workspace: String?, now: Date) throws(StoreError) -> SessionRecord {
        if let record = try repository.find(owner: owner, name: name) { return record }
        let record = SessionRecord(
            owner: owner, name: name, claudeSessionID: UUID().uuidString.lowercased(), workspace: workspace,
            started: false, createdAt: now, lastUsedAt: now)
        try repository.insert(record)
        return record
    }

    func recordTurn(owner: String, name: String, started: Bool, now: Date) throws(StoreError) {
        try repository.recordTurn(owner: owner, name: name, started: started, at: now)
    }

    func list() throws(StoreError) -> [SessionRecord] { try repository.list() }

    func find(owner: String, name: String) throws(StoreError) -> SessionRecord? {
        try repository.find(owner: owner, name: name)
    }

    /// Deletes the session and its directory.
    func remove(_ record: SessionRecord) throws(StoreError) {
        try repository.delete(owner: record.owner, name: record.name)
        try? FileManager.default.removeItem(
            atPath: Self.directory(stateDirectory: stateDirectory, claudeSessionID: record.claudeSessionID))
    }

    /// Sessions idle since before `cutoff`, oldest first, at most `limit`.
    func idle(before cutoff: Date, limit: Int) throws(StoreError) -> [SessionRecord] {
        try repository.idle(before: cutoff, limit: limit)
    }
}
