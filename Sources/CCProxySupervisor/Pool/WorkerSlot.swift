// Runs in: the supervisor (`ccproxy serve`).
// One worker process as the pool state machine sees it.

/// A worker process in the pool. Slots are numbered for logs and `ccproxyctl status`;
/// a slot number is never reused within one supervisor's lifetime.
public struct WorkerSlot: Sendable, Equatable {
    public enum State: Sendable, Equatable {
        /// Spawned; waiting for its `hello`.
        case starting
        /// Ready for a connection.
        case idle
        /// Serving this connection.
        case busy(connectionID: UInt64)
        /// Told to stop (or signalled); waiting for it to exit.
        case exiting
    }

    public var id: UInt32
    public var pid: Int32
    public var state: State
    /// Connections served so far.
    public var served: Int

    public var stateName: String {
        switch state {
        case .starting: return "starting"
        case .idle: return "idle"
        case .busy: return "busy"
        case .exiting: return "exiting"
        }
    }
}
