// Runs in: the supervisor (`ccproxy serve`).

/// Requests-per-minute limits: one token bucket per bearer token, holding up to `perMinute`
/// requests and refilling at `perMinute / 60` per second (so a burst of `perMinute` is allowed,
/// then one request every `60 / perMinute` seconds). A limit of 0 means unlimited. A change
/// of a token's limit takes effect on its next request.
struct RequestRateLimiter {
    private struct Bucket {
        var capacity: Double
        var available: Double
        var updated: Double
    }

    private var buckets: [String: Bucket] = [:]
    /// Buckets idle this long are full again anyway and are dropped (bounded memory).
    private let idleSeconds: Double = 120

    /// Drops the token's bucket (the token was revoked: nothing of it is kept or saved).
    mutating func forget(tokenID: String) {
        buckets[tokenID] = nil
    }

    /// Takes one request from the token's bucket, if there is one. `now` is in seconds.
    mutating func allow(tokenID: String, perMinute: Int, now: Double) -> Bool {
        take(tokenID: tokenID, perMinute: perMinute, now: now) == nil
    }

    /// Takes one request from the token's bucket: nil when allowed, else the seconds until
    /// the next request will be (at least 1).
    mutating func take(tokenID: String, perMinute: Int, now: Double) -> Int? {
        takeReporting(tokenID: tokenID, perMinute: perMinute, now: now).retryAfter
    }

    /// Takes one request from the token's bucket. `retryAfter` is nil when allowed, else the
    /// seconds until the next request will be (at least 1); `remaining` is the whole requests
    /// left in the bucket afterwards (for `x-ratelimit-remaining-requests`; 0 when unlimited).
    mutating func takeReporting(tokenID: String, perMinute: Int, now: Double) -> (retryAfter: Int?, remaining: Int) {
        guard perMinute > 0 else {
            buckets[tokenID] = nil
            return (nil, 0)
        }
        var bucket = refilled(tokenID: tokenID, perMinute: perMinute, now: now)
        guard bucket.available >= 1 else {
            buckets[tokenID] = bucket
            // (The epsilon keeps float noise from rounding an exact 10 s up to 11.)
            let wait = max(1, Int(((1 - bucket.available) * 60 / bucket.capacity - 1e-9).rounded(.up)))
            return (wait, 0)
        }
        bucket.available -= 1
        buckets[tokenID] = bucket
        return (nil, Int(bucket.available.rounded(.down)))
    }

    /// The whole requests the token's bucket holds now, without taking one.
    func remaining(tokenID: String, perMinute: Int, now: Double) -> UInt64 {
        guard perMinute > 0 else { return 0 }
        guard let bucket = buckets[tokenID] else { return UInt64(perMinute) }
        let available = min(Double(perMinute), bucket.available + max(0, now - bucket.updated) * Double(perMinute) / 60)
        return UInt64(max(0, available.rounded(.down)))
    }

    /// Every bucket: (token id, capacity, available, last update in seconds).
    func snapshot() -> [(tokenID: String, capacity: Double, available: Double, updated: Double)] {
        buckets.map { (tokenID: $0.key, capacity: $0.value.capacity, available: $0.value.available, updated: $0.value.updated) }
    }

    /// Puts back a bucket saved by `snapshot()` (at start, before any request).
    mutating func restore(tokenID: String, capacity: Double, available: Double, updated: Double) {
        guard capacity > 0 else { return }
        buckets[tokenID] = Bucket(capacity: capacity, available: min(max(0, available), capacity), updated: updated)
    }

    private mutating func refilled(tokenID: String, perMinute: Int, now: Double) -> Bucket {
        if buckets.count > 4096 { buckets = buckets.filter { now - $0.value.updated < idleSeconds } }
        let capacity = Double(perMinute)
        var bucket = buckets[tokenID] ?? Bucket(capacity: capacity, available: capacity, updated: now)
        if bucket.capacity != capacity {
            bucket.capacity = capacity
            bucket.available = min(bucket.available, capacity)
        }
        bucket.available = min(capacity, bucket.available + max(0, now - bucket.updated) * capacity / 60)
        bucket.updated = now
        return bucket
    }
}
