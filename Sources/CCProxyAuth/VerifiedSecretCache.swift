/// The (prefix, stored hash, secret) triples whose argon2id check already succeeded.
///
/// It remembers only that a check passed, never a token's state: revocation, rotation,
/// expiry and scopes are read from the database on every request, and a hit requires the
/// stored hash to be the one that was verified, so a rotated or re-issued row is verified
/// afresh. Secrets are compared in constant time. The oldest entry is dropped when full.
struct VerifiedSecretCache {
    private struct Entry {
        var hash: String
        var secret: [UInt8]
    }

    /// Most entries kept.
    let capacity: Int
    private var entries: [String: Entry] = [:]
    private var insertionOrder: [String] = []

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// The number of entries.
    var count: Int { entries.count }

    /// Whether `secret` was verified against `hash` for `prefix`.
    func contains(prefix: String, hash: String, secret: String) -> Bool {
        guard let entry = entries[prefix], entry.hash == hash else { return false }
        return ConstantTime.equals(entry.secret, secret.utf8)
    }

    /// Remembers a successful verification, replacing what was known for `prefix`.
    mutating func insert(prefix: String, hash: String, secret: String) {
        if entries[prefix] == nil {
            while entries.count >= capacity, !insertionOrder.isEmpty {
                entries[insertionOrder.removeFirst()] = nil
            }
            insertionOrder.append(prefix)
        }
        entries[prefix] = Entry(hash: hash, secret: Array(secret.utf8))
    }

    /// Forgets `prefix` (its token is gone or its hash changed).
    mutating func remove(prefix: String) {
        guard entries.removeValue(forKey: prefix) != nil else { return }
        insertionOrder.removeAll { $0 == prefix }
    }
}
