import CCProxyAuth
import CCProxyStore
import Foundation
import Testing

@Suite("TokenAuthority management")
struct TokenAuthorityTests {
    let fixture: AuthorityFixture
    var authority: TokenAuthority { fixture.authority }

    init() throws {
        fixture = try AuthorityFixture()
    }

    @Test("create stores every option; --bridge adds bridge:connect once")
    func createOptions() throws {
        let (record, bearer) = try authority.create(
            name: "  bridge  ", scopes: ScopeSet.parse("chat, bridge:connect"), ttl: 90 * 86_400, rpm: 1, tpd: 2,
            defaultVerbosity: "narrated", debugCapture: true, principal: "alice@laptop", bridge: true, now: referenceDate)
        #expect(record.name == "bridge")
        #expect(record.scopes == ["chat", "bridge:connect"])
        #expect(record.expiresAt == referenceDate.addingTimeInterval(90 * 86_400))
        #expect(record.createdAt == referenceDate)
        #expect(try authority.resolve(idOrName: record.id) == record)
        #expect(Bearer.parse(bearer)?.prefix == record.prefix)

        let plain = try authority.create(name: "p", bridge: true).record
        #expect(plain.scopes == ["chat", "bridge:connect"])
    }

    @Test("create refuses invalid arguments")
    func createValidation() {
        #expect(throws: TokenAuthorityError.emptyName) { try authority.create(name: "  ") }
        #expect(throws: TokenAuthorityError.negativeLimit("rpm")) { try authority.create(name: "a", rpm: -1) }
        #expect(throws: TokenAuthorityError.negativeLimit("tpd")) { try authority.create(name: "a", tpd: -1) }
        #expect(throws: TokenAuthorityError.nonPositiveTTL) { try authority.create(name: "a", ttl: 0) }
        #expect(throws: TokenAuthorityError.invalidVerbosity("loud")) {
            try authority.create(name: "a", defaultVerbosity: "loud")
        }
        #expect(throws: TokenAuthorityError.invalidPrincipal("a b")) { try authority.create(name: "a", principal: "a b") }
    }

    @Test("resolve: id first, then a unique name; ambiguity and absence are errors")
    func resolve() throws {
        let first = try authority.create(name: "dup").record
        let second = try authority.create(name: "dup").record
        let named = try authority.create(name: first.id).record  // a name that equals another token's id

        #expect(try authority.resolve(idOrName: first.id) == first)
        #expect(try authority.resolve(idOrName: second.id) == second)
        #expect(try authority.resolve(idOrName: named.id) == named)

        let ambiguous = #expect(throws: TokenAuthorityError.self) { try authority.resolve(idOrName: "dup") }
        #expect(ambiguous == .ambiguousName("dup", count: 2))
        #expect(ambiguous?.description == "ambiguous name \"dup\" matches 2 tokens; use the id")

        let missing = #expect(throws: TokenAuthorityError.self) { try authority.resolve(idOrName: "nope") }
        #expect(missing?.description == "token not found: nope")
        #expect(throws: TokenAuthorityError.notFound("nope")) { try authority.revoke(idOrName: "nope") }
        #expect(throws: TokenAuthorityError.notFound("nope")) { try authority.rotate(idOrName: "nope") }
        #expect(throws: TokenAuthorityError.notFound("nope")) { try authority.update(idOrName: "nope", debugCapture: true) }
    }

    @Test("list is newest first")
    func listOrder() throws {
        _ = try authority.create(name: "old", now: referenceDate)
        _ = try authority.create(name: "new", now: referenceDate.addingTimeInterval(1))
        #expect(try authority.list().map(\.name) == ["new", "old"])
    }

    @Test("rotate keeps everything but the prefix and hash")
    func rotateKeeps() throws {
        let (record, _) = try authority.create(
            name: "r", scopes: ScopeSet.parse("chat, admin"), ttl: 3600, rpm: 3, tpd: 4, defaultVerbosity: "verbose",
            debugCapture: true, principal: "p")
        let (rotated, bearer) = try authority.rotate(idOrName: "r")
        let stored = try authority.resolve(idOrName: record.id)
        #expect(stored == rotated)
        var expected = record
        expected.prefix = rotated.prefix
        expected.hash = rotated.hash
        #expect(stored == expected)
        #expect(rotated.hash != record.hash)
        #expect(Bearer.parse(bearer)?.prefix == rotated.prefix)
    }

    @Test("usage adds up per UTC day; zero and revoked tokens write nothing")
    func usage() throws {
        let (record, _) = try authority.create(name: "u")
        let lateEvening = referenceDate.addingTimeInterval(11 * 3600 + 59 * 60)  // 23:59 UTC
        try authority.recordUsage(tokenID: record.id, inputTokens: 100, outputTokens: 20, now: referenceDate)
        try authority.recordUsage(tokenID: record.id, inputTokens: 5, outputTokens: 0, now: lateEvening)
        try authority.recordUsage(tokenID: record.id, inputTokens: 0, outputTokens: 0, now: referenceDate)
        try authority.recordUsage(tokenID: record.id, inputTokens: -10, outputTokens: 1, now: lateEvening.addingTimeInterval(60))
        #expect(try authority.dailyUsage(tokenID: record.id, now: referenceDate) == 125)
        #expect(try authority.dailyUsage(tokenID: record.id, now: lateEvening.addingTimeInterval(60)) == 1)

        try authority.revoke(idOrName: record.id)
        try authority.recordUsage(tokenID: record.id, inputTokens: 1, outputTokens: 1, now: referenceDate)
        #expect(try authority.dailyUsage(tokenID: record.id, now: referenceDate) == 0)
    }
}
