/// Hashes and verifies bearer secrets.
///
/// ``Argon2id`` is the production implementation. `TokenAuthority` takes any hasher so that
/// tests can count verifications or use cheap parameters.
public protocol SecretHasher: Sendable {
    /// A self-describing encoded hash of `secret` (algorithm, parameters, salt and digest).
    func hash(secret: String) throws(HashingError) -> String

    /// Whether `secret` matches `encoded`. A malformed `encoded` string is `false`.
    func verify(encoded: String, secret: String) -> Bool
}

/// A hashing failure: the library's code and message.
public struct HashingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The library's result code (for libargon2, an `Argon2_ErrorCodes` value).
    public var code: Int32
    /// The library's explanation.
    public var message: String

    public init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "hashing failed (\(code)): \(message)" }
}
