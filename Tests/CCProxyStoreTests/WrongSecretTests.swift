import CCProxyAuth
import CCProxyCore
import CCProxyStore
import Foundation
import Testing

/// Wrong secrets stay cheap: remembered ones are not re-hashed, and past a budget per prefix
/// or per source unverified secrets are refused 429 without argon2, while a verified secret
/// of the same token still passes.
@Suite("Wrong secrets: negative cache and failure budgets")
struct WrongSecretTests {
    let fixture: AuthorityFixture
    var authority: TokenAuthority { fixture.authority }

    init() throws {
        fixture = try AuthorityFixture()
    }

    static func wrong(_ bearer: String, _ n: Int) throws -> String {
        let parsed = try #require(Bearer.parse(bearer))
        return "ccp_\(parsed.prefix)_" + String(format: "%024x", n + 1)
    }

    @Test("past the per-prefix budget: 429 with Retry-After, no hashing; the verified holder still passes")
    func perPrefixBudget() throws {
        let (_, bearer) = try authority.create(name: "victim", now: referenceDate)
        #expect(authority.authorize(bearer: bearer, requiredScope: "chat", now: referenceDate).success != nil)
        let hashedBefore = fixture.hasher.verifications
        for n in 0..<Limits.maxFailedSecretsPerPrefix {
            let refusal = authority.authorize(bearer: try Self.wrong(bearer, n), requiredScope: "chat", now: referenceDate).failure
            #expect(refusal?.reason == .wrongSecret, "attempt \(n)")
        }
        #expect(fixture.hasher.verifications == hashedBefore + Limits.maxFailedSecretsPerPrefix)
        let throttled = try #require(
            authority.authorize(bearer: try Self.wrong(bearer, 999), requiredScope: "chat", now: referenceDate).failure)
        #expect(throttled.reason == .throttled)
        #expect(throttled.error.status == 429)
        #expect((throttled.error.retryAfterSeconds ?? 0) >= 1)
        #expect(fixture.hasher.verifications == hashedBefore + Limits.maxFailedSecretsPerPrefix, "no argon2 once throttled")
        // The holder of the real secret was verified before: not locked out.
        #expect(authority.authorize(bearer: bearer, requiredScope: "chat", now: referenceDate).success != nil)
        // After the window, a wrong secret is hashed (and refused 401) again.
        let later = referenceDate.addingTimeInterval(Limits.failedSecretWindowSeconds + 1)
        #expect(authority.authorize(bearer: try Self.wrong(bearer, 1000), requiredScope: "chat", now: later).failure?.reason == .wrongSecret)
    }

    @Test("a repeated wrong secret is answered from memory until it expires")
    func negativeCache() throws {
        let (_, bearer) = try authority.create(name: "n", now: referenceDate)
        let wrong = try Self.wrong(bearer, 0)
        #expect(authority.authorize(bearer: wrong, requiredScope: "chat", now: referenceDate).failure?.reason == .wrongSecret)
        let hashed = fixture.hasher.verifications
        for _ in 0..<20 {
            #expect(authority.authorize(bearer: wrong, requiredScope: "chat", now: referenceDate).failure?.reason == .wrongSecret)
        }
        #expect(fixture.hasher.verifications == hashed)
        let later = referenceDate.addingTimeInterval(Limits.wrongSecretCacheSeconds + 1)
        #expect(authority.authorize(bearer: wrong, requiredScope: "chat", now: later).failure?.reason == .wrongSecret)
        #expect(fixture.hasher.verifications == hashed + 1)
    }

    @Test("past the per-source budget, that source is throttled for every prefix; another source is not")
    func perSourceBudget() throws {
        var bearers: [String] = []
        for i in 0..<(Limits.maxFailedSecretsPerSource / Limits.maxFailedSecretsPerPrefix + 2) {
            bearers.append(try authority.create(name: "t\(i)", now: referenceDate).bearer)
        }
        var failures = 0
        outer: for bearer in bearers {
            for n in 0..<(Limits.maxFailedSecretsPerPrefix - 1) {
                guard failures < Limits.maxFailedSecretsPerSource else { break outer }
                let refusal = authority.authorize(
                    bearer: try Self.wrong(bearer, n), requiredScope: "chat", source: "192.0.2.1", now: referenceDate
                ).failure
                #expect(refusal?.reason == .wrongSecret)
                failures += 1
            }
        }
        let last = try #require(bearers.last)
        let fromFlooder = authority.authorize(bearer: try Self.wrong(last, 500), requiredScope: "chat", source: "192.0.2.1", now: referenceDate)
        #expect(fromFlooder.failure?.reason == .throttled)
        let fromOther = authority.authorize(bearer: try Self.wrong(last, 501), requiredScope: "chat", source: "192.0.2.2", now: referenceDate)
        #expect(fromOther.failure?.reason == .wrongSecret)
        // A first-time correct secret from another source is hashed and accepted.
        #expect(authority.authorize(bearer: last, requiredScope: "chat", source: "192.0.2.2", now: referenceDate).success != nil)
    }

    @Test("rotating a throttled token gives its new bearer a clean budget")
    func rotateForgets() throws {
        let (_, bearer) = try authority.create(name: "r", now: referenceDate)
        for n in 0..<Limits.maxFailedSecretsPerPrefix {
            _ = authority.authorize(bearer: try Self.wrong(bearer, n), requiredScope: "chat", now: referenceDate)
        }
        #expect(authority.authorize(bearer: bearer, requiredScope: "chat", now: referenceDate).failure?.reason == .throttled)
        let (_, rotated) = try authority.rotate(idOrName: "r")
        #expect(authority.authorize(bearer: rotated, requiredScope: "chat", now: referenceDate).success != nil)
    }
}
