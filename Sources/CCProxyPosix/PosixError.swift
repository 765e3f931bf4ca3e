import Glibc

/// A failed system call: which call, and the errno it left.
///
/// CCProxyPosix is a non-logging library: it throws these with context and lets the
/// process-level code decide whether and how to log.
public struct PosixError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The C function that failed, e.g. `sendmsg`.
    public var call: String
    /// The `errno` value it set.
    public var errno: Int32

    public init(_ call: String, errno: Int32 = Glibc.errno) {
        self.call = call
        self.errno = errno
    }

    /// Whether a failed connect(2) to a Unix socket means that nothing listens there: no
    /// socket file (ENOENT) or one nobody accepts on (ECONNREFUSED).
    public var isNothingListening: Bool { errno == ENOENT || errno == ECONNREFUSED }

    /// The process or the system ran out of descriptors or buffer memory (EMFILE, ENFILE,
    /// ENOBUFS, ENOMEM): retrying at once would fail the same way.
    public var isResourceExhaustion: Bool {
        errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM
    }

    public var description: String {
        "\(call): \(String(cString: strerror(errno)))"
    }
}

/// Closes `fd`, ignoring the result: on Linux the descriptor is released even when
/// close(2) reports EINTR, so retrying would close someone else's descriptor.
public func closeDescriptor(_ fd: Int32) {
    guard fd >= 0 else { return }
    _ = Glibc.close(fd)
}

/// Sets or clears O_NONBLOCK on `fd`. The corresponding C function is fcntl(2).
public func setNonBlocking(_ fd: Int32, _ on: Bool) throws(PosixError) {
    let flags = fcntl(fd, F_GETFL)
    guard flags >= 0 else { throw PosixError("fcntl(F_GETFL)") }
    let newFlags = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK
    guard fcntl(fd, F_SETFL, newFlags) == 0 else { throw PosixError("fcntl(F_SETFL)") }
}
