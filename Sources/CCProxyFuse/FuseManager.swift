// Runs in: ccproxy-fuse manager --serve, the bridge's privileged FUSE helper (one process,
// the child of the keeper `FuseManagerKeeper`, which restarts it when it crashes; its
// children are one `ccproxy-fuse mount` per connected bridge).
// Privileges: started by the supervisor before it drops root, it keeps root so that its
// children can open /dev/fuse and mount (with allow_other, so the service user's claude can
// enter). It needs nothing else: it takes no network input, only the supervisor's typed
// requests (`FuseManagerRequest`), and it mounts only on directories directly inside its
// mount root.
import CCProxyCore
import CCProxyPosix
import CCProxyWire
import Foundation
import Glibc

/// Why a mount request is refused (the bridge channel that came with it is closed, which
/// the bridge worker sees as the mount's end).
public enum FuseMountRequestError: Error, Equatable, CustomStringConvertible {
    case outsideRoot(String)
    case notADirectory(String)

    public var description: String {
        switch self {
        case .outsideRoot(let path): "\(path) is not a directory directly inside the mount root"
        case .notADirectory(let path): "\(path) is not a directory (or is a symbolic link)"
        }
    }
}

/// Serves the supervisor's mount requests: one `ccproxy-fuse mount` child per request,
/// each serving one bridge's filesystem until its channel ends.
///
/// Why a child per mount rather than every mount in this process: a mount's loop is
/// single-threaded and may wait up to the operation timeout on its bridge, so mounts in one
/// loop would stall each other; and a mount that crashes (or is killed) takes only its own
/// bridge with it, while the manager, which alone holds the privilege, stays. When the supervisor's
/// channel closes (it stops, or died) or on SIGTERM/SIGINT, every mount is stopped
/// (SIGTERM: the child unmounts) and the manager exits.
public final class FuseManager {
    /// A pure check, before anything is spawned: the point must be `root/<name>`, one
    /// plain component.
    public static func check(mountPoint: String, root: String) throws(FuseMountRequestError) {
        let prefix = root.hasSuffix("/") ? root : root + "/"
        guard mountPoint.hasPrefix(prefix) else { throw .outsideRoot(mountPoint) }
        let name = mountPoint.dropFirst(prefix.count)
        guard !name.isEmpty, name != ".", name != "..", !name.contains("/"), name.utf8.count <= 255 else {
            throw .outsideRoot(mountPoint)
        }
    }

    private let channel: SeqPacketChannel
    private let mountRoot: String
    private let executable: String
    private let owner: String?
    private var mounts: [Int32: String] = [:]

    /// - Parameters:
    ///   - executable: this program (its `mount` subcommand serves each mount).
    ///   - owner: `UID:GID` the mounts present their files as, passed to each child.
    public init(channel: SeqPacketChannel, mountRoot: String, executable: String, owner: String?) {
        self.channel = channel
        self.mountRoot = mountRoot
        self.executable = executable
        self.owner = owner
    }

    /// Serves until the channel closes or a stop signal; then stops every mount.
    public func run() throws(PosixError) {
        let signals = try SignalPipe(signals: [SIGTERM, SIGINT, SIGHUP, SIGCHLD])
        serving: while true {
            let ready = try Poller().wait(on: [channel.fd, signals.readFD], timeoutMilliseconds: -1)
            if ready.contains(where: { $0.fd == signals.readFD }) {
                let received = signals.drain()
                reap()
                if received.contains(where: { $0 != SIGCHLD }) { break serving }
            }
            if ready.contains(where: { $0.fd == channel.fd }) {
                guard receiveRequest() else { break serving }
            }
        }
        stopAll(signals: signals)
    }

    /// One request from the supervisor; false when the channel is over.
    private func receiveRequest() -> Bool {
        let received: SeqPacketChannel.Received
        do {
            received = try channel.receive(maxBytes: Limits.maxWorkerFrameBytes, nonBlocking: true)
        } catch {
            log("the supervisor's channel failed: \(error)")
            return false
        }
        switch consume received {
        case .wouldBlock:
            return true
        case .closed:
            return false
        case .descriptorLost:
            log("a mount request's channel was lost (out of descriptors)")
            return true
        case .message(let bytes, let descriptor):
            guard let descriptor else {
                log("a message without its descriptor: the supervisor broke the protocol")
                return false
            }
            let request: FuseManagerRequest
            do {
                request = try FuseManagerRequest.decode(bytes, maxBytes: Limits.maxWorkerFrameBytes)
            } catch {
                descriptor.close()
                log("undecodable request: \(error)")
                return false
            }
            switch request {
            case .mount(let mountPoint):
                mount(mountPoint, channel: descriptor)
            }
            return true
        }
    }

    private func mount(_ mountPoint: String, channel bridge: consuming OwnedDescriptor) {
        do throws(FuseMountRequestError) {
            try Self.check(mountPoint: mountPoint, root: mountRoot)
            // Not a link: root mounts on what the service user created, so a link swapped in
            // for the directory must not move the mount elsewhere.
            let type = (try? FileManager.default.attributesOfItem(atPath: mountPoint))?[.type] as? FileAttributeType
            guard type == .typeDirectory else { throw .notADirectory(mountPoint) }
        } catch {
            bridge.close()
            log("mount refused: \(error)")
            return
        }
        let fd = bridge.relinquish()
        defer { closeDescriptor(fd) }
        let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { closeDescriptor(devNull) }
        var arguments = [executable, "mount", "--mountpoint", mountPoint, "--channel-fd", "3"]
        if let owner { arguments += ["--owner", owner] }
        let request = ProcessSpawner.Request(
            executable: executable, arguments: arguments,
            environment: ProcessSpawner.currentEnvironment(),
            descriptors: [(devNull, 0), (STDOUT_FILENO, 1), (STDERR_FILENO, 2), (fd, 3)],
            newProcessGroup: true, parentDeathSignal: SIGTERM)
        do {
            let pid = try ProcessSpawner.spawn(request)
            mounts[pid] = mountPoint
        } catch {
            log("cannot start the mount of \(mountPoint): \(error)")
        }
    }

    private func reap() {
        while let (pid, status) = ChildReaper.reapOne() {
            guard let mountPoint = mounts.removeValue(forKey: pid) else { continue }
            // The child unmounted (or its mount died with it): detach what may be left,
            // then the empty point goes (without CAP_DAC_OVERRIDE this fails, and the
            // supervisor removes it).
            _ = try? MountPoint.detach(mountPoint)
            rmdir(mountPoint)
            log("mount of \(mountPoint) ended (\(status))")
        }
    }

    /// SIGTERM to every mount (each unmounts), up to `Limits.bridgeCloseGraceSeconds` for them
    /// to go, then SIGKILL and a detach of whatever is left mounted.
    private func stopAll(signals: SignalPipe) {
        for pid in mounts.keys { kill(pid, SIGTERM) }
        let deadline = MonotonicClock.seconds() + Limits.fuseManagerStopGraceSeconds
        while !mounts.isEmpty, MonotonicClock.seconds() < deadline {
            _ = try? Poller().wait(on: [signals.readFD], timeoutMilliseconds: 100)
            _ = signals.drain()
            reap()
        }
        for (pid, _) in mounts { kill(pid, SIGKILL) }
        while !mounts.isEmpty {
            guard let pid = mounts.keys.first, ChildReaper.wait(for: pid) != nil else { break }
            let mountPoint = mounts.removeValue(forKey: pid) ?? ""
            _ = try? MountPoint.detach(mountPoint)
            rmdir(mountPoint)
        }
    }

    private func log(_ message: String) {
        FileHandle.standardError.write(Data("ccproxy-fuse manager: \(message)\n".utf8))
    }
}
