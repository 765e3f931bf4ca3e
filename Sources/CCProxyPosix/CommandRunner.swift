import CCPLinux
import Glibc

/// Runs a short command to completion and captures its stdout (e.g. `claude --version`).
public enum CommandRunner {
    /// The outcome of a run.
    public struct Outcome: Sendable {
        public var status: ExitStatus
        public var output: String
    }

    /// Runs `executable` with `arguments`; after `timeoutSeconds` (whether or not it still
    /// writes, and even after it closed stdout) its process group is killed. Output beyond
    /// `maxOutputBytes` is discarded.
    public static func run(
        executable: String, arguments: [String], environment: [String], timeoutSeconds: Double,
        maxOutputBytes: Int = 64 * 1024
    ) throws(PosixError) -> Outcome {
        var fds: [Int32] = [-1, -1]
        guard ccp_pipe2(&fds, O_CLOEXEC) == 0 else { throw PosixError("pipe2") }
        let devNull = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { closeDescriptor(devNull) }
        let pid: pid_t
        do {
            pid = try ProcessSpawner.spawn(
                ProcessSpawner.Request(
                    executable: executable, arguments: [executable] + arguments, environment: environment,
                    descriptors: [(devNull, 0), (fds[1], 1), (devNull, 2)], newProcessGroup: true))
        } catch {
            closeDescriptor(fds[0])
            closeDescriptor(fds[1])
            throw error
        }
        closeDescriptor(fds[1])
        defer { closeDescriptor(fds[0]) }
        let deadline = monotonicSeconds() + min(max(timeoutSeconds, 0), 86_400)
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var timedOut = false
        while true {
            let left = deadline - monotonicSeconds()
            if left <= 0 {
                timedOut = true
                break
            }
            var entry = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
            let ready = poll(&entry, 1, Int32(min(left, 0.1) * 1000) + 1)
            if ready <= 0 { continue }
            let n = read(fds[0], &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            let room = max(0, maxOutputBytes - output.count)
            output.append(contentsOf: buffer[0..<min(n, room)])
        }
        // stdout closed (or time is up): wait for the exit, within what is left of the timeout.
        var status: ExitStatus?
        while !timedOut {
            status = ChildReaper.wait(for: pid, nonBlocking: true)
            if status != nil { break }
            if monotonicSeconds() >= deadline {
                timedOut = true
                break
            }
            usleep(10_000)
        }
        if timedOut || status == nil {
            _ = kill(-pid, SIGKILL)
            status = ChildReaper.wait(for: pid)
        }
        return Outcome(status: status ?? .exited(-1), output: String(decoding: output, as: UTF8.self))
    }

    private static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}
