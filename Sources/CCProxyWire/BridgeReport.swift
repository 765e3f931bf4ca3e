/// One connected bridge as the supervisor reports it to `ccproxyctl bridges`.
public struct BridgeReport: Sendable, Equatable {
    /// The supervisor's number for this connection (logs use it too).
    public var bridgeID: UInt64
    /// The principal whose chat requests the bridge serves.
    public var principal: String
    /// The bridge worker holding the websocket.
    public var workerPID: Int32
    /// Unix seconds when it was accepted.
    public var connectedAt: Int64
    /// What the daemon said in `hello` (its own word, shown, trusted for nothing).
    public var daemonVersion: String
    public var root: String
    public var allowWrite: Bool
    public var allowExec: Bool
    /// Where its directory is mounted on the server; nil while it is not mounted.
    public var mountPoint: String?
    /// Bridge requests answered on it so far.
    public var rpcCount: UInt64

    public init(
        bridgeID: UInt64, principal: String, workerPID: Int32, connectedAt: Int64, daemonVersion: String, root: String,
        allowWrite: Bool, allowExec: Bool, mountPoint: String?, rpcCount: UInt64
    ) {
        self.bridgeID = bridgeID
        self.principal = principal
        self.workerPID = workerPID
        self.connectedAt = connectedAt
        self.daemonVersion = daemonVersion
        self.root = root
        self.allowWrite = allowWrite
        self.allowExec = allowExec
        self.mountPoint = mountPoint
        self.rpcCount = rpcCount
    }

    /// The fewest bytes one report takes on the wire: counts a frame cannot hold are
    /// refused before anything is allocated for them.
    static let minimumEncodedBytes = 8 + 4 + 4 + 8 + 3 * 4 + 2 + 1 + 8

    func encode(into w: inout WireWriter) {
        w.u64(bridgeID)
        w.string(principal)
        w.i32(workerPID)
        w.u64(UInt64(bitPattern: connectedAt))
        w.string(daemonVersion)
        w.string(root)
        w.bool(allowWrite)
        w.bool(allowExec)
        w.optionalString(mountPoint)
        w.u64(rpcCount)
    }

    static func decode(from r: inout WireReader) throws(WireError) -> BridgeReport {
        BridgeReport(
            bridgeID: try r.u64(), principal: try r.string("principal"), workerPID: try r.i32(),
            connectedAt: Int64(bitPattern: try r.u64()), daemonVersion: try r.string("daemonVersion"),
            root: try r.string("root"), allowWrite: try r.bool("allowWrite"), allowExec: try r.bool("allowExec"),
            mountPoint: try r.optionalString("mountPoint"), rpcCount: try r.u64())
    }
}
