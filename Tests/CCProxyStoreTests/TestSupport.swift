import CCProxyAuth
import CCProxyStore
import Foundation
import CCProxyPosix

/// A directory under the system temporary directory, removed when released.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "ccproxy-store-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    var databasePath: String { path + "/tokens.db" }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Cheap argon2id that counts how often it hashes and verifies.
final class CountingHasher: SecretHasher {
    private let inner = Argon2id(parameters: .minimal)
    private let counts = Locked((hashes: 0, verifications: 0))

    var verifications: Int { counts.withLock { $0.verifications } }
    var hashes: Int { counts.withLock { $0.hashes } }

    func hash(secret: String) throws(HashingError) -> String {
        counts.withLock { $0.hashes += 1 }
        return try inner.hash(secret: secret)
    }

    func verify(encoded: String, secret: String) -> Bool {
        counts.withLock { $0.verifications += 1 }
        return inner.verify(encoded: encoded, secret: secret)
    }
}

/// A fixed instant for tests: 2026-11-25T12:00:00Z.
let referenceDate = Date(timeIntervalSince1970: 1_795_608_000)

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }

    var success: Success? {
        if case .success(let value) = self { return value }
        return nil
    }
}

/// An authority on a fresh database file, with a counting hasher.
struct AuthorityFixture {
    let directory: TemporaryDirectory
    let hasher: CountingHasher
    let authority: TokenAuthority

    init(cacheCapacity: Int = TokenAuthority.defaultCacheCapacity) throws {
        directory = try TemporaryDirectory()
        hasher = CountingHasher()
        authority = try TokenAuthority(databasePath: directory.databasePath, hasher: hasher, cacheCapacity: cacheCapacity)
    }

    /// A second authority on the same file, as another process would open it.
    func otherProcess() throws -> TokenAuthority {
        try TokenAuthority(databasePath: directory.databasePath, hasher: CountingHasher())
    }
}
