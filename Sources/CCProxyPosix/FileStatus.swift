import Glibc

/// What lstat(2)/fstat(2) said about a file, as plain values.
public struct FileStatus: Sendable, Equatable {
    /// `st_mode`: type and permission bits.
    public var mode: UInt32
    public var size: Int64
    /// Modification time, Unix nanoseconds.
    public var modificationNanos: Int64

    public var isDirectory: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFDIR) }
    public var isSymlink: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFLNK) }
    public var isRegular: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFREG) }
    public var isSocket: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFSOCK) }

    /// Whether `path` is a Unix socket (lstat: a link to one is not).
    public static func isSocket(_ path: String) -> Bool {
        var st = stat()
        guard lstat(path, &st) == 0 else { return false }
        return FileStatus(st).isSocket
    }

    public init(mode: UInt32, size: Int64, modificationNanos: Int64) {
        self.mode = mode
        self.size = size
        self.modificationNanos = modificationNanos
    }

    init(_ st: stat) {
        mode = UInt32(st.st_mode)
        size = Int64(st.st_size)
        modificationNanos = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
    }
}
