/// Workspace names the configuration may not use, because they mean something else.
public enum ReservedWorkspaceName {
    /// A persistent session bound to its principal's bridge (see `BridgePaths.sessionBinding`).
    public static let bridge = "@bridge"

    public static let all: Set<String> = [bridge]
}
