// Runs in: the supervisor (`ccproxy serve`), on its authority thread only.
// The persistent-session registry (SQLite, so sessions survive restarts) and the session
// directories under the state directory. Only the supervisor holds one (invariant 1). Its
// calls wait for SQLite locks and remove directory trees, so the loop never makes them: it
// hands `SessionJob`s to `AuthorityService`, whose thread calls `perform(_:)`.

import CCProxyCore
public import CCProxyStore
import Foundation

/// Looks up, creates, records and evicts persistent sessions, and owns their directories:
/// `<state>/sessions/<claude session id>/` holds a session's own workspace (`workspace/`)
/// when it is not bound to a configured one; it is removed with the session.
///
/// Confined to the authority thread: the supervisor creates it, hands it to
/// `AuthorityService` and never touches it again. That confinement, not a lock, is what
/// makes it safe to send (hence `@unchecked Sendable`).
///
/// A turn record that cannot be written (the database is locked by another process) is kept
/// and retried with the usage writes, at most `Limits.usageRetryQueueCapacity` of them; until
/// it is written, a lease lookup of that session already sees its `started` flag.
public final class SessionRegistry: @unchecked Sendable {
    private let repository: any SessionRepository
    private let stateDirectory: String
    private var unwrittenTurns: [SessionTurn] = []

    public init(repository: any SessionRepository, stateDirectory: String) {
        self.repository = repository
        self.stateDirectory = stateDirectory
    }

    /// Opens the registry on the server's database (migrated by whoever opened it first).
    /// A lock held by another process is waited for only
    /// `Limits.supervisorBusyTimeoutMilliseconds`: the authority thread also answers
    /// authorizations.
    public convenience init(databasePath: String, stateDirectory: String) throws {
        let database = try Database(path: databasePath, busyTimeoutMilliseconds: Limits.supervisorBusyTimeoutMilliseconds)
        try Migrator.ccproxy.migrate(database)
        self.init(repository: SessionStore(database: database), stateDirectory: stateDirectory)
    }

    /// The directory of a session's own files.
    public static func directory(stateDirectory: String, claudeSessionID: String) -> String {
        stateDirectory + "/sessions/" + claudeSessionID
    }

    /// Turn records waiting to be written again.
    var unwrittenTurnCount: Int { unwrittenTurns.count }

    /// Performs one job; the answer, if the job has one, goes back to the loop.
    func perform(_ job: SessionJob, now: Date = Date()) -> SessionAnswer? {
        switch job {
        case .lookUp(let request):
            return .lookedUp(request, lookUp(request, now: now))
        case .recordTurn(let turn):
            if !unwrittenTurns.isEmpty || !write(turn) { keep(turn) }
            return nil
        case .evictIdle(let cutoff, let held):
            return .evicted(Result(catching: { () throws(StoreError) in try evictIdle(before: cutoff, except: held) }))
        case .list(let client):
            return .listed(client: client, Result(catching: { () throws(StoreError) in try repository.list() }))
        case .end(let client, let owner, let name, let held):
            return .ended(client: client, Result(catching: { () throws(StoreError) in try end(owner: owner, name: name, except: held) }))
        }
    }

    /// Writes the kept turn records in order until one fails. Returns whether none is left.
    func retryUnwrittenTurns() -> Bool {
        while let next = unwrittenTurns.first {
            guard write(next) else { return false }
            unwrittenTurns.removeFirst()
        }
        return true
    }

    // MARK: - Jobs

    /// The session of the request's owner and name, created (bound to the request's
    /// workspace) if it does not exist.
    private func lookUp(_ request: SessionLeases.Request, now: Date) -> Result<SessionRecord, StoreError> {
        Result(catching: { () throws(StoreError) -> SessionRecord in
            let key = request.key
            if var record = try repository.find(owner: key.owner, name: key.name) {
                if unwrittenTurns.contains(where: { $0.key == key && $0.started }) { record.started = true }
                return record
            }
            let record = SessionRecord(
                owner: key.owner, name: key.name, claudeSessionID: UUID().uuidString.lowercased(),
                workspace: request.workspace, started: false, createdAt: now, lastUsedAt: now)
            try repository.insert(record)
            return record
        })
    }

    private func write(_ turn: SessionTurn) -> Bool {
        do {
            _ = try repository.recordTurn(owner: turn.key.owner, name: turn.key.name, started: turn.started, at: turn.at)
            return true
        } catch {
            return false
        }
    }

    private func keep(_ turn: SessionTurn) {
        unwrittenTurns.append(turn)
        if unwrittenTurns.count > Limits.usageRetryQueueCapacity { unwrittenTurns.removeFirst() }
    }

    /// Deletes sessions idle since before `cutoff` (at most `Limits.sessionEvictionBatch`,
    /// oldest first) that no turn holds, with their directories.
    private func evictIdle(before cutoff: Date, except held: Set<SessionLeases.Key>) throws(StoreError) -> [SessionRecord] {
        var evicted: [SessionRecord] = []
        for record in try repository.idle(before: cutoff, limit: Limits.sessionEvictionBatch)
        where !held.contains(.init(owner: record.owner, name: record.name)) {
            try remove(record)
            evicted.append(record)
        }
        return evicted
    }

    /// Ends sessions named `name` (of `owner`, or of every owner when nil) that no turn holds.
    private func end(owner: String?, name: String, except held: Set<SessionLeases.Key>) throws(StoreError) -> SessionsEnded {
        var result = SessionsEnded()
        for record in try repository.list() where record.name == name && (owner == nil || record.owner == owner) {
            if held.contains(.init(owner: record.owner, name: record.name)) {
                result.busyOwners.append(record.owner)
                continue
            }
            try remove(record)
            result.count += 1
        }
        return result
    }

    /// Deletes the session and its directory.
    private func remove(_ record: SessionRecord) throws(StoreError) {
        try repository.delete(owner: record.owner, name: record.name)
        try? FileManager.default.removeItem(
            atPath: Self.directory(stateDirectory: stateDirectory, claudeSessionID: record.claudeSessionID))
    }
}
