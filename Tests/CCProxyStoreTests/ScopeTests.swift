import CCProxyCore
import CCProxyAuth
import Testing

@Suite("Scopes")
struct ScopeTests {
    @Test("a list is trimmed, empties skipped, duplicates dropped, order kept")
    func parsesList() throws {
        let set = try ScopeSet.parse(" chat ,, workspace:docs,chat, bridge:connect ")
        #expect(set.strings == ["chat", "workspace:docs", "bridge:connect"])
        #expect(set.description == "chat, workspace:docs, bridge:connect")
    }

    @Test("an empty list means chat", arguments: ["", " ", ",", " , ,"])
    func emptyMeansChat(text: String) throws {
        #expect(try ScopeSet.parse(text).strings == ["chat"])
    }

    @Test("every known scope parses")
    func knownScopes() throws {
        let set = try ScopeSet.parse("chat, session:persistent, admin, workspace:*, workspace:a, bridge:connect")
        #expect(set.scopes == [.chat, .sessionPersistent, .admin, .anyWorkspace, .workspace("a"), .bridgeConnect])
    }

    @Test("an unknown scope is named in the error", arguments: ["read", "workspace:", "Chat", "bridge"])
    func unknownScope(scope: String) {
        let error = #expect(throws: ScopeError.self) { try ScopeSet.parse("chat, \(scope)") }
        #expect(error?.scope == scope)
        #expect(error?.description.hasPrefix("unknown scope \"\(scope)\"") == true)
    }

    @Test("grants is exact, except that workspace:* covers every workspace")
    func grants() throws {
        let wildcard = try ScopeSet.parse("chat, workspace:*")
        #expect(wildcard.grants("chat"))
        #expect(wildcard.grants("workspace:docs"))
        #expect(wildcard.grants("workspace:*"))
        #expect(!wildcard.grants("session:persistent"))
        #expect(!wildcard.grants("bridge:connect"))

        let one = try ScopeSet.parse("workspace:docs")
        #expect(one.grants("workspace:docs"))
        #expect(!one.grants("workspace:other"))
        #expect(!one.grants("workspace:*"))
        #expect(!one.grants("chat"))
    }

    @Test("inserting keeps the set free of duplicates")
    func inserting() {
        #expect(ScopeSet([.chat, .bridgeConnect]).inserting(.bridgeConnect).strings == ["chat", "bridge:connect"])
        #expect(ScopeSet.default.inserting(.bridgeConnect).strings == ["chat", "bridge:connect"])
    }
}
