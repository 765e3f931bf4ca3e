import CCPLinux
import Glibc

/// Runs a short command to completion and captures its stdout (e.g. `claude --version`).
public enum CommandRunner {
    /// The outcome of a run.
    public struct Outcome: Sendable {
        public var status: ExitStatus
        public var output: String
    }

    /// Runs `executable` with `arguments`, killing it after `timeoutSeconds`. Output beyond
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
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var remainingMilliseconds = Int32(timeoutSeconds * 1000)
        while remainingMilliseconds > 0 {
            var entry = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
            let step: Int32 = min(remainingMilliseconds, 100)
            let ready = poll(&entry, 1, step)
            remainingMilliseconds -= step
            if ready <= 0 { continue }
            let n = read(fds[0], &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            if output.count < maxOutputBytes { output.append(contentsOf: buffer[0..<n]) }
        }
        if remainingMilliseconds <= 0 { _ = kill(-pid, SIGKILL) }
        let status = ChildReaper.wait(for: pid) ?? .exited(-1)
        return Outcome(status: status, output: String(decoding: output, as: UTF8.self))
    }
}
