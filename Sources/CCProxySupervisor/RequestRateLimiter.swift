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

    /// Takes one request from the token's bucket, if there is one. `now` is in seconds.
    mutating func allow(tokenID: String, perMinute: Int, now: Double) -> Bool {
        take(tokenID: tokenID, perMinute: perMinute, now: now) == nil
    }

    /// Takes one request from the token's bucket: nil when allowed, else the seconds until
    /// the next request will be (at least 1).
    mutating func take(tokenID: String, perMinute: Int, now: Double) -> Int? {
        guard perMinute > 0 else {
            buckets[tokenID] = nil
            return nil
        }
        if buckets.count > 4096 { buckets = buckets.filter { now - $0.value.updated < idleSeconds } }
        let capacity = Double(perMinute)
        var bucket = buckets[tokenID] ?? Bucket(capacity: capacity, available: capacity, updated: now)
        if bucket.capacity != capacity {
            bucket.capacity = capacity
            bucket.available = min(bucket.available, capacity)
        }
        bucket.available = min(capacity, bucket.available + max(0, now - bucket.updated) * capacity / 60)
        bucket.updated = now
        guard bucket.available >= 1 else {
            buckets[tokenID] = bucket
            // (The epsilon keeps float noise from rounding an exact 10 s up to 11.)
            return max(1, Int(((1 - bucket.available) * 60 / capacity - 1e-9).rounded(.up)))
        }
        bucket.available -= 1
        buckets[tokenID] = bucket
        return nil
    }
}
