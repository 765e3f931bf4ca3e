import CCPSystemd
import Glibc

/// Service state notifications to systemd (`NOTIFY_SOCKET`). Without a notify socket every
/// call is a no-op. The corresponding C function is sd_notify(3).
public struct Notifier: Sendable {
    public init() {}

    /// READY=1: send only once the listener, the database and the first workers are up
    /// (and again when a reload is complete).
    @discardableResult public func ready(status: String) -> Bool { send("READY=1\nSTATUS=\(status)") }
    /// RELOADING=1 with the monotonic time it began (`MONOTONIC_USEC=`, as systemd's
    /// `Type=notify-reload` expects); READY=1 follows when the reload is done.
    @discardableResult public func reloading(monotonicMicroseconds: UInt64, status: String) -> Bool {
        send("RELOADING=1\nMONOTONIC_USEC=\(monotonicMicroseconds)\nSTATUS=\(status)")
    }
    /// STOPPING=1: graceful shutdown began.
    @discardableResult public func stopping(status: String) -> Bool { send("STOPPING=1\nSTATUS=\(status)") }
    /// STATUS=…: a one-line human-readable state.
    @discardableResult public func status(_ text: String) -> Bool { send("STATUS=\(text)") }
    /// WATCHDOG=1: the service is alive.
    @discardableResult public func watchdog() -> Bool { send("WATCHDOG=1") }

    /// The watchdog interval systemd asks for (`WATCHDOG_USEC`, for this pid), in seconds,
    /// or nil when the watchdog is off. The corresponding C function is sd_watchdog_enabled(3).
    public func watchdogInterval() -> Double? {
        var microseconds: UInt64 = 0
        guard sd_watchdog_enabled(0, &microseconds) > 0, microseconds > 0 else { return nil }
        return Double(microseconds) / 1e6
    }

    /// Returns whether the message was delivered (false without a notify socket or on error).
    private func send(_ state: String) -> Bool {
        // unset_environment = 0: workers are spawned with NOTIFY_SOCKET removed explicitly.
        sd_notify(0, state) > 0
    }
}
