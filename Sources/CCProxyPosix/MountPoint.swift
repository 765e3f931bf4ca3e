import CCPLinux
import Glibc

/// Mount points, for the FUSE helper (`ccproxy-fuse`), which cleans a stale mount left by
/// a helper that died before it could unmount (a dead FUSE mount answers ENOTCONN to
/// everything, so nothing could be mounted over it). Needs root or CAP_SYS_ADMIN.
public enum MountPoint {
    /// Lazily detaches whatever is mounted at `path` (umount2 MNT_DETACH). Returns false
    /// when nothing was mounted there (EINVAL) or the path does not exist (ENOENT).
    @discardableResult
    public static func detach(_ path: String) throws(PosixError) -> Bool {
        if ccp_detach_mount(path) == 0 { return true }
        if errno == EINVAL || errno == ENOENT { return false }
        throw PosixError("umount2 \(path)")
    }

    /// Whether a FUSE filesystem is mounted at `path` in this process's mount namespace, as
    /// `/proc/self/mountinfo` lists it. Reading the list never calls into the filesystem, so
    /// a slow or dead FUSE server cannot block the caller (statfs on the mount could).
    /// Needs no privilege; false when the list cannot be read.
    public static func isFuseMounted(at path: String) -> Bool {
        let fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { closeDescriptor(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while bytes.count < 16 << 20 {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return isFuseMounted(at: path, mountInfo: String(decoding: bytes, as: UTF8.self))
    }

    /// The same over a `mountinfo` text (pure, for tests): field 5 is the mount point (with
    /// space, tab, newline and backslash octal-escaped), the field after ` - ` the type.
    public static func isFuseMounted(at path: String, mountInfo: String) -> Bool {
        var escaped = ""
        for character in path {
            switch character {
            case " ": escaped += "\\040"
            case "\t": escaped += "\\011"
            case "\n": escaped += "\\012"
            case "\\": escaped += "\\134"
            default: escaped.append(character)
            }
        }
        for line in mountInfo.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count > 4, fields[4] == escaped, let dash = fields.firstIndex(of: "-"), dash + 1 < fields.count
            else { continue }
            if fields[dash + 1] == "fuse" || fields[dash + 1].hasPrefix("fuse.") { return true }
        }
        return false
    }
}
