import Glibc

/// A file descriptor with exactly one owner.
///
/// Non-copyable: it cannot be duplicated by assignment, so it is closed exactly once. Its
/// consumer either closes it (`close()`, or simply letting it go out of scope), passes it to
/// another process (`SeqPacketChannel.send(_:passing:)`, which closes this process's copy), or
/// hands the bare number to an API that takes ownership (`relinquish()`). A leak or a
/// double close becomes a compile error instead of a bug found in production.
public struct OwnedDescriptor: ~Copyable, Sendable {
    /// The descriptor number, for system calls that borrow it. Do not close it.
    public let rawValue: Int32

    /// Takes ownership of `fd` (which must be open and owned by nobody else).
    public init(adopting fd: Int32) {
        precondition(fd >= 0, "OwnedDescriptor needs an open descriptor, got \(fd)")
        rawValue = fd
    }

    deinit {
        closeDescriptor(rawValue)
    }

    /// Gives up ownership without closing: the caller (or the API it passes the number to)
    /// now owns the descriptor.
    public consuming func relinquish() -> Int32 {
        let fd = rawValue
        discard self
        return fd
    }

    /// Closes the descriptor now. The corresponding C function is close(2).
    public consuming func close() {
        // deinit closes.
    }

    /// A second descriptor for the same open file, CLOEXEC, owned by the caller.
    /// The corresponding C function is fcntl(2) with F_DUPFD_CLOEXEC.
    public static func duplicate(_ fd: Int32) throws(PosixError) -> OwnedDescriptor {
        let copy = fcntl(fd, F_DUPFD_CLOEXEC, 0)
        guard copy >= 0 else { throw PosixError("fcntl(F_DUPFD_CLOEXEC)") }
        return OwnedDescriptor(adopting: copy)
    }
}
