import CCProxyAuth
import Testing

@Suite("Argon2id")
struct Argon2idTests {
    @Test("recommended parameters: argon2id, t=2, m=19 MiB, p=1, and a verifiable hash")
    func recommended() throws {
        let hasher = Argon2id()
        let encoded = try hasher.hash(secret: "0123456789abcdef01234567")
        #expect(encoded.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"))
        #expect(hasher.verify(encoded: encoded, secret: "0123456789abcdef01234567"))
        #expect(!hasher.verify(encoded: encoded, secret: "0123456789abcdef01234568"))
    }

    @Test("every hash has its own salt")
    func randomSalt() throws {
        let hasher = Argon2id(parameters: .minimal)
        let first = try hasher.hash(secret: "same")
        let second = try hasher.hash(secret: "same")
        #expect(first != second)
        #expect(hasher.verify(encoded: first, secret: "same"))
        #expect(hasher.verify(encoded: second, secret: "same"))
    }

    @Test("a hash made with other parameters still verifies")
    func parametersTravelWithTheHash() throws {
        let encoded = try Argon2id(parameters: .minimal).hash(secret: "s")
        #expect(Argon2id().verify(encoded: encoded, secret: "s"))
    }

    @Test("malformed hashes do not verify", arguments: ["", "not a hash", "$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA"])
    func malformed(encoded: String) {
        #expect(!Argon2id(parameters: .minimal).verify(encoded: encoded, secret: "s"))
    }

    @Test("invalid parameters are a typed error")
    func invalidParameters() {
        let hasher = Argon2id(parameters: .init(iterations: 0, memoryKiB: 8, parallelism: 1))
        #expect(throws: HashingError.self) { try hasher.hash(secret: "s") }
    }
}
