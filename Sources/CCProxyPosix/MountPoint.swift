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
}
