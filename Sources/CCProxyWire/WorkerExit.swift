/// Exit codes of `ccproxy-worker`: part of the protocol between worker and supervisor.
public enum WorkerExit: Int32, Sendable {
    /// Told to stop (shutdown, recycling) and did.
    case finished = 0
    /// A protocol violation by the supervisor side, or an unexpected internal failure.
    case failed = 1
    /// Misconfigured (bad fd layout, unreadable settings, version mismatch): respawning
    /// the same way cannot help.
    case fatalConfiguration = 2
    /// The channel to the supervisor closed: the supervisor is gone.
    case supervisorGone = 3
}

/// Fixed descriptor slots of a worker process (like `SD_LISTEN_FDS_START`).
public enum WorkerDescriptors {
    /// The SOCK_SEQPACKET channel to the supervisor.
    public static let channel: Int32 = 3
    /// A sealed memory file with the JSON `ProxySettings` snapshot.
    public static let settings: Int32 = 4
}
