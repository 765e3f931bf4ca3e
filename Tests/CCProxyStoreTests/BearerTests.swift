import CCProxyAuth
import Testing

@Suite("Bearer")
struct BearerTests {
    @Test("a generated bearer has the ccp format and parses back")
    func generateRoundTrips() throws {
        let bearer = Bearer.generate()
        let text = bearer.description
        #expect(text.count == 37)
        #expect(text.hasPrefix("ccp_"))
        let parsed = try #require(Bearer.parse(text))
        #expect(parsed == bearer)
        #expect(parsed.prefix.count == 8)
        #expect(parsed.secret.count == 24)
        #expect(Bearer.generate() != bearer)
    }

    @Test("a valid bearer splits into prefix and secret")
    func parsesParts() throws {
        let bearer = try #require(Bearer.parse("ccp_0123abcd_0123456789abcdef01234567"))
        #expect(bearer.prefix == "0123abcd")
        #expect(bearer.secret == "0123456789abcdef01234567")
    }

    @Test(
        "malformed bearers are refused",
        arguments: [
            "",
            "ccp_",
            "ccp_0123abcd_0123456789abcdef0123456",  // secret 23
            "ccp_0123abcd_0123456789abcdef012345678",  // secret 25
            "ccp_0123abc_0123456789abcdef012345678",  // prefix 7
            "ccp_0123abcde_0123456789abcdef0123456",  // prefix 9
            "ccp_0123ABCD_0123456789abcdef01234567",  // uppercase prefix
            "ccp_0123abcd_0123456789ABCDEF01234567",  // uppercase secret
            "ccp_0123abcg_0123456789abcdef01234567",  // non-hex
            "ccp_0123abcd_0123456789abcdef0123456z",
            "CCP_0123abcd_0123456789abcdef01234567",
            "xcp_0123abcd_0123456789abcdef01234567",
            "ccp-0123abcd_0123456789abcdef01234567",
            "ccp_0123abcd-0123456789abcdef01234567",
            " ccp_0123abcd_0123456789abcdef01234567",
            "ccp_0123abcd_0123456789abcdef01234567 ",
            "ccp_0123abcd_0123456789abcdef0123456é",
            "ccp_0123abcd_" + String(repeating: "a", count: 300),
        ])
    func refusesMalformed(text: String) {
        #expect(Bearer.parse(text) == nil)
    }
}
