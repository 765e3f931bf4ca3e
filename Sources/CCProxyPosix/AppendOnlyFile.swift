import Glibc

/// A new file written front to back: created exclusively (an existing file of that name is
/// never reused or overwritten, and a symlink is not followed), mode 0600 from the start.
/// Not thread-safe; one owner writes.
public final class AppendOnlyFile {
    private var descriptor: Int32
    /// Bytes written so far.
    public private(set) var size = 0

    /// Creates the file. The corresponding C function is open(2) with O_CREAT|O_EXCL|O_NOFOLLOW.
    /// - Throws: `PosixError` with `EEXIST` when the name is taken.
    public init(creatingExclusively path: String) throws(PosixError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw PosixError("open \(path)") }
        descriptor = fd
    }

    /// Appends every byte (retrying short writes and EINTR).
    public func append(_ bytes: [UInt8]) throws(PosixError) {
        guard descriptor >= 0 else { throw PosixError("write", errno: EBADF) }
        try writeAll(descriptor, bytes)
        size += bytes.count
    }

    /// Closes the file; later appends fail with EBADF.
    public func close() {
        guard descriptor >= 0 else { return }
        _ = Glibc.close(descriptor)
        descriptor = -1
    }

    deinit { close() }
}
