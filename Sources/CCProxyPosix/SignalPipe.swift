import CCPLinux
import Glibc

/// Turns signals into bytes on a pipe (the self-pipe trick), so that a poll(2) loop sees
/// them as ordinary readable events. The handler only writes one byte; everything else
/// happens in the loop, outside signal context.
public struct SignalPipe: Sendable {
    /// The read end: poll it, then call `drain()`.
    public let readFD: Int32
    private let writeFD: Int32

    /// Installs handlers for `signals`. Only one SignalPipe may exist per process.
    public init(signals: [Int32]) throws(PosixError) {
        var fds: [Int32] = [-1, -1]
        guard ccp_pipe2(&fds, O_CLOEXEC | O_NONBLOCK) == 0 else { throw PosixError("pipe2") }
        readFD = fds[0]
        writeFD = fds[1]
        let installed = signals.withUnsafeBufferPointer { buffer in
            ccp_install_signal_pipe(fds[1], buffer.baseAddress, Int32(buffer.count))
        }
        guard installed == 0 else {
            let error = PosixError("sigaction")
            closeDescriptor(fds[0])
            closeDescriptor(fds[1])
            throw error
        }
    }

    /// Returns the signals that arrived since the last call (in order, duplicates kept).
    public func drain() -> [Int32] {
        var result: [Int32] = []
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let n = read(readFD, &buffer, buffer.count)
            guard n > 0 else { break }
            result.append(contentsOf: buffer[0..<n].map { Int32($0) })
        }
        return result
    }

    /// Sets SIGPIPE to ignored: a write to a closed socket then fails with EPIPE instead of
    /// killing the process.
    public static func ignoreBrokenPipe() {
        _ = ccp_ignore_signal(SIGPIPE)
    }
}
