import CCPSystemd

/// Service state notifications to systemd (`NOTIFY_SOCKET`). Without a notify socket every
/// call is a no-op. The corresponding C function is sd_notify(3).
public struct Notifier: Sendable {
    public init() {}

    /// READY=1: send only once the listener, the database and the first workers are up.
    @discardableResult public func ready(status: String) -> Bool { send("READY=1\nSTATUS=\(status)") }
    /// STOPPING=1: graceful shutdown began.
    @discardableResult public func stopping(status: String) -> Bool { send("STOPPING=1\nSTATUS=\(status)") }
    /// STATUS=…: a one-line human-readable state.
    @discardableResult public func status(_ text: String) -> Bool { send("STATUS=\(text)") }

    /// Returns whether the message was delivered (false without a notify socket or on error).
    private func send(_ state: String) -> Bool {
        // unset_environment = 0: workers are spawned with NOTIFY_SOCKET removed explicitly.
        sd_notify(0, state) > 0
    }
}
