import CCProxyBridgeProtocol
import Testing

@Suite("Path policy")
struct PathPolicyTests {
    let builtIn = BridgePathPolicy(ignoreFile: nil)

    @Test(arguments: [".ssh", ".aws", ".gnupg", "id_rsa", "id_rsa.pub", "id_ed25519", "id_ed25519_sk", "id_ecdsa",
                      ".env", ".env.local", ".env.production", ".ccproxyignore"])
    func builtInNamesAreDenied(_ name: String) {
        #expect(builtIn.denies(name: name))
    }

    @Test(arguments: [".envrc", "env", "ssh", "my.env", "id_dsa", "README.md", ".git", ".sshx", "x.ssh"])
    func otherNamesPass(_ name: String) {
        #expect(!builtIn.denies(name: name))
    }

    @Test func everyComponentIsChecked() {
        #expect(builtIn.denies(components: ["home", ".ssh", "config"]))
        #expect(builtIn.denies(components: ["app", ".env.local"]))
        #expect(builtIn.denies(components: [".aws"]))
        #expect(!builtIn.denies(components: ["src", "main.swift"]))
        #expect(!builtIn.denies(components: []))
    }

    @Test func ignoreFilePatterns() {
        let policy = BridgePathPolicy(ignoreFile: """
            # secrets
            secrets/
              *.pem\t
            build

            /private
            """)
        #expect(policy.denies(name: "secrets"))
        #expect(policy.denies(components: ["a", "secrets", "b.txt"]))
        #expect(policy.denies(name: "server.pem"))
        #expect(policy.denies(name: "build"))
        #expect(policy.denies(name: "private"))
        #expect(!policy.denies(name: "# secrets"))
        #expect(!policy.denies(name: "builds"))
        #expect(policy.denies(name: ".ssh"), "the built-ins stay")
        #expect(policy.denies(name: ".ccproxyignore"), "the ignore file hides itself")
    }

    @Test func blankAndCommentOnlyFiles() {
        #expect(BridgePathPolicy(ignoreFile: "\n\n# c\n   \n").patterns.count == BridgePathPolicy(ignoreFile: nil).patterns.count)
    }
}

@Suite("Glob patterns (Go filepath.Match semantics)")
struct GlobPatternTests {
    @Test(arguments: [
        ("*", "anything", true), ("*", "", true), ("a*", "abc", true), ("a*", "ba", false),
        ("*.pem", "x.pem", true), ("*.pem", "x.pem.bak", false), ("a*b*c", "aXbYc", true), ("a*b*c", "aXbY", false),
        ("?", "a", true), ("?", "", false), ("??", "abc", false),
        ("[abc]", "b", true), ("[abc]", "d", false), ("[a-c]x", "bx", true), ("[^a-c]", "d", true), ("[!a-c]", "a", false),
        ("\\*", "*", true), ("\\*", "a", false), ("[]a]", "]", true),
        ("id_rsa*", "id_rsa", true), (".env.*", ".env.", true), (".env.*", ".env", false),
    ])
    func matches(_ pattern: String, _ name: String, _ expected: Bool) {
        #expect(GlobPattern(pattern).matches(name) == expected, "\(pattern) vs \(name)")
    }

    @Test(arguments: ["[abc", "a\\", "[a-", "[\\"])
    func malformedPatternsMatchNothing(_ pattern: String) {
        for name in ["", "a", "abc", "[abc", "a\\"] {
            #expect(!GlobPattern(pattern).matches(name), "\(pattern) vs \(name)")
        }
    }
}

@Suite("Bridge paths")
struct BridgePathTests {
    private func parse(_ s: String) throws -> [String] { try BridgePath(parsing: s).components }

    @Test func normalisation() throws {
        #expect(try parse("") == [])
        #expect(try parse(".") == [])
        #expect(try parse("/") == [])
        #expect(try parse("a/./b//c/") == ["a", "b", "c"])
        #expect(try parse("../x") == ["x"])
        #expect(try parse("/etc/passwd") == ["etc", "passwd"])
        #expect(try parse("a/../../b") == ["b"])
        #expect(BridgePath(components: ["a", "b"]).description == "a/b")
        #expect(BridgePath(components: ["a", "b"]).parent == BridgePath(components: ["a"]))
    }

    @Test func refusals() {
        #expect(throws: BridgeError.self) { try parse("a\u{0}b") }
        #expect(throws: BridgeError.self) { try parse(String(repeating: "a", count: 5000)) }
    }

    let root = ["home", "u", "proj"]

    @Test func relativeLinks() {
        #expect(BridgePath.resolveLink(target: "b", inDirectory: ["a"], rootComponents: root) == ["a", "b"])
        #expect(BridgePath.resolveLink(target: "../c/d", inDirectory: ["a"], rootComponents: root) == ["c", "d"])
        #expect(BridgePath.resolveLink(target: "./x/./y", inDirectory: [], rootComponents: root) == ["x", "y"])
        #expect(BridgePath.resolveLink(target: "..", inDirectory: [], rootComponents: root) == nil)
        #expect(BridgePath.resolveLink(target: "../../etc", inDirectory: ["a"], rootComponents: root) == nil)
        #expect(BridgePath.resolveLink(target: "a/../../x", inDirectory: [], rootComponents: root) == nil)
    }

    @Test func absoluteLinks() {
        #expect(BridgePath.resolveLink(target: "/home/u/proj/src", inDirectory: ["a"], rootComponents: root) == ["src"])
        #expect(BridgePath.resolveLink(target: "/home/u/proj", inDirectory: ["a"], rootComponents: root) == [])
        #expect(BridgePath.resolveLink(target: "/home/u/projects/x", inDirectory: [], rootComponents: root) == nil)
        #expect(BridgePath.resolveLink(target: "/etc/passwd", inDirectory: [], rootComponents: root) == nil)
        #expect(BridgePath.resolveLink(target: "/home/u/proj/../other", inDirectory: [], rootComponents: root) == nil)
    }
}
