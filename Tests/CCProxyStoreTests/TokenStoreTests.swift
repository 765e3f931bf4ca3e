import CCProxyStore
import Foundation
import Testing

@Suite("TokenStore and UsageStore")
struct TokenStoreTests {
    let directory: TemporaryDirectory
    let database: Database
    let tokens: TokenStore
    let usage: UsageStore

    init() throws {
        directory = try TemporaryDirectory()
        database = try Database(path: directory.databasePath)
        try Migrator.ccproxy.migrate(database)
        tokens = TokenStore(database: database)
        usage = UsageStore(database: database)
    }

    func record(_ id: String, name: String = "n", prefix: String, created: TimeInterval = 0) -> TokenRecord {
        TokenRecord(
            id: id, name: name, prefix: prefix, hash: "$argon2id$x", scopes: ["chat", "workspace:*"],
            createdAt: referenceDate.addingTimeInterval(created))
    }

    @Test("a record round-trips with every field")
    func roundTrip() throws {
        let full = TokenRecord(
            id: "0123456789abcdef", name: "full", prefix: "0badf00d", hash: "$argon2id$v=19$...",
            scopes: ["chat", "bridge:connect"], createdAt: referenceDate,
            expiresAt: referenceDate.addingTimeInterval(3600), lastUsedAt: referenceDate.addingTimeInterval(5),
            rateLimitRPM: 60, rateLimitTPD: 100_000, debugCapture: true, defaultVerbosity: "narrated", principal: "laptop")
        try tokens.insert(full)
        #expect(try tokens.find(byPrefix: "0badf00d") == full)
        #expect(try tokens.find(byID: "0123456789abcdef") == full)
        #expect(try tokens.find(byName: "full") == [full])
        #expect(try tokens.find(byPrefix: "ffffffff") == nil)
    }

    @Test("list and find(byName:) are newest first")
    func ordering() throws {
        try tokens.insert(record("a000000000000000", name: "same", prefix: "aaaaaaaa", created: 0))
        try tokens.insert(record("b000000000000000", name: "same", prefix: "bbbbbbbb", created: 10))
        try tokens.insert(record("c000000000000000", name: "other", prefix: "cccccccc", created: 5))
        #expect(try tokens.list().map(\.id) == ["b000000000000000", "c000000000000000", "a000000000000000"])
        #expect(try tokens.find(byName: "same").map(\.id) == ["b000000000000000", "a000000000000000"])
        #expect(try tokens.count() == 3)
    }

    @Test("a duplicate prefix is a constraint error")
    func duplicatePrefix() throws {
        try tokens.insert(record("a000000000000000", prefix: "aaaaaaaa"))
        let error = #expect(throws: StoreError.self) {
            try tokens.insert(record("b000000000000000", prefix: "aaaaaaaa"))
        }
        #expect(error?.kind == .constraint)
    }

    @Test("insertIfEmpty inserts only into an empty registry")
    func insertIfEmpty() throws {
        #expect(try tokens.insertIfEmpty(record("a000000000000000", prefix: "aaaaaaaa")))
        #expect(try !tokens.insertIfEmpty(record("b000000000000000", prefix: "bbbbbbbb")))
        #expect(try tokens.count() == 1)
    }

    @Test("replaceSecret, setDebugCapture, touchLastUsed and delete change one row")
    func updates() throws {
        try tokens.insert(record("a000000000000000", prefix: "aaaaaaaa"))
        #expect(try tokens.replaceSecret(id: "a000000000000000", prefix: "dddddddd", hash: "new"))
        #expect(try tokens.find(byPrefix: "aaaaaaaa") == nil)
        #expect(try tokens.find(byPrefix: "dddddddd")?.hash == "new")
        #expect(try tokens.setDebugCapture(id: "a000000000000000", enabled: true))
        #expect(try tokens.find(byID: "a000000000000000")?.debugCapture == true)
        try tokens.touchLastUsed(id: "a000000000000000", at: referenceDate)
        #expect(try tokens.find(byID: "a000000000000000")?.lastUsedAt == referenceDate)
        #expect(try !tokens.setDebugCapture(id: "ffffffffffffffff", enabled: true))
        #expect(try tokens.delete(id: "a000000000000000"))
        #expect(try !tokens.delete(id: "a000000000000000"))
        #expect(try tokens.count() == 0)
    }

    @Test("usage adds up per token and day, and goes with its token")
    func usageAccumulates() throws {
        try tokens.insert(record("a000000000000000", prefix: "aaaaaaaa"))
        try tokens.insert(record("b000000000000000", prefix: "bbbbbbbb"))
        try usage.record(tokenID: "a000000000000000", day: "2026-11-25", tokens: 10)
        try usage.record(tokenID: "a000000000000000", day: "2026-11-25", tokens: 5)
        try usage.record(tokenID: "a000000000000000", day: "2026-11-26", tokens: 7)
        try usage.record(tokenID: "b000000000000000", day: "2026-11-25", tokens: 1)
        #expect(try usage.total(tokenID: "a000000000000000", day: "2026-11-25") == 15)
        #expect(try usage.total(tokenID: "a000000000000000", day: "2026-11-26") == 7)
        #expect(try usage.total(tokenID: "b000000000000000", day: "2026-11-25") == 1)
        #expect(try usage.total(tokenID: "a000000000000000", day: "2026-11-24") == 0)

        try tokens.delete(id: "a000000000000000")
        #expect(try usage.total(tokenID: "a000000000000000", day: "2026-11-25") == 0)
        let error = #expect(throws: StoreError.self) {
            try usage.record(tokenID: "a000000000000000", day: "2026-11-25", tokens: 1)
        }
        #expect(error?.kind == .constraint)
    }

    @Test(
        "UTC days",
        arguments: [
            (0.0, "1970-01-01"), (86_399.0, "1970-01-01"), (86_400.0, "1970-01-02"), (-1.0, "1969-12-31"),
            (951_782_400.0, "2000-02-29"), (1_795_608_000.0, "2026-11-25"), (1_795_651_199.0, "2026-11-25"),
            (1_795_651_200.0, "2026-11-26"),
        ])
    func utcDays(seconds: Double, day: String) {
        #expect(UTCDay.string(for: Date(timeIntervalSince1970: seconds)) == day)
    }
}
