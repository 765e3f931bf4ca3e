import CCPArgon2

/// argon2id password hashing (libargon2), one fresh random salt per hash.
///
/// The encoded form (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<digest>`) carries the parameters
/// and the salt, so hashes made with other parameters still verify after a change of defaults.
/// Hashing and verifying cost the same (≈ 40–60 ms with the defaults): verify once per token
/// and secret, and remember the answer (`TokenAuthority` does).
public struct Argon2id: SecretHasher {
    /// Cost and size parameters.
    public struct Parameters: Sendable, Equatable {
        /// Passes over memory (`t`).
        public var iterations: UInt32
        /// Memory in KiB (`m`).
        public var memoryKiB: UInt32
        /// Lanes (`p`).
        public var parallelism: UInt32
        /// Random salt bytes per hash.
        public var saltLength: Int
        /// Digest bytes.
        public var hashLength: Int

        public init(iterations: UInt32, memoryKiB: UInt32, parallelism: UInt32, saltLength: Int = 16, hashLength: Int = 32) {
            self.iterations = iterations
            self.memoryKiB = memoryKiB
            self.parallelism = parallelism
            self.saltLength = saltLength
            self.hashLength = hashLength
        }

        /// OWASP's argon2id baseline: t=2, m=19 MiB, p=1, 16-byte salt, 32-byte digest.
        public static let recommended = Parameters(iterations: 2, memoryKiB: 19 * 1024, parallelism: 1)

        /// The cheapest valid setting, for tests only.
        public static let minimal = Parameters(iterations: 1, memoryKiB: 8, parallelism: 1)
    }

    /// The parameters new hashes are made with.
    public var parameters: Parameters

    public init(parameters: Parameters = .recommended) {
        self.parameters = parameters
    }

    /// Hashes `secret` with a new random salt.
    ///
    /// - Throws: ``HashingError`` if libargon2 rejects the parameters or cannot allocate memory.
    public func hash(secret: String) throws(HashingError) -> String {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<parameters.saltLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let p = parameters
        let encodedLength = argon2_encodedlen(
            p.iterations, p.memoryKiB, p.parallelism, UInt32(p.saltLength), UInt32(p.hashLength), Argon2_id)
        var encoded = [CChar](repeating: 0, count: encodedLength)
        let password = Array(secret.utf8)
        let code = password.withUnsafeBytes { passwordBytes in
            salt.withUnsafeBytes { saltBytes in
                argon2id_hash_encoded(
                    p.iterations, p.memoryKiB, p.parallelism,
                    passwordBytes.baseAddress, passwordBytes.count,
                    saltBytes.baseAddress, saltBytes.count,
                    p.hashLength, &encoded, encodedLength)
            }
        }
        guard code == ARGON2_OK.rawValue else {
            throw HashingError(code: code, message: String(cString: argon2_error_message(code)))
        }
        let terminator = encoded.firstIndex(of: 0) ?? encoded.endIndex
        return String(decoding: encoded[..<terminator].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether `secret` matches the argon2id `encoded` hash (with the parameters it names).
    /// Hashes of other argon2 variants and malformed strings are `false`.
    public func verify(encoded: String, secret: String) -> Bool {
        let password = Array(secret.utf8)
        let code = password.withUnsafeBytes { passwordBytes in
            argon2id_verify(encoded, passwordBytes.baseAddress, passwordBytes.count)
        }
        return code == ARGON2_OK.rawValue
    }
}
