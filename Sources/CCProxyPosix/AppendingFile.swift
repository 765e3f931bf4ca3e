import Glibc

/// A log file appended to across runs: opened (created 0600 if missing) with O_APPEND and
/// O_NOFOLLOW, so every write lands at the end even with several writers and a symlink
/// planted at its name is refused. Each `append` is one write(2).
public final class AppendingFile: @unchecked Sendable {
    private let fd: Int32

    public init(path: String) throws(PosixError) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, mode_t(0o600))
        guard fd >= 0 else { throw PosixError("open \(path)") }
        self.fd = fd
    }

    deinit { closeDescriptor(fd) }

    public func append(_ bytes: [UInt8]) throws(PosixError) {
        try writeAll(fd, bytes)
    }

    /// mkdir(2) of one directory with `mode`; an existing one is fine.
    public static func makeDirectory(_ path: String, mode: UInt32) throws(PosixError) {
        if mkdir(path, mode_t(mode)) != 0 && errno != EEXIST { throw PosixError("mkdir \(path)") }
    }
}
