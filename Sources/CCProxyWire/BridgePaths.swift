/// Where a bridge's server-side files live, for the supervisor and the workers alike.
public enum BridgePaths {
    /// The binding of a persistent session created on its principal's bridge (in place of a
    /// workspace name; a configured workspace may not be called this): its turns run in
    /// the bridge's mount, or get 412 while no bridge is connected, never elsewhere.
    /// (The wire layer imports nothing, so this repeats `ReservedWorkspaceName.bridge`; a
    /// unit test keeps the two equal.)
    public static let sessionBinding = "@bridge"

    /// `<state>/bridges/p-<hex of the principal>`: the mount point of the principal's
    /// bridge; nil for a principal that cannot name a file.
    public static func mountPoint(stateDirectory: String, principal: String) -> String? {
        TokenGrant.principalDirectoryName(principal).map { stateDirectory + "/bridges/" + $0 }
    }

    /// `<state>/bridges/exec-<bridge id>.sock`: the socket on which the bridge worker takes
    /// `exec` requests from the principal's turns. Nil when the path would not fit a Unix
    /// socket address (107 bytes): the bridge then offers no exec tool.
    public static func execSocket(stateDirectory: String, bridgeID: UInt64) -> String? {
        let path = stateDirectory + "/bridges/exec-\(bridgeID).sock"
        return path.utf8.count <= 107 ? path : nil
    }
}
