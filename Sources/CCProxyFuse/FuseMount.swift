// Runs in: ccproxy-fuse (the FUSE helper).
// Privileges: mounting needs root or CAP_SYS_ADMIN (then `allow_other` lets the service
// user's claude in); as an ordinary user libfuse mounts through the setuid fusermount3.
// Detaching a stale mount at start needs the same (umount2 MNT_DETACH).
import CCPFuse3
import CCProxyCore
import CCProxyPosix
import Glibc

/// Why the helper could not mount or serve.
public enum FuseMountError: Error, Equatable, Sendable, CustomStringConvertible {
    case staleMount(PosixError)
    case session
    case mount(String)
    case loop(PosixError)

    public var description: String {
        switch self {
        case .staleMount(let e): "cannot detach the stale mount: \(e)"
        case .session: "fuse_session_new failed (bad options?)"
        case .mount(let path): "cannot mount at \(path) (see libfuse's message above)"
        case .loop(let e): "FUSE loop: \(e)"
        }
    }
}

/// Why the FUSE loop ended (each one unmounts).
public enum FuseLoopEnd: Equatable, Sendable, CustomStringConvertible {
    case signal(Int32)
    /// The bridge worker closed the channel (the bridge went away).
    case channelClosed
    /// The kernel ended the session (someone unmounted it).
    case unmounted

    public var description: String {
        switch self {
        case .signal(let s): "received \(TerminationSignals.name(s))"
        case .channelClosed: "bridge channel closed"
        case .unmounted: "unmounted from outside"
        }
    }
}

/// One mounted bridge filesystem and the loop that serves it.
///
/// The loop is single-threaded and polls three things: the FUSE device (a kernel request:
/// served, which may wait on the channel up to the operation timeout), the channel (while
/// idle: a late answer to drop, a `watch` event whose path's kernel caches are then
/// invalidated (by `CacheInvalidator`, on its own thread), or the end of the bridge, which ends the loop),
/// and the signal pipe (SIGTERM/SIGINT/SIGHUP end the loop). Whatever ends it, the
/// filesystem is unmounted (lazily, if files are still open) before `serve` returns.
public final class FuseMount {
    private let mountpoint: String
    private let filesystem: FuseFileSystem
    private let session: OpaquePointer
    /// The retained `filesystem`, as libfuse's userdata; released with the session.
    private let userdata: UnsafeMutableRawPointer
    /// Set when the invalidation thread could not be stopped: the session is then left to
    /// the process's exit rather than destroyed under that thread.
    private var sessionInUse = false

    public init(mountpoint: String, filesystem: FuseFileSystem, allowOther: Bool) throws(FuseMountError) {
        self.mountpoint = mountpoint
        self.filesystem = filesystem
        do throws(PosixError) {
            try MountPoint.detach(mountpoint)
        } catch {
            // Not allowed (an ordinary user): fusermount3 would refuse a busy point anyway;
            // the mount below reports what is wrong.
            if error.errno != EPERM { throw .staleMount(error) }
        }
        // No default_permissions: the daemon decides what may be done, not mode bits.
        var options = "fsname=ccproxy-bridge,subtype=ccproxy-bridge"
        if allowOther { options += ",allow_other" }
        var args = fuse_args(argc: 0, argv: nil, allocated: 0)
        defer { fuse_opt_free_args(&args) }
        _ = fuse_opt_add_arg(&args, "ccproxy-fuse")
        _ = fuse_opt_add_arg(&args, "-o")
        _ = fuse_opt_add_arg(&args, options)
        var ops = FuseOperations.table()
        let userdata = Unmanaged.passRetained(filesystem).toOpaque()
        guard let session = fuse_session_new(&args, &ops, MemoryLayout<fuse_lowlevel_ops>.size, userdata) else {
            Unmanaged<FuseFileSystem>.fromOpaque(userdata).release()
            throw .session
        }
        guard fuse_session_mount(session, mountpoint) == 0 else {
            fuse_session_destroy(session)
            Unmanaged<FuseFileSystem>.fromOpaque(userdata).release()
            throw .mount(mountpoint)
        }
        self.session = session
        self.userdata = userdata
    }

    /// Serves until a signal, the end of the channel, or an outside unmount; then unmounts.
    public func serve(signals: SignalPipe) throws(FuseMountError) -> FuseLoopEnd {
        let invalidator = CacheInvalidator(session: session)
        invalidator.start()
        defer {
            unmount()
            sessionInUse = !invalidator.stop(waitingAtMost: Limits.bridgeOperationTimeoutSeconds)
        }
        let device = fuse_session_fd(session)
        let channel = filesystem.channel
        var buffer = fuse_buf()
        defer { free(buffer.mem) }
        while true {
            guard channel.isOpen else { return .channelClosed }
            let ready: [Poller.Readiness]
            do throws(PosixError) {
                ready = try Poller().wait(
                    on: [Poller.Interest(fd: signals.readFD), Poller.Interest(fd: device), Poller.Interest(fd: channel.fd, peerClose: true)],
                    timeoutMilliseconds: -1)
            } catch {
                throw .loop(error)
            }
            if ready.contains(where: { $0.fd == signals.readFD }), let signal = signals.drain().first {
                return .signal(signal)
            }
            if ready.contains(where: { $0.fd == channel.fd }) {
                channel.drainIdle()
                guard channel.isOpen else { return .channelClosed }
            }
            if ready.contains(where: { $0.fd == device }) {
                let n = fuse_session_receive_buf(session, &buffer)
                if n == -EINTR || n == -EAGAIN { continue }
                if n <= 0 || fuse_session_exited(session) != 0 { return .unmounted }
                fuse_session_process_buf(session, &buffer)
            }
            invalidator.post(channel.takeEvents().flatMap { filesystem.invalidations(for: $0) })
        }
    }

    private func unmount() {
        fuse_session_unmount(session)
    }

    deinit {
        guard !sessionInUse else { return }
        fuse_session_destroy(session)
        Unmanaged<FuseFileSystem>.fromOpaque(userdata).release()
    }
}
