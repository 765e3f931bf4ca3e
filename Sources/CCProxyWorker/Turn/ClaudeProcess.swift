// Runs in: a worker (`ccproxy-worker`).
// One running `claude`: its own process group, the prompt on stdin, stream-json on stdout,
// a bounded tail of stderr. Stopping it stops the whole group (invariant 5: no orphans).

import CCProxyCore
import CCProxyPosix
import CCPLinux
import Foundation
import Synchronization

/// A `claude` process and its pipes.
///
/// Spawned on `SpawnThread`, which lives as long as the worker: Linux ties the child's
/// parent-death signal (SIGKILL here, the second safeguard) to the spawning thread.
final class ClaudeProcess: Sendable {
    /// The pid, which is also the process group id.
    let pid: Int32
    private let stdoutFD: Int32
    private let stderrTail = Mutex<[UInt8]>([])
    private let exit = Mutex<ExitStatus?>(nil)
    /// Signalled once claude has been reaped (and its group killed).
    private let exited = DispatchSemaphore(value: 0)

    private init(pid: Int32, stdoutFD: Int32) {
        self.pid = pid
        self.stdoutFD = stdoutFD
    }

    /// Starts `claude` with `input` on its stdin (written by a helper thread, then closed).
    /// Call it on `SpawnThread`.
    static func start(
        executable: String, arguments: [String], environment: [String], workingDirectory: String,
        input: [UInt8]
    ) throws(PosixError) -> ClaudeProcess {
        let stdin = try makePipe()
        let stdout = try makePipe()
        let stderr = try makePipe()
        let request = ProcessSpawner.Request(
            executable: executable, arguments: [executable] + arguments, environment: environment,
            workingDirectory: workingDirectory,
            descriptors: [(stdin.read, 0), (stdout.write, 1), (stderr.write, 2)],
            newProcessGroup: true, parentDeathSignal: SIGKILL)
        let pid: Int32
        do {
            pid = try ProcessSpawner.spawn(request)
        } catch {
            for fd in [stdin.read, stdin.write, stdout.read, stdout.write, stderr.read, stderr.write] {
                closeDescriptor(fd)
            }
            throw error
        }
        closeDescriptor(stdin.read)
        closeDescriptor(stdout.write)
        closeDescriptor(stderr.write)
        let process = ClaudeProcess(pid: pid, stdoutFD: stdout.read)
        let stdinFD = stdin.write
        Thread.detachNewThread {
            // EPIPE (claude exited before reading everything) is fine: SIGPIPE is ignored.
            try? writeAll(stdinFD, input)
            closeDescriptor(stdinFD)
        }
        let stderrFD = stderr.read
        Thread.detachNewThread { process.collectStderr(stderrFD) }
        Thread.detachNewThread { process.reap() }
        return process
    }

    /// claude's stdout as it arrives, in chunks. The stream ends when stdout is closed and
    /// claude has been reaped (`exitStatus` is set by then). Call once.
    func output() -> AsyncStream<[UInt8]> {
        let (stream, sink) = AsyncStream.makeStream(of: [UInt8].self, bufferingPolicy: .unbounded)
        let fd = stdoutFD
        Thread.detachNewThread { [self] in
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let n = read(fd, &buffer, buffer.count)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { break }
                sink.yield(Array(buffer[0..<n]))
            }
            closeDescriptor(fd)
            exited.wait()
            sink.finish()
        }
        return stream
    }

    /// How claude ended, once `output()` has finished.
    var exitStatus: ExitStatus? { exit.withLock { $0 } }

    /// The last bytes claude wrote to stderr, as text.
    var stderrText: String {
        String(decoding: stderrTail.withLock { $0 }, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Stops the whole process group: SIGTERM now, SIGKILL after `grace` if still running.
    func stop(grace: Double = Limits.claudeKillGraceSeconds) {
        guard exitStatus == nil else { return }
        _ = kill(-pid, SIGTERM)
        let group = pid
        DispatchQueue.global().asyncAfter(deadline: .now() + grace) { [self] in
            if exitStatus == nil { _ = kill(-group, SIGKILL) }
        }
    }

    /// Waits for claude to exit, then kills whatever it left in its group (background tool
    /// processes). That also closes their copies of stdout, so `output()` reaches its end even
    /// when a straggler held the pipe open.
    private func reap() {
        let status = ChildReaper.wait(for: pid) ?? .exited(-1)
        _ = kill(-pid, SIGKILL)
        exit.withLock { $0 = status }
        exited.signal()
    }

    private func collectStderr(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            stderrTail.withLock { tail in
                tail.append(contentsOf: buffer[0..<n])
                if tail.count > Limits.claudeStderrTailBytes {
                    tail.removeFirst(tail.count - Limits.claudeStderrTailBytes)
                }
            }
        }
        closeDescriptor(fd)
    }

    private static func makePipe() throws(PosixError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        guard ccp_pipe2(&fds, O_CLOEXEC) == 0 else { throw PosixError("pipe2") }
        return (fds[0], fds[1])
    }
}
