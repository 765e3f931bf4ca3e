import CCProxyCore

/// What keeps wrong secrets cheap: a short memory of secrets already found wrong (answered
/// 401 without re-hashing) and failure budgets per token prefix and per client source (past
/// them, an unverified secret is refused 429 without running argon2).
///
/// Pure and clock-free: every call takes `now` in seconds. A secret that passed argon2 before
/// is checked against ``VerifiedSecretCache`` first and never reaches this guard, so a flood
/// of wrong secrets for a prefix does not lock out its holder once verified. Secrets are
/// compared in constant time; memory is bounded by `Limits.wrongSecretCacheCapacity` and
/// `Limits.failedSecretTrackedKeys`.
struct FailedSecretGuard {
    private struct WrongSecret {
        var prefix: String
        var hash: String
        var secret: [UInt8]
        var until: Double
    }

    /// Failures counted in a fixed window that starts at the first failure.
    private struct Budget {
        var windowStart: Double
        var failures: Int
    }

    private var wrong: [WrongSecret] = []
    private var byPrefix: [String: Budget] = [:]
    private var bySource: [String: Budget] = [:]

    /// Whether `secret` was found wrong for this prefix and stored hash within
    /// `Limits.wrongSecretCacheSeconds`. Compares every remembered secret of the prefix in
    /// constant time.
    func isKnownWrong(prefix: String, hash: String, secret: String, now: Double) -> Bool {
        var found = false
        for entry in wrong where entry.prefix == prefix && entry.hash == hash && entry.until > now {
            if ConstantTime.equals(entry.secret, secret.utf8) { found = true }
        }
        return found
    }

    /// The seconds until another unverified secret may be hashed for `prefix` from `source`,
    /// or nil if it may be now.
    func throttled(prefix: String, source: String?, now: Double) -> Int? {
        var wait: Double?
        if let budget = byPrefix[prefix], let seconds = Self.exhausted(budget, limit: Limits.maxFailedSecretsPerPrefix, now: now) {
            wait = seconds
        }
        if let source, let budget = bySource[source],
            let seconds = Self.exhausted(budget, limit: Limits.maxFailedSecretsPerSource, now: now)
        {
            wait = max(wait ?? 0, seconds)
        }
        return wait.map { max(1, Int($0.rounded(.up))) }
    }

    /// Records a secret that failed argon2 for `prefix` (stored `hash`), from `source`.
    mutating func recordFailure(prefix: String, hash: String, secret: String, source: String?, now: Double) {
        wrong.removeAll { $0.until <= now }
        if wrong.count >= Limits.wrongSecretCacheCapacity { wrong.removeFirst(wrong.count - Limits.wrongSecretCacheCapacity + 1) }
        wrong.append(WrongSecret(prefix: prefix, hash: hash, secret: Array(secret.utf8), until: now + Limits.wrongSecretCacheSeconds))
        Self.count(&byPrefix, key: prefix, now: now)
        if let source { Self.count(&bySource, key: source, now: now) }
    }

    /// Forgets what is known about `prefix` (its token was revoked or rotated).
    mutating func forget(prefix: String) {
        wrong.removeAll { $0.prefix == prefix }
        byPrefix[prefix] = nil
    }

    private static func count(_ budgets: inout [String: Budget], key: String, now: Double) {
        if budgets.count >= Limits.failedSecretTrackedKeys {
            budgets = budgets.filter { now - $0.value.windowStart < Limits.failedSecretWindowSeconds }
            // Still full: the keys are all fresh; dropping them all errs on the side of hashing.
            if budgets.count >= Limits.failedSecretTrackedKeys { budgets.removeAll() }
        }
        var budget = budgets[key] ?? Budget(windowStart: now, failures: 0)
        if now - budget.windowStart >= Limits.failedSecretWindowSeconds { budget = Budget(windowStart: now, failures: 0) }
        budget.failures += 1
        budgets[key] = budget
    }

    /// Seconds left in the window when the budget is used up, else nil.
    private static func exhausted(_ budget: Budget, limit: Int, now: Double) -> Double? {
        let left = Limits.failedSecretWindowSeconds - (now - budget.windowStart)
        guard left > 0, budget.failures >= limit else { return nil }
        return left
    }
}
