import CCProxyCore
import CCProxyWire
import Testing

/// Who owns a token's sessions and claude home.
@Suite struct TokenGrantOwnerTests {
    @Test func aPrincipalOwnsForAllItsTokens() {
        let a = TokenGrant(tokenID: "aa11", name: "laptop", scopes: [], principal: "alice")
        let b = TokenGrant(tokenID: "bb22", name: "phone", scopes: [], principal: "alice")
        #expect(a.owner == "principal:alice" && a.owner == b.owner)
        #expect(a.ownerDirectoryName == "p-616c696365" && a.ownerDirectoryName == b.ownerDirectoryName)
    }

    @Test func aTokenWithoutPrincipalOwnsAlone() {
        let a = TokenGrant(tokenID: "aa11", name: "x", scopes: [])
        let empty = TokenGrant(tokenID: "bb22", name: "y", scopes: [], principal: "")
        #expect(a.owner == "token:aa11" && a.ownerDirectoryName == "t-aa11")
        #expect(empty.owner == "token:bb22", "an empty principal is none")
    }

    @Test func theWireBoundIsTheCoreLimit() {
        #expect(TokenGrant.maxPrincipalBytes == Limits.maxPrincipalBytes)
    }

    @Test func directoryNamesNeverLeaveTheirDirectory() {
        let odd = TokenGrant(tokenID: "../x", name: "", scopes: [], principal: "../../etc")
        #expect(!odd.ownerDirectoryName.contains("/") && !odd.ownerDirectoryName.contains(".."))
        let long = TokenGrant(tokenID: "cc33", name: "", scopes: [], principal: String(repeating: "p", count: Limits.maxPrincipalBytes + 1))
        #expect(long.ownerDirectoryName == "t-cc33", "an over-long principal from an old database falls back to the token")
        let forged = TokenGrant(tokenID: "../x", name: "", scopes: [])
        #expect(forged.ownerDirectoryName == "t-", "non-hex characters of an id are dropped")
    }
}
