// Runs in: `ccproxy serve` at start, before the privilege drop; the supervisor adopts what
// it returns.
// Starts `ccproxy-fuse manager`, the bridge's privileged FUSE helper.

public import CCProxyPosix
import CCProxyWire
import Glibc

/// The running FUSE manager: its pid and the supervisor's end of its channel.
public struct FuseManagerHandle: Sendable {
    public let pid: Int32
    public let channel: SeqPacketChannel
}

/// Spawns the FUSE manager: fd 0 = /dev/null, 1 and 2 = the supervisor's, 3 = its end of a
/// SOCK_SEQPACKET channel. Started as root before the supervisor drops (DESIGN.md,
/// "Privileges"), it keeps what mounting needs and nothing else reaches it but mount
/// requests; started by an ordinary user, it mounts through fusermount3 where that works.
/// It gets SIGTERM when the supervisor dies (parent-death signal; the supervisor, once
/// dropped, may not signal it, so a stop closes its channel instead).
public enum FuseManagerLauncher {
    static let channelDescriptor: Int32 = 3

    /// - Parameters:
    ///   - mountRoot: `<state>/bridges`, the only directory whose entries it mounts on.
    ///   - owner: the service user's ids, which the mounted files appear to belong to.
    public static func launch(executable: String, mountRoot: String, owner: (uid: UInt32, gid: UInt32)?) throws(PosixError)
        -> FuseManagerHandle
    {
        let (mine, theirs) = try SeqPacketChannel.makePair()
        defer { theirs.close() }
        let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { closeDescriptor(devNull) }
        var arguments = [
            executable, "manager", "--channel-fd", String(channelDescriptor), "--mount-root", mountRoot,
        ]
        if let owner { arguments += ["--owner", "\(owner.uid):\(owner.gid)"] }
        let request = ProcessSpawner.Request(
            executable: executable, arguments: arguments,
            environment: ProcessSpawner.currentEnvironment(removing: WorkerLauncher.withheldEnvironment),
            descriptors: [(devNull, 0), (STDOUT_FILENO, 1), (STDERR_FILENO, 2), (theirs.fd, channelDescriptor)],
            newProcessGroup: true, parentDeathSignal: SIGTERM)
        do {
            return FuseManagerHandle(pid: try ProcessSpawner.spawn(request), channel: mine)
        } catch {
            mine.close()
            throw error
        }
    }
}
