import CCProxyCore
import CCProxyPosix
import CCProxyStore
import Foundation
import Logging
import Testing

@testable import CCProxySupervisor

/// A session repository in memory whose writes fail while `locked` (another process holds
/// the database).
final class MemorySessions: SessionRepository, @unchecked Sendable {
    var records: [SessionLeases.Key: SessionRecord] = [:]
    var locked = false
    var turnAttempts = 0

    private func check() throws(StoreError) {
        if locked { throw StoreError(kind: .busy, message: "database is locked") }
    }

    func find(owner: String, name: String) throws(StoreError) -> SessionRecord? {
        try check()
        return records[.init(owner: owner, name: name)]
    }

    func insert(_ record: SessionRecord) throws(StoreError) {
        try check()
        records[.init(owner: record.owner, name: record.name)] = record
    }

    func recordTurn(owner: String, name: String, started: Bool, at date: Date) throws(StoreError) -> Bool {
        turnAttempts += 1
        try check()
        guard var record = records[.init(owner: owner, name: name)] else { return false }
        record.started = record.started || started
        record.lastUsedAt = date
        records[.init(owner: owner, name: name)] = record
        return true
    }

    func delete(owner: String, name: String) throws(StoreError) -> Bool {
        try check()
        return records.removeValue(forKey: .init(owner: owner, name: name)) != nil
    }

    func list() throws(StoreError) -> [SessionRecord] {
        try check()
        return records.values.sorted { $0.lastUsedAt > $1.lastUsedAt }
    }

    func idle(before date: Date, limit: Int) throws(StoreError) -> [SessionRecord] {
        try check()
        return Array(records.values.filter { $0.lastUsedAt < date }.sorted { $0.lastUsedAt < $1.lastUsedAt }.prefix(limit))
    }
}

/// The registry as the authority thread runs it: jobs in, answers out.
@Suite struct SessionRegistryTests {
    static let key = SessionLeases.Key(owner: "principal:alice", name: "s")

    static func lookUp(_ key: SessionLeases.Key = key, slot: UInt32 = 1, workspace: String? = nil) -> SessionJob {
        .lookUp(SessionLeases.Request(slot: slot, connectionID: 10, correlation: 5, key: key, workspace: workspace))
    }

    static func record(of answer: SessionAnswer?) -> SessionRecord? {
        guard case .lookedUp(_, .success(let record)) = answer else { return nil }
        return record
    }

    @Test func aLookUpCreatesTheSessionOnceBoundToItsWorkspace() throws {
        let store = MemorySessions()
        let registry = SessionRegistry(repository: store, stateDirectory: "/nonexistent")
        let first = try #require(Self.record(of: registry.perform(Self.lookUp(workspace: "docs"))))
        #expect(first.workspace == "docs" && !first.started)
        let again = try #require(Self.record(of: registry.perform(Self.lookUp(workspace: "other"))))
        #expect(again.claudeSessionID == first.claudeSessionID, "the same session, not a second one")
        #expect(again.workspace == "docs", "a session keeps the workspace it was created in")
        let bob = try #require(Self.record(of: registry.perform(Self.lookUp(.init(owner: "token:bob", name: "s")))))
        #expect(bob.claudeSessionID != first.claudeSessionID, "another owner's same name is another session")
    }

    @Test func aTurnRecordThatCannotBeWrittenIsKeptRetriedInOrderAndSeenByTheNextLookUp() throws {
        let store = MemorySessions()
        let registry = SessionRegistry(repository: store, stateDirectory: "/nonexistent")
        _ = registry.perform(Self.lookUp())
        store.locked = true
        #expect(registry.perform(.recordTurn(SessionTurn(key: Self.key, started: true, at: Date()))) == nil)
        #expect(registry.unwrittenTurnCount == 1)
        #expect(!registry.retryUnwrittenTurns(), "still locked")
        store.locked = false
        // Before the retry lands, the next turn already resumes the conversation.
        #expect(Self.record(of: registry.perform(Self.lookUp()))?.started == true)
        // A later record queues behind the kept one instead of overtaking it.
        _ = registry.perform(.recordTurn(SessionTurn(key: Self.key, started: false, at: Date())))
        #expect(registry.unwrittenTurnCount == 2)
        #expect(registry.retryUnwrittenTurns())
        #expect(registry.unwrittenTurnCount == 0)
        #expect(store.records[Self.key]?.started == true)
    }

    @Test func evictionAndEndSpareHeldSessionsAndRemoveTheirDirectories() throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("ccproxy-registry-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let store = MemorySessions()
        let registry = SessionRegistry(repository: store, stateDirectory: state)
        let held = SessionLeases.Key(owner: "o", name: "held")
        let idle = SessionLeases.Key(owner: "o", name: "idle")
        let long = Date(timeIntervalSinceNow: -3600)
        var ids: [SessionLeases.Key: String] = [:]
        for key in [held, idle] {
            let record = try #require(Self.record(of: registry.perform(Self.lookUp(key), now: long)))
            ids[key] = record.claudeSessionID
            try FileManager.default.createDirectory(
                atPath: SessionRegistry.directory(stateDirectory: state, claudeSessionID: record.claudeSessionID) + "/workspace",
                withIntermediateDirectories: true)
        }
        guard case .evicted(.success(let evicted)) = registry.perform(.evictIdle(cutoff: Date(), held: [held])) else {
            Issue.record("no eviction answer")
            return
        }
        #expect(evicted.map(\.name) == ["idle"])
        #expect(store.records[held] != nil && store.records[idle] == nil)
        #expect(!FileManager.default.fileExists(atPath: SessionRegistry.directory(stateDirectory: state, claudeSessionID: ids[idle] ?? "")))
        #expect(FileManager.default.fileExists(atPath: SessionRegistry.directory(stateDirectory: state, claudeSessionID: ids[held] ?? "")))
        let ended = registry.perform(.end(client: 3, owner: nil, name: "held", held: [held]))
        #expect(ended == .ended(client: 3, .success(SessionsEnded(count: 0, busyOwners: ["o"]))))
        #expect(registry.perform(.end(client: 4, owner: "o", name: "held", held: [])) == .ended(client: 4, .success(SessionsEnded(count: 1))))
        #expect(store.records.isEmpty)
    }

    @Test func aLockedDatabaseIsAnErrorAnswerNotACrash() {
        let store = MemorySessions()
        store.locked = true
        let registry = SessionRegistry(repository: store, stateDirectory: "/nonexistent")
        guard case .lookedUp(_, .failure(let error)) = registry.perform(Self.lookUp()) else {
            Issue.record("a lookup on a locked database must fail")
            return
        }
        #expect(error.kind == .busy)
        guard case .listed(client: 9, .failure) = registry.perform(.list(client: 9)) else {
            Issue.record("a list on a locked database must fail")
            return
        }
    }

    /// The authority thread runs session jobs in order and answers through the wake-up pipe,
    /// so a turn's record is written before the next turn on that session is looked up.
    @Test func theAuthorityThreadAnswersSessionJobsInOrder() throws {
        final class NoTokens: WorkerRequestAuthority {
            func authorize(bearer: String, scope: String, source: String?) -> Result<AuthorityGrant, AuthorityRefusal> {
                .failure(AuthorityRefusal(error: .unauthorized("no")))
            }
            func recordUsage(_ usage: UsageRecord) -> UsageWriteOutcome { .written }
            func persistState() {}
        }
        let store = MemorySessions()
        let registry = SessionRegistry(repository: store, stateDirectory: "/nonexistent")
        let service = try AuthorityService(authority: NoTokens(), sessions: registry, logger: Logger(label: "test"))
        service.start()
        defer { service.stop() }
        #expect(service.submit(Self.lookUp()))
        #expect(service.submit(.recordTurn(SessionTurn(key: Self.key, started: true, at: Date()))))
        #expect(service.submit(Self.lookUp(slot: 2)))
        var answers: [SessionAnswer] = []
        let deadline = MonotonicClock.seconds() + 30
        while answers.count < 2, MonotonicClock.seconds() < deadline {
            let ready = try Poller().wait(on: [Poller.Interest(fd: service.wakeFD)], timeoutMilliseconds: 1000)
            if !ready.isEmpty {
                _ = service.takeAnswers()
                answers += service.takeSessionAnswers()
            }
        }
        #expect(answers.count == 2, "saw \(answers)")
        #expect(answers.map { Self.record(of: $0)?.started } == [false, true])
    }

    @Test func withoutARegistrySessionJobsAreRefusedAtOnce() throws {
        final class NoTokens: WorkerRequestAuthority {
            func authorize(bearer: String, scope: String, source: String?) -> Result<AuthorityGrant, AuthorityRefusal> {
                .failure(AuthorityRefusal(error: .unauthorized("no")))
            }
            func recordUsage(_ usage: UsageRecord) -> UsageWriteOutcome { .written }
            func persistState() {}
        }
        let service = try AuthorityService(authority: NoTokens(), logger: Logger(label: "test"))
        #expect(!service.submit(Self.lookUp()))
    }
}
