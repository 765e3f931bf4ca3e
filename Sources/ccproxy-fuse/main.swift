// Runs in: ccproxy-fuse, the privileged FUSE helper of the bridge: `ccproxy-fuse manager`
// (the supervisor's child, started before the supervisor drops root) and its children,
// one `ccproxy-fuse mount` per connected bridge.
// Privileges: mounting and detaching a stale mount need root or CAP_SYS_ADMIN; without them
// libfuse mounts through the setuid fusermount3 (and the mount is then the caller's only).
// It never parses network input: the channel carries bridge frames from a bridge worker.
import ArgumentParser
import CCProxyCore
import CCProxyFuse
import CCProxyPosix
import Foundation

@main
struct FuseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ccproxy-fuse",
        abstract: "The bridge's FUSE helper: serves connected bridges' directories as FUSE filesystems.",
        discussion: """
            `ccproxy serve` starts `ccproxy-fuse manager` itself; `mount` (the default) serves \
            one filesystem and can be run by hand against a test channel.
            """,
        subcommands: [MountCommand.self, ManagerCommand.self],
        defaultSubcommand: MountCommand.self)
}

/// `--owner UID:GID`.
struct FileOwner: ExpressibleByArgument {
    var uid: UInt32
    var gid: UInt32

    init?(argument: String) {
        let parts = argument.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let uid = UInt32(parts[0]), let gid = UInt32(parts[1]) else { return nil }
        self.uid = uid
        self.gid = gid
    }
}

struct MountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mount",
        abstract: "Serve one bridge's directory as a FUSE filesystem, answering from a bridge worker.",
        discussion: """
            Each FUSE operation becomes one bridge request (the websocket protocol's frames, each \
            prefixed by its 4-byte big-endian length) on the channel to the bridge worker, which \
            relays it to the laptop. An operation without an answer within --operation-timeout \
            fails with EIO. The filesystem is unmounted on SIGTERM, SIGINT or SIGHUP and when the \
            channel closes; a stale mount at the mountpoint is detached first.
            """)

    @Option(help: "The directory to mount on (must exist).")
    var mountpoint: String

    @Option(help: "The channel to the bridge worker: an inherited connected stream socket.")
    var channelFd: Int32?

    @Option(help: "The channel as a Unix stream socket to connect to (tests).")
    var channelSocket: String?

    @Option(help: "Seconds one operation waits for its answer before failing with EIO.")
    var operationTimeout: Double = Limits.bridgeOperationTimeoutSeconds

    @Option(help: "Seconds the kernel may cache attributes and names (watch events invalidate them sooner).")
    var cacheSeconds: Double = Limits.bridgeAttributeCacheSeconds

    @Option(help: "UID:GID the files appear to belong to (default: this process's).")
    var owner: FileOwner?

    func validate() throws {
        guard (channelFd == nil) != (channelSocket == nil) else {
            throw ValidationError("give exactly one of --channel-fd and --channel-socket")
        }
        if let fd = channelFd, fd < 3 { throw ValidationError("--channel-fd must be 3 or above") }
        guard operationTimeout > 0 else { throw ValidationError("--operation-timeout must be positive") }
        guard cacheSeconds >= 0 else { throw ValidationError("--cache-seconds must not be negative") }
    }

    func run() throws {
        SignalPipe.ignoreBrokenPipe()
        let signals = try SignalPipe(signals: [SIGTERM, SIGINT, SIGHUP])
        let fd: Int32
        if let channelSocket {
            fd = try UnixStreamSocket.connect(path: channelSocket)
        } else if let channelFd {
            fd = channelFd
        } else {
            throw ExitCode.validationFailure
        }
        let channel = try BridgeChannel(fd: fd, timeoutSeconds: operationTimeout)
        let attributes = FileAttributes(
            uid: owner?.uid ?? ProcessIdentity.userID, gid: owner?.gid ?? ProcessIdentity.groupID)
        let filesystem = FuseFileSystem(channel: channel, attributes: attributes, cacheSeconds: cacheSeconds)
        let mount = try FuseMount(mountpoint: mountpoint, filesystem: filesystem, allowOther: ServiceUser.isRoot)
        log("mounted \(mountpoint)")
        let end = try mount.serve(signals: signals)
        log("unmounted \(mountpoint): \(end)")
    }

    private func log(_ message: String) {
        FileHandle.standardError.write(Data("ccproxy-fuse: \(message)\n".utf8))
    }
}

struct ManagerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manager",
        abstract: "Mount bridges on the supervisor's request (started by `ccproxy serve`).",
        discussion: """
            Reads mount requests from the supervisor's channel (each with the stream socket to \
            one bridge worker) and serves each in a `ccproxy-fuse mount` child, on a directory \
            directly inside --mount-root only. Stops every mount and exits when the channel \
            closes or on SIGTERM/SIGINT. The process started this way keeps the serving one \
            (`--serve`) running: it restarts it when it crashes (after 0.5 s, doubling up to \
            10 s), and passes SIGTERM/SIGINT on.
            """)

    @Option(help: "The supervisor's channel: an inherited SOCK_SEQPACKET socket.")
    var channelFd: Int32

    @Option(help: "The only directory whose entries may be mounted on.")
    var mountRoot: String

    @Option(help: "UID:GID the mounted files appear to belong to (the service user's).")
    var owner: FileOwner?

    @Flag(help: "Serve the channel in this process (the keeper starts its child so).")
    var serve = false

    func validate() throws {
        guard channelFd >= 3 else { throw ValidationError("--channel-fd must be 3 or above") }
        guard mountRoot.hasPrefix("/") else { throw ValidationError("--mount-root must be absolute") }
    }

    func run() throws {
        SignalPipe.ignoreBrokenPipe()
        if ServiceUser.isRoot {
            // Root for mounting only: CAP_SYS_ADMIN (mount, umount) and CAP_DAC_READ_SEARCH
            // (the mount points are inside the service user's 0700 state directory). Every
            // other capability goes, from the bounding set too where CAP_SETPCAP allows, so
            // the mounts it starts have no more.
            let bounded = try Capabilities.keepOnly([Capabilities.sysAdmin, Capabilities.dacReadSearch])
            if !bounded {
                FileHandle.standardError.write(Data("ccproxy-fuse manager: no CAP_SETPCAP; the bounding set is left as it is\n".utf8))
            }
        }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        guard serve else {
            var arguments = ["manager", "--serve", "--channel-fd", "3", "--mount-root", mountRoot]
            if let owner { arguments += ["--owner", "\(owner.uid):\(owner.gid)"] }
            let keeper = FuseManagerKeeper(executable: executable, arguments: arguments, channelFD: channelFd)
            throw ExitCode(try keeper.run())
        }
        let manager = FuseManager(
            channel: SeqPacketChannel(fd: channelFd), mountRoot: mountRoot, executable: executable,
            owner: owner.map { "\($0.uid):\($0.gid)" })
        try manager.run()
    }
}
