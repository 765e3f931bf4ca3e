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

    /// Whether a FUSE filesystem is mounted at `path` (statfs f_type FUSE_SUPER_MAGIC); false
    /// for anything else, and when `path` cannot be looked at. Needs no privilege. A dead
    /// FUSE mount (its helper gone) answers ENOTCONN: false too.
    public static func isFuse(_ path: String) -> Bool {
        ccp_is_fuse_mount(path) == 1
    }
}
