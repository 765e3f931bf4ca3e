import CCProxyCore
import CCProxyAuth
import CCProxyStore
import Foundation
import Testing

@Suite("TokenAuthority.seedIfEmpty")
struct SeedTests {
    let fixture: AuthorityFixture
    var authority: TokenAuthority { fixture.authority }

    init() throws {
        fixture = try AuthorityFixture()
    }

    @Test("an empty registry without CCPROXY_TOKEN mints a chat-only bearer", arguments: [nil, "", "  \n"])
    func mints(environment: String?) throws {
        let outcome = authority.seedIfEmpty(environmentToken: environment)
        guard case .minted(let bearer) = outcome else {
            Issue.record("expected .minted, got \(outcome)")
            return
        }
        let identity = try authority.authorize(bearer: bearer, requiredScope: "chat").get()
        #expect(identity.name == "auto-seed (first boot)")
        #expect(identity.scopes == ["chat"])
        #expect(authority.authorize(bearer: bearer, requiredScope: "session:persistent").failure?.error.status == 403)
        #expect(authority.seedIfEmpty(environmentToken: nil) == .populated)
        #expect(try authority.list().count == 1)
    }

    @Test("CCPROXY_TOKEN is stored under its own secret")
    func seedsFromEnvironment() throws {
        let bearer = Bearer.generate().description
        #expect(authority.seedIfEmpty(environmentToken: " \(bearer)\n") == .seeded(name: "seed (CCPROXY_TOKEN)"))
        let identity = try authority.authorize(bearer: bearer, requiredScope: "chat").get()
        #expect(identity.name == "seed (CCPROXY_TOKEN)")
        #expect(identity.scopes == ["chat"])
        let record = try authority.resolve(idOrName: identity.id)
        #expect(record.expiresAt == nil)
        #expect(record.rateLimitRPM == 0 && record.rateLimitTPD == 0)
    }

    @Test("a malformed CCPROXY_TOKEN seeds nothing and mints nothing")
    func invalidSeed() throws {
        let outcome = authority.seedIfEmpty(environmentToken: "ccp_NOTVALID")
        #expect(outcome == .invalidSeed)
        #expect(outcome.logMessage?.hasPrefix("could not seed token DB from CCPROXY_TOKEN") == true)
        #expect(try authority.list().isEmpty)
    }

    @Test("a populated registry is left alone")
    func populated() throws {
        _ = try authority.create(name: "existing")
        #expect(authority.seedIfEmpty(environmentToken: Bearer.generate().description) == .populated)
        #expect(authority.seedIfEmpty(environmentToken: nil) == .populated)
        #expect(try authority.list().map(\.name) == ["existing"])
    }

    @Test("the checked variant reports the same outcomes")
    func checked() throws {
        #expect(try authority.checkedSeedIfEmpty(environmentToken: "nope") == .invalidSeed)
        #expect(try authority.checkedSeedIfEmpty(environmentToken: nil).bearer != nil)
        #expect(try authority.checkedSeedIfEmpty(environmentToken: nil) == .populated)
    }

    @Test("the first-boot banner")
    func banner() {
        let bar = String(repeating: "=", count: 72)
        let text = SeedOutcome.firstBootBanner(bearer: "ccp_x_y")
        #expect(
            text == """

                \(bar)
                  ccproxy: no tokens in store — auto-minted a first bearer.
                  name:   auto-seed (first boot)
                  bearer: ccp_x_y
                  COPY THIS NOW — it is not recoverable. Rotate via `ccproxy token`.
                \(bar)


                """)
    }
}

extension SeedOutcome {
    fileprivate var bearer: String? {
        if case .minted(let bearer) = self { return bearer }
        return nil
    }
}
