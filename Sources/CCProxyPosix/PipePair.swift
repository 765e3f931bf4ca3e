import CCPLinux
import Glibc

/// A pipe(2), both ends close-on-exec (a child gets an end only through an explicit
/// descriptor map).
public struct PipePair: Sendable {
    public let read: Int32
    public let write: Int32

    /// Creates the pipe.
    public static func make() throws(PosixError) -> PipePair {
        var fds: [Int32] = [-1, -1]
        guard ccp_pipe2(&fds, O_CLOEXEC) == 0 else { throw PosixError("pipe2") }
        return PipePair(read: fds[0], write: fds[1])
    }
}
