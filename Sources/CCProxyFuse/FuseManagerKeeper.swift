// Runs in: ccproxy-fuse manager, the keeper (the supervisor's child, holding the privilege
// the supervisor gave up when it dropped root). Its one child is the serving manager
// (`ccproxy-fuse manager --serve`), whose children are the mounts.
// Privileges: it has dropped everything but CAP_SYS_ADMIN and CAP_DAC_READ_SEARCH before it
// starts anything, and it uses neither: it only starts, watches and stops its child. It reads
// nothing at all, not even the supervisor's channel, which it only holds open and passes on.
import CCProxyCore
import CCProxyPosix
import Foundation
import Glibc

/// Restarts the serving manager when it crashes, so that the bridges' mounts survive a crash
/// of the process that serves them without the supervisor, which can no longer start a
/// privileged process, having to.
///
/// Why a keeper rather than a restart by the supervisor: after the privilege drop nothing
/// but this process can start a process that may mount (PostgreSQL's postmaster restarts its
/// children the same way, and is itself the part that must not fail; this loop is small
/// enough for that). The supervisor's channel stays open here across a restart, so the
/// supervisor sees no crash, and mount requests not yet read wait in the socket for the next
/// manager. A crash costs the mounts of the crashed manager (its children get SIGTERM and
/// unmount); their bridge workers see their channels close and close the websockets, and
/// the daemons reconnect to fresh mounts.
///
/// The serving manager exiting with status 0 (the channel closed: the supervisor stopped)
/// ends the keeper; any other end is a crash, restarted after a backoff of 0.5 s doubling up
/// to 10 s (reset once a manager has run for a minute). SIGTERM or SIGINT is passed on, and
/// the keeper exits once its child has.
public final class FuseManagerKeeper {
    private let executable: String
    private let arguments: [String]
    private let channelFD: Int32
    private var backoff = Limits.bridgeBackoffInitialSeconds

    /// - Parameters:
    ///   - arguments: the serving manager's arguments after the executable (its channel is
    ///     at fd 3 there).
    public init(executable: String, arguments: [String], channelFD: Int32) {
        self.executable = executable
        self.arguments = arguments
        self.channelFD = channelFD
    }

    /// Keeps a serving manager running until it ends cleanly or a stop signal comes.
    /// - Returns: the exit code for the keeper.
    public func run() throws(PosixError) -> Int32 {
        let signals = try SignalPipe(signals: [SIGTERM, SIGINT, SIGHUP, SIGCHLD])
        while true {
            let started = MonotonicClock.seconds()
            let pid = try spawn()
            switch try watch(pid, signals: signals) {
            case .stopped, .finished:
                return 0
            case .crashed(let status):
                if MonotonicClock.seconds() - started >= 60 { backoff = Limits.bridgeBackoffInitialSeconds }
                log("the serving manager (pid \(pid)) \(status); restarting it in \(backoff) s")
                guard sleep(backoff, signals: signals) else { return 0 }
                backoff = min(backoff * 2, Limits.bridgeBackoffCapSeconds)
            }
        }
    }

    private enum End {
        case finished, stopped
        case crashed(ExitStatus)
    }

    private func spawn() throws(PosixError) -> Int32 {
        let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { closeDescriptor(devNull) }
        let request = ProcessSpawner.Request(
            executable: executable, arguments: [executable] + arguments,
            environment: ProcessSpawner.currentEnvironment(),
            descriptors: [(devNull, 0), (STDOUT_FILENO, 1), (STDERR_FILENO, 2), (channelFD, 3)],
            newProcessGroup: false, parentDeathSignal: SIGTERM)
        return try ProcessSpawner.spawn(request)
    }

    /// Waits for the child's end, passing a stop signal on to it.
    private func watch(_ pid: Int32, signals: SignalPipe) throws(PosixError) -> End {
        var stopping = false
        var killAt = Double.infinity
        while true {
            _ = try Poller().wait(on: [signals.readFD], timeoutMilliseconds: stopping ? 100 : -1)
            let received = signals.drain()
            if !stopping, received.contains(where: { $0 == SIGTERM || $0 == SIGINT }) {
                stopping = true
                kill(pid, SIGTERM)
                // It stops its mounts first (each gets the same grace), then exits.
                killAt = MonotonicClock.seconds() + Limits.fuseManagerStopGraceSeconds + 2
            }
            if MonotonicClock.seconds() >= killAt {
                kill(pid, SIGKILL)
                killAt = .infinity
            }
            if let status = ChildReaper.wait(for: pid, nonBlocking: true) {
                if stopping { return .stopped }
                return status == .exited(0) ? .finished : .crashed(status)
            }
        }
    }

    /// Sleeps `seconds` unless a stop signal comes first (false then).
    private func sleep(_ seconds: Double, signals: SignalPipe) -> Bool {
        let deadline = MonotonicClock.seconds() + seconds
        while MonotonicClock.seconds() < deadline {
            let remaining = Int32(((deadline - MonotonicClock.seconds()) * 1000).rounded(.up))
            _ = try? Poller().wait(on: [signals.readFD], timeoutMilliseconds: max(1, remaining))
            if signals.drain().contains(where: { $0 == SIGTERM || $0 == SIGINT }) { return false }
        }
        return true
    }

    private func log(_ message: String) {
        FileHandle.standardError.write(Data("ccproxy-fuse manager: \(message)\n".utf8))
    }
}
