import CCPLinux
import Glibc

/// Wakes a poll(2) loop from another thread: `wake()` writes one byte (never blocks; a full
/// pipe already means "wake up"), the loop polls `readFD` and calls `drain()`.
public final class WakeupPipe: Sendable {
    /// The read end: poll it, then `drain()`.
    public let readFD: Int32
    private let writeFD: Int32

    public init() throws(PosixError) {
        var fds: [Int32] = [-1, -1]
        guard ccp_pipe2(&fds, O_CLOEXEC | O_NONBLOCK) == 0 else { throw PosixError("pipe2") }
        readFD = fds[0]
        writeFD = fds[1]
    }

    deinit {
        closeDescriptor(readFD)
        closeDescriptor(writeFD)
    }

    /// Makes `readFD` readable. Safe from any thread.
    public func wake() {
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1)
    }

    /// Empties the pipe (the loop then looks at whatever it was woken for).
    public func drain() {
        var buffer = [UInt8](repeating: 0, count: 256)
        while read(readFD, &buffer, buffer.count) > 0 {}
    }
}
