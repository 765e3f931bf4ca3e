// Runs in: ccproxy-bridge (the laptop-side daemon). Pure: no clock, no randomness of its own.
import CCProxyCore

/// The delays between the daemon's connection attempts: exponential from 0.5 s, capped at
/// 10 s, with jitter so that many daemons cut off by one server restart do not all come
/// back in the same instant.
///
/// The n-th delay (n from 0) is `min(cap, initial·2ⁿ)` shortened by up to a fifth by the
/// jitter, so it never exceeds the cap and never falls below 80 % of the step. A
/// connection that got through the handshake resets the schedule, so a daemon that was
/// connected for hours retries fast after a restart; one that is refused again and again
/// (a second daemon for the same principal) stays at the cap.
public struct ReconnectBackoff: Sendable, Equatable {
    public let initial: Double
    public let cap: Double
    /// Attempts since the last reset.
    public private(set) var attempt: Int = 0

    public init(initial: Double = Limits.bridgeBackoffInitialSeconds, cap: Double = Limits.bridgeBackoffCapSeconds) {
        self.initial = initial
        self.cap = max(cap, initial)
    }

    /// The next delay in seconds; `jitter` is a uniform random number in [0, 1) (the
    /// caller's, so that tests can pass fixed ones).
    public mutating func nextDelay(jitter: Double) -> Double {
        let step = min(cap, initial * Double(1 << min(attempt, 30)))
        attempt += 1
        let j = min(max(jitter, 0), 1)
        return step * (1 - 0.2 * j)
    }

    /// After a connection completed its handshake.
    public mutating func reset() { attempt = 0 }
}
