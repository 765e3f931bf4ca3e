import CCProxyAuth
import CCProxyCore
import CCProxyStore
import Foundation
import Testing

@Suite("TokenAuthority.authorize")
struct AuthorizationTests {
    let fixture: AuthorityFixture
    var authority: TokenAuthority { fixture.authority }

    init() throws {
        fixture = try AuthorityFixture()
    }

    @Test("a new token authorizes and tells the worker who it is")
    func createThenAuthorize() throws {
        let (record, bearer) = try authority.create(
            name: "alice", scopes: ScopeSet.parse("chat, workspace:docs"), rpm: 60, tpd: 1000,
            defaultVerbosity: "verbose", debugCapture: true, principal: "laptop", now: referenceDate)
        let identity = try authority.authorize(bearer: bearer, requiredScope: "chat", now: referenceDate).get()
        #expect(
            identity
                == TokenIdentity(
                    id: record.id, name: "alice", scopes: ["chat", "workspace:docs"], principal: "laptop",
                    debugCapture: true, defaultVerbosity: "verbose", rateLimitRPM: 60, rateLimitTPD: 1000))
        #expect(identity.grants("workspace:docs"))
        #expect(record.id.count == 16)
        #expect(record.hash.hasPrefix("$argon2id$"))
        #expect(!record.hash.contains(try #require(Bearer.parse(bearer)).secret))
    }

    @Test("a wrong secret, an unknown prefix and a malformed bearer are 401")
    func refusals() throws {
        let (_, bearer) = try authority.create(name: "a")
        let parsed = try #require(Bearer.parse(bearer))
        let wrongSecret = "ccp_\(parsed.prefix)_" + String(repeating: "0", count: 24)
        let unknown = "ccp_ffffffff_" + parsed.secret

        let cases: [(String, AuthRefusal.Reason)] = [
            (wrongSecret, .wrongSecret), (unknown, .unknown), ("ccp_nothex!!_0", .malformed),
            (bearer.uppercased(), .malformed), ("", .malformed),
        ]
        for (text, reason) in cases {
            let refusal = try #require(authority.authorize(bearer: text, requiredScope: "chat").failure)
            #expect(refusal.reason == reason)
            #expect(refusal.error == .unauthorized("invalid bearer token"))
            #expect(refusal.error.status == 401)
        }
    }

    @Test("an expired token is 401 from its expiry on")
    func expiry() throws {
        let (_, bearer) = try authority.create(name: "short", ttl: TimeToLive.parse("30m"), now: referenceDate)
        #expect(authority.authorize(bearer: bearer, requiredScope: "chat", now: referenceDate.addingTimeInterval(1799)).success != nil)
        let refusal = authority.authorize(bearer: bearer, requiredScope: "chat", now: referenceDate.addingTimeInterval(1800)).failure
        #expect(refusal?.reason == .expired)
        #expect(refusal?.error.status == 401)
    }

    @Test("a missing scope is 403 naming it")
    func missingScope() throws {
        let (_, bearer) = try authority.create(name: "chat only")
        let refusal = try #require(authority.authorize(bearer: bearer, requiredScope: "session:persistent").failure)
        #expect(refusal.reason == .missingScope)
        #expect(refusal.error == .forbidden("token missing required scope: session:persistent"))
        #expect(refusal.error.status == 403)
    }

    @Test("workspace:* grants any workspace, and only workspaces")
    func workspaceWildcard() throws {
        let (_, bearer) = try authority.create(name: "ws", scopes: ScopeSet.parse("workspace:*"))
        #expect(authority.authorize(bearer: bearer, requiredScope: "workspace:docs").success != nil)
        #expect(authority.authorize(bearer: bearer, requiredScope: "workspace:anything-else").success != nil)
        #expect(authority.authorize(bearer: bearer, requiredScope: "chat").failure?.reason == .missingScope)
    }

    @Test("argon2 runs once per token and secret; a repeated wrong secret is answered from memory")
    func argon2Once() throws {
        let (_, bearer) = try authority.create(name: "a")
        #expect(fixture.hasher.verifications == 0)
        for _ in 0..<5 {
            #expect(authority.authorize(bearer: bearer, requiredScope: "chat").success != nil)
        }
        #expect(fixture.hasher.verifications == 1)

        let parsed = try #require(Bearer.parse(bearer))
        let wrong = "ccp_\(parsed.prefix)_" + String(repeating: "e", count: 24)
        for _ in 0..<3 {
            #expect(authority.authorize(bearer: wrong, requiredScope: "chat").failure?.reason == .wrongSecret)
        }
        #expect(fixture.hasher.verifications == 2, "the same wrong secret is hashed once")
        #expect(authority.authorize(bearer: bearer, requiredScope: "chat").success != nil)
        #expect(fixture.hasher.verifications == 2)
        // A 403 still authenticates from the cache.
        #expect(authority.authorize(bearer: bearer, requiredScope: "admin").failure?.reason == .missingScope)
        #expect(fixture.hasher.verifications == 2)
    }

    @Test("revoke takes effect on the next request even with a warm cache")
    func revokeWithWarmCache() throws {
        let (record, bearer) = try authority.create(name: "a")
        #expect(authority.authorize(bearer: bearer, requiredScope: "chat").success != nil)
        try authority.revoke(idOrName: record.id)
        #expect(authority.authorize(bearer: bearer, requiredScope: "chat").failure?.reason == .unknown)
    }

    @Test("rotate: the old bearer is 401, the new one authorizes as the same token")
    func rotate() throws {
        let (record, old) = try authority.create(name: "a", scopes: ScopeSet.parse("chat, session:persistent"), rpm: 5)
        #expect(authority.authorize(bearer: old, requiredScope: "chat").success != nil)
        let (rotated, new) = try authority.rotate(idOrName: "a")
        #expect(rotated.id == record.id)
        #expect(rotated.prefix != record.prefix)
        #expect(authority.authorize(bearer: old, requiredScope: "chat").failure?.error.status == 401)
        let identity = try authority.authorize(bearer: new, requiredScope: "session:persistent").get()
        #expect(identity.id == record.id)
        #expect(identity.rateLimitRPM == 5)
    }

    @Test("debug capture changes are seen by the next authorization")
    func updateDebugCapture() throws {
        let (_, bearer) = try authority.create(name: "a")
        #expect(try authority.authorize(bearer: bearer, requiredScope: "chat").get().debugCapture == false)
        try authority.update(idOrName: "a", debugCapture: true)
        #expect(try authority.authorize(bearer: bearer, requiredScope: "chat").get().debugCapture == true)
        #expect(fixture.hasher.verifications == 1)
    }

    @Test("changes made by another process are seen on the next request")
    func anotherProcess() throws {
        let cli = try fixture.otherProcess()
        let (record, bearer) = try cli.create(name: "shared")
        let other = try cli.create(name: "other")
        #expect(authority.authorize(bearer: bearer, requiredScope: "chat").success != nil)
        #expect(authority.authorize(bearer: other.bearer, requiredScope: "chat").success != nil)

        try cli.update(idOrName: record.id, debugCapture: true)
        #expect(try authority.authorize(bearer: bearer, requiredScope: "chat").get().debugCapture)

        try cli.revoke(idOrName: record.id)
        #expect(authority.authorize(bearer: bearer, requiredScope: "chat").failure?.error.status == 401)

        let (_, rotated) = try cli.rotate(idOrName: "other")
        #expect(authority.authorize(bearer: other.bearer, requiredScope: "chat").failure?.error.status == 401)
        #expect(authority.authorize(bearer: rotated, requiredScope: "chat").success != nil)
    }

    @Test("last_used_at is written at most once a minute")
    func lastUsed() throws {
        let (record, bearer) = try authority.create(name: "a", now: referenceDate)
        func lastUsed() throws -> Date? { try authority.resolve(idOrName: record.id).lastUsedAt }
        #expect(try lastUsed() == nil)
        _ = authority.authorize(bearer: bearer, requiredScope: "chat", now: referenceDate)
        #expect(try lastUsed() == referenceDate)
        _ = authority.authorize(bearer: bearer, requiredScope: "chat", now: referenceDate.addingTimeInterval(59))
        #expect(try lastUsed() == referenceDate)
        _ = authority.authorize(bearer: bearer, requiredScope: "chat", now: referenceDate.addingTimeInterval(60))
        #expect(try lastUsed() == referenceDate.addingTimeInterval(60))
        // A failed authentication does not count as use.
        let parsed = try #require(Bearer.parse(bearer))
        _ = authority.authorize(
            bearer: "ccp_\(parsed.prefix)_" + String(repeating: "0", count: 24), requiredScope: "chat",
            now: referenceDate.addingTimeInterval(600))
        #expect(try lastUsed() == referenceDate.addingTimeInterval(60))
    }

    @Test("the verified-secret cache is bounded")
    func boundedCache() throws {
        let small = try AuthorityFixture(cacheCapacity: 2)
        var bearers: [String] = []
        for index in 0..<3 {
            bearers.append(try small.authority.create(name: "t\(index)").bearer)
        }
        for bearer in bearers {
            #expect(small.authority.authorize(bearer: bearer, requiredScope: "chat").success != nil)
        }
        #expect(small.authority.verifiedCacheCount == 2)
        #expect(small.hasher.verifications == 3)
        // The oldest was evicted and is verified again; the newest is still cached.
        _ = small.authority.authorize(bearer: bearers[2], requiredScope: "chat")
        #expect(small.hasher.verifications == 3)
        _ = small.authority.authorize(bearer: bearers[0], requiredScope: "chat")
        #expect(small.hasher.verifications == 4)
    }

    @Test("concurrent requests are safe")
    func concurrent() async throws {
        let (_, bearer) = try authority.create(name: "a")
        let authority = self.authority
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<32 {
                group.addTask { authority.authorize(bearer: bearer, requiredScope: "chat").success != nil }
            }
            for try await ok in group {
                #expect(ok)
            }
        }
    }
}
