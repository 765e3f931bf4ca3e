import CCProxyCore
import Testing

@Suite("JSONValue rendering")
struct JSONRenderingTests {
    @Test("keys are sorted whatever order the document had")
    func sortedKeys() throws {
        let a = try JSONValue.parse(Array(#"{"zeta":1,"alpha":{"y":2,"b":3},"mid":[]}"#.utf8))
        let b = try JSONValue.parse(Array(#"{"mid":[],"alpha":{"b":3,"y":2},"zeta":1}"#.utf8))
        #expect(a.rendered(.compact) == #"{"alpha":{"b":3,"y":2},"mid":[],"zeta":1}"#)
        #expect(b.rendered(.compact) == a.rendered(.compact))
        #expect(a.rendered(.pretty) == "{\n  \"alpha\": {\n    \"b\": 3,\n    \"y\": 2\n  },\n  \"mid\": [],\n  \"zeta\": 1\n}")
        #expect(b.rendered(.pretty) == a.rendered(.pretty))
    }

    @Test(
        "numbers: integers without a fraction, others in shortest form, non-finite as null",
        arguments: [
            (3.0, "3"), (-2, "-2"), (0, "0"), (-0.0, "0"), (1.5, "1.5"), (0.1, "0.1"), (1e20, "1e+20"),
            (9_007_199_254_740_992, "9007199254740992"), (.infinity, "null"), (.nan, "null"),
        ] as [(Double, String)]
    )
    func numbers(value: Double, expected: String) {
        #expect(JSONValue.number(value).rendered(.compact) == expected)
    }

    @Test("strings are escaped; scalars and empty containers")
    func scalars() throws {
        #expect(JSONValue.string("a\"b\\c\n\u{1}é/").rendered(.compact) == #""a\"b\\c\n\u0001é/""#)
        #expect(JSONValue.array([.null, .bool(true), .bool(false)]).rendered(.compact) == "[null,true,false]")
        #expect(JSONValue.object([:]).rendered(.pretty) == "{}")
        #expect(JSONValue.array([]).rendered(.pretty) == "[]")
        #expect(JSONValue.array([.array([.number(1)])]).rendered(.pretty) == "[\n  [\n    1\n  ]\n]")
        // What we render reads back as the same value.
        let value = JSONValue.object(["k": .array([.string("\u{2028}x"), .number(-1.25), .object(["n": .null])])])
        for layout in [JSONLayout.compact, .pretty] {
            #expect(try JSONValue.parse(Array(value.rendered(layout).utf8)) == value)
        }
    }
}
