// Runs in: a worker (`ccproxy-worker`).

/// Lets the executable stop every running claude group on SIGTERM.
public enum TurnRegistryBridge {
    public static func stopAll() { TurnRegistry.stopAll() }
}
