import CCProxyCore

/// A ccproxy bearer token: `ccp_<prefix>_<secret>`, where the prefix is 8 and the secret 24
/// lowercase hex characters (4 and 12 random bytes).
///
/// The prefix is the public lookup key (stored in clear, shown nowhere but the database); the
/// secret is only ever stored as an argon2id hash.
public struct Bearer: Sendable, Hashable, CustomStringConvertible {
    /// Length of the hex prefix.
    public static let prefixLength = 8
    /// Length of the hex secret.
    public static let secretLength = 24
    /// `ccp_` + prefix + `_` + secret.
    public static let length = 4 + prefixLength + 1 + secretLength

    /// The 8 hex characters that identify the token.
    public let prefix: String
    /// The 24 hex characters that prove possession.
    public let secret: String

    /// Parses `text` strictly: exactly `ccp_`, 8 lowercase hex, `_`, 24 lowercase hex.
    ///
    /// Anything else (surrounding whitespace, uppercase hex, other lengths, more than
    /// `Limits.maxBearerBytes` bytes) is nil, before any lookup or hashing.
    public static func parse(_ text: String) -> Bearer? {
        let utf8 = text.utf8
        guard utf8.count <= Limits.maxBearerBytes, utf8.count == length else { return nil }
        let bytes = Array(utf8)
        guard bytes[0] == UInt8(ascii: "c"), bytes[1] == UInt8(ascii: "c"), bytes[2] == UInt8(ascii: "p"),
            bytes[3] == UInt8(ascii: "_"), bytes[4 + prefixLength] == UInt8(ascii: "_")
        else { return nil }
        let prefixBytes = bytes[4..<(4 + prefixLength)]
        let secretBytes = bytes[(5 + prefixLength)...]
        guard prefixBytes.allSatisfy(Hex.isLowercaseDigit), secretBytes.allSatisfy(Hex.isLowercaseDigit) else {
            return nil
        }
        return Bearer(
            prefix: String(decoding: prefixBytes, as: UTF8.self),
            secret: String(decoding: secretBytes, as: UTF8.self))
    }

    /// A new random bearer.
    public static func generate() -> Bearer {
        var generator = SystemRandomNumberGenerator()
        return generate(using: &generator)
    }

    /// A new bearer drawn from `generator` (tests pass a seeded one).
    public static func generate(using generator: inout some RandomNumberGenerator) -> Bearer {
        Bearer(
            prefix: Hex.random(byteCount: prefixLength / 2, using: &generator),
            secret: Hex.random(byteCount: secretLength / 2, using: &generator))
    }

    private init(prefix: String, secret: String) {
        self.prefix = prefix
        self.secret = secret
    }

    /// The bearer string, `ccp_<prefix>_<secret>`. It contains the secret: never log it.
    public var description: String { "ccp_\(prefix)_\(secret)" }
}
