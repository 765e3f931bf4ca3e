import CCProxyAuth
import CCProxyStore
import CCProxyWire
import Foundation
import Logging
import Testing

@testable import CCProxySupervisor

/// The admin socket's token operations as the authority thread performs them: the replies,
/// the CLI's error messages, and the gate seeing each change on its very next authorization.
@Suite struct TokenAdministrationTests {
    let gate: TokenGate

    init() throws {
        let directory = NSTemporaryDirectory() + "ccproxy-admin-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let database = try Database(path: directory + "/tokens.db")
        try Migrator.ccproxy.migrate(database)
        let authority = TokenAuthority(
            storage: TokenAuthority.Storage(tokens: TokenStore(database: database), usage: UsageStore(database: database)),
            hasher: Argon2id(parameters: .minimal))
        gate = TokenGate(authority: authority, logger: Logger(label: "test"))
    }

    func created(_ request: TokenCreateRequest) throws -> (TokenReport, String) {
        guard case .tokenCreated(let report, let bearer) = gate.administer(.tokenCreate(request)) else {
            throw AdminTestFailure(reply: "no tokenCreated")
        }
        return (report, bearer)
    }

    func status(_ bearer: String) -> Int {
        switch gate.authorize(bearer: bearer, scope: "chat", source: nil) {
        case .success: 200
        case .failure(let refusal): refusal.error.status
        }
    }

    @Test func createListRotateRevokeAreSeenByTheNextAuthorization() throws {
        let (report, bearer) = try created(
            TokenCreateRequest(name: "ci", scopes: "chat,workspace:*", ttl: "1h", rpm: 5, maxConcurrent: 2, principal: "alice"))
        #expect(report.name == "ci" && report.scopes == ["chat", "workspace:*"] && report.rpm == 5)
        #expect(report.maxConcurrent == 2 && report.principal == "alice" && report.expiresAt != nil)
        #expect(status(bearer) == 200)
        guard case .tokens(let listed) = gate.administer(.tokenList) else {
            Issue.record("list did not answer tokens")
            return
        }
        #expect(listed.map(\.id) == [report.id] && listed[0].lastUsedAt != nil)  // used just now

        guard case .tokenRotated(let rotated, let newBearer) = gate.administer(.tokenRotate(idOrName: "ci")) else {
            Issue.record("rotate did not answer tokenRotated")
            return
        }
        #expect(rotated.id == report.id && newBearer != bearer)
        // The old bearer was verified (cached) before: the rotation dropped that.
        #expect(status(bearer) == 401)
        #expect(status(newBearer) == 200)

        guard case .tokenRevoked(let revoked) = gate.administer(.tokenRevoke(idOrName: report.id)) else {
            Issue.record("revoke did not answer tokenRevoked")
            return
        }
        #expect(revoked.id == report.id)
        #expect(status(newBearer) == 401)
        #expect(gate.administer(.tokenList) == .tokens([]))
    }

    @Test func updateChangesEverySettingAndClears() throws {
        let (report, bearer) = try created(TokenCreateRequest(name: "u", defaultVerbosity: "verbose", principal: "p"))
        let update = TokenUpdateRequest(
            idOrName: "u", scopes: "chat,session:persistent", rpm: 1, tpd: 1000, maxConcurrent: 3, defaultVerbosity: .clear,
            debugCapture: true, principal: .set("q"))
        guard case .tokenUpdated(let updated) = gate.administer(.tokenUpdate(update)) else {
            Issue.record("update did not answer tokenUpdated")
            return
        }
        #expect(updated.id == report.id && updated.scopes == ["chat", "session:persistent"])
        #expect(updated.rpm == 1 && updated.tpd == 1000 && updated.maxConcurrent == 3 && updated.debugCapture)
        #expect(updated.defaultVerbosity == nil && updated.principal == "q")
        // rpm 1 holds from the next request on.
        #expect(status(bearer) == 200)
        #expect(status(bearer) == 429)
    }

    @Test func failuresAreErrorRepliesWithTheCLIsMessages() throws {
        #expect(gate.administer(.tokenRevoke(idOrName: "nobody")).errorMessage?.contains("nobody") == true)
        #expect(gate.administer(.tokenCreate(TokenCreateRequest(name: "x", scopes: "bogus"))).errorMessage?.contains("bogus") == true)
        #expect(gate.administer(.tokenCreate(TokenCreateRequest(name: "x", ttl: "soon"))).errorMessage?.contains("soon") == true)
        #expect(gate.administer(.tokenUpdate(TokenUpdateRequest(idOrName: "x"))).errorMessage == "nothing to update")
        #expect(gate.administer(.status).errorMessage != nil)
        #expect(gate.administer(.tokenList) == .tokens([]))
    }
}

struct AdminTestFailure: Error {
    var reply: String
}

extension AdminReply {
    var errorMessage: String? {
        if case .error(let message) = self { return message }
        return nil
    }
}
