// Runs in: ccproxy-fuse, the privileged FUSE helper of the bridge (one process, no children
// but fusermount3 when it runs unprivileged).
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
        abstract: "Serve a bridge's directory as a FUSE filesystem, answering from a bridge worker.",
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
        let filesystem = FuseFileSystem(
            channel: channel, attributes: FileAttributes(uid: ProcessIdentity.userID, gid: ProcessIdentity.groupID),
            cacheSeconds: cacheSeconds)
        let mount = try FuseMount(mountpoint: mountpoint, filesystem: filesystem, allowOther: ServiceUser.isRoot)
        log("mounted \(mountpoint)")
        let end = try mount.serve(signals: signals)
        log("unmounted \(mountpoint): \(end)")
    }

    private func log(_ message: String) {
        FileHandle.standardError.write(Data("ccproxy-fuse: \(message)\n".utf8))
    }
}
