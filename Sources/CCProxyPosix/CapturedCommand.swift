import CCPLinux
import Glibc

/// Runs a command to completion with given input and working directory and captures both
/// of its outputs, bounded (the bridge daemon's `exec`).
public enum CapturedCommand {
    public struct Outcome: Sendable, Equatable {
        public var status: ExitStatus
        public var stdout: [UInt8]
        public var stderr: [UInt8]
        /// Killed at the timeout.
        public var timedOut: Bool
        /// Some output was dropped past `maxOutputBytes`.
        public var truncated: Bool
    }

    /// Starts `arguments[0]` (a path, or a name on `environment`'s PATH) in its own process
    /// group in `workingDirectory`, with `input` on stdin (from a sealed memory file, so a
    /// large input never blocks on a pipe). After `timeoutSeconds` the whole group is
    /// killed. Each output keeps its first `maxOutputBytes`; the rest is read and dropped
    /// so the command is never stalled on a full pipe.
    public static func run(
        arguments: [String], environment: [String], workingDirectory: String, input: [UInt8],
        timeoutSeconds: Double, maxOutputBytes: Int
    ) throws(PosixError) -> Outcome {
        guard let executable = arguments.first else { throw PosixError("spawn", errno: ENOENT) }
        let stdinFD = try SealedMemoryFile.create(name: "exec-stdin", bytes: input)
        defer { closeDescriptor(stdinFD) }
        var out: [Int32] = [-1, -1]
        var err: [Int32] = [-1, -1]
        guard ccp_pipe2(&out, O_CLOEXEC) == 0 else { throw PosixError("pipe2") }
        guard ccp_pipe2(&err, O_CLOEXEC) == 0 else {
            closeDescriptor(out[0])
            closeDescriptor(out[1])
            throw PosixError("pipe2")
        }
        let pid: pid_t
        do {
            pid = try ProcessSpawner.spawn(
                ProcessSpawner.Request(
                    executable: executable, arguments: arguments, environment: environment,
                    workingDirectory: workingDirectory,
                    descriptors: [(stdinFD, 0), (out[1], 1), (err[1], 2)], newProcessGroup: true))
        } catch {
            for fd in out + err { closeDescriptor(fd) }
            throw error
        }
        closeDescriptor(out[1])
        closeDescriptor(err[1])
        defer {
            closeDescriptor(out[0])
            closeDescriptor(err[0])
        }
        let deadline = now() + min(max(timeoutSeconds, 0), 86_400)
        var captured: [[UInt8]] = [[], []]
        var open = [true, true]
        var truncated = false
        var timedOut = false
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while open[0] || open[1] {
            let left = deadline - now()
            if left <= 0 {
                timedOut = true
                break
            }
            var entries = [
                pollfd(fd: open[0] ? out[0] : -1, events: Int16(POLLIN), revents: 0),
                pollfd(fd: open[1] ? err[0] : -1, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&entries, 2, Int32(min(left, 0.2) * 1000) + 1)
            if ready <= 0 { continue }
            for i in 0..<2 where open[i] && entries[i].revents != 0 {
                let n = read(entries[i].fd, &buffer, buffer.count)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    open[i] = false
                    continue
                }
                let room = max(0, maxOutputBytes - captured[i].count)
                if n > room { truncated = true }
                captured[i].append(contentsOf: buffer[0..<min(n, room)])
            }
        }
        // Outputs closed (or time is up): wait for the exit within what is left.
        var status: ExitStatus?
        while !timedOut {
            status = ChildReaper.wait(for: pid, nonBlocking: true)
            if status != nil { break }
            if now() >= deadline {
                timedOut = true
                break
            }
            usleep(10_000)
        }
        if status == nil {
            _ = kill(-pid, SIGKILL)
            status = ChildReaper.wait(for: pid)
        }
        return Outcome(
            status: status ?? .exited(-1), stdout: captured[0], stderr: captured[1], timedOut: timedOut,
            truncated: truncated)
    }

    private static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}
