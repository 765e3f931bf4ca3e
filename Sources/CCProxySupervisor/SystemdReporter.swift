// Runs in: the supervisor (`ccproxy serve`).
// What the supervisor tells systemd besides READY/RELOADING/STOPPING: `STATUS=` when the
// pool's state changes (at most once a second), and `WATCHDOG=1` from the poll loop itself,
// so that a stuck loop stops the pings and systemd notices.

import CCProxySystemd

/// Rate-limited STATUS and loop-driven watchdog pings.
struct SystemdReporter {
    private var lastStatus = ""
    private var lastStatusAt = -Double.infinity
    private var watchdogInterval: Double?
    /// When the next watchdog ping is due (monotonic seconds), if the watchdog is on.
    private(set) var nextWatchdog: Double?

    /// Pings every half of systemd's `WATCHDOG_USEC`, as sd_watchdog_enabled(3) advises.
    mutating func configureWatchdog(_ interval: Double?) {
        guard let interval, interval > 0 else { return }
        watchdogInterval = interval / 2
        nextWatchdog = 0
    }

    /// Called once per loop turn: the loop is alive.
    mutating func loopTurned(now: Double, status: String, notifier: Notifier) {
        if let interval = watchdogInterval, let due = nextWatchdog, now >= due {
            notifier.watchdog()
            nextWatchdog = now + interval
        }
        if status != lastStatus && now - lastStatusAt >= 1 {
            notifier.status(status)
            lastStatus = status
            lastStatusAt = now
        }
    }
}
