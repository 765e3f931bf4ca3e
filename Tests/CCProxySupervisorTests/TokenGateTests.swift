import CCProxyAuth
import CCProxyCore
import CCProxyStore
import CCProxyWire
import Foundation
import Logging
import CCProxyPosix
import Testing

@testable import CCProxySupervisor

/// Usage counters that can be made to fail like a locked database.
final class SwitchableUsage: UsageRepository, @unchecked Sendable {
    let inner: UsageStore
    let failing = Locked(false)

    init(_ inner: UsageStore) { self.inner = inner }

    private func check() throws(StoreError) {
        if failing.withLock({ $0 }) { throw StoreError(kind: .busy, message: "database is locked") }
    }

    func record(tokenID: String, day: String, tokens: Int) throws(StoreError) {
        try check()
        try inner.record(tokenID: tokenID, day: day, tokens: tokens)
    }
    func total(tokenID: String, day: String) throws(StoreError) -> Int {
        try check()
        return try inner.total(tokenID: tokenID, day: day)
    }
    func saveRequestBuckets(_ buckets: [RequestBucketRecord]) throws(StoreError) { try inner.saveRequestBuckets(buckets) }
    func loadRequestBuckets() throws(StoreError) -> [RequestBucketRecord] { try inner.loadRequestBuckets() }
}

/// The gate's decisions: figures for the headers, limits that fail closed, saturating usage.
@Suite struct TokenGateTests {
    let directory: String
    let usage: SwitchableUsage
    let authority: TokenAuthority
    let gate: TokenGate

    init() throws {
        directory = NSTemporaryDirectory() + "ccproxy-gate-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let database = try Database(path: directory + "/tokens.db")
        try Migrator.ccproxy.migrate(database)
        usage = SwitchableUsage(UsageStore(database: database))
        authority = TokenAuthority(
            storage: TokenAuthority.Storage(tokens: TokenStore(database: database), usage: usage),
            hasher: Argon2id(parameters: .minimal))
        gate = TokenGate(authority: authority, logger: Logger(label: "test"))
    }

    @Test func aDatabaseErrorIsARetryable503NeverUnlimited() throws {
        let (_, bearer) = try authority.create(name: "tpd", tpd: 100)
        #expect(gate.authorize(bearer: bearer, scope: "chat", source: nil).success != nil)
        usage.failing.withLock { $0 = true }
        let refusal = try #require(gate.authorize(bearer: bearer, scope: "chat", source: nil).failure)
        #expect(refusal.error.status == 503)
        #expect(refusal.error.retryAfterSeconds == Limits.storeRetryAfterSeconds)
        // Writes are refused as retryable (the service keeps them), not dropped.
        let record = UsageRecord(tokenID: "x", inputTokens: 1, outputTokens: 1, finishedAt: Date())
        if case .written = gate.recordUsage(record) { Issue.record("a locked database reported the write done") }
    }

    @Test func figuresReportTheLimitsAndWhatIsLeft() throws {
        let (record, bearer) = try authority.create(name: "fig", rpm: 3, tpd: 1000, maxConcurrent: 2)
        let first = try #require(gate.authorize(bearer: bearer, scope: "chat", source: nil).success)
        #expect(first.maxConcurrent == 2)
        #expect(
            first.grant.limits
                == RateLimitFigures(requestsLimit: 3, requestsRemaining: 2, tokensLimit: 1000, tokensRemaining: 1000))
        #expect(gate.recordUsage(UsageRecord(tokenID: record.id, inputTokens: 300, outputTokens: 100, finishedAt: Date())) == .written)
        let second = try #require(gate.authorize(bearer: bearer, scope: "chat", source: nil).success)
        #expect(second.grant.limits.requestsRemaining == 1)
        #expect(second.grant.limits.tokensRemaining == 600)
        // An unlimited token reports the unlimited figure everywhere.
        let (_, free) = try authority.create(name: "free")
        #expect(try #require(gate.authorize(bearer: free, scope: "chat", source: nil).success).grant.limits == .none)
        // A 403 is authenticated: it carries the figures.
        let forbidden = try #require(gate.authorize(bearer: bearer, scope: "admin", source: nil).failure)
        #expect(forbidden.error.status == 403)
        #expect(forbidden.limits?.requestsLimit == 3)
    }

    @Test func hugeUsageSaturatesAtTheDailyCap() throws {
        let (record, _) = try authority.create(name: "huge")
        for _ in 0..<3 {
            let huge = UsageRecord(tokenID: record.id, inputTokens: .max, outputTokens: .max, finishedAt: referenceDay)
            #expect(gate.recordUsage(huge) == .written)
        }
        let total = try authority.dailyUsage(tokenID: record.id, now: referenceDay)
        #expect(total == 6 * Limits.maxTurnTokens)
        #expect(total <= Limits.maxDailyUsageTokens)
    }

    @Test func requestBucketsSurviveAGateRestart() throws {
        let (_, bearer) = try authority.create(name: "rpm", rpm: 2)
        for _ in 0..<2 { #expect(gate.authorize(bearer: bearer, scope: "chat", source: nil).success != nil) }
        gate.persistState()
        let restarted = TokenGate(authority: authority, logger: Logger(label: "test"))
        let refusal = try #require(restarted.authorize(bearer: bearer, scope: "chat", source: nil).failure)
        #expect(refusal.error.status == 429)
        #expect(refusal.limits?.requestsRemaining == 0)
    }
}

private let referenceDay = Date(timeIntervalSince1970: 1_795_608_000)

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }

    fileprivate var success: Success? {
        if case .success(let value) = self { return value }
        return nil
    }
}
