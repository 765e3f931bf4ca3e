import Glibc

/// The real user and group of this process (what files a FUSE helper serves appear owned by).
public enum ProcessIdentity {
    public static var userID: UInt32 { getuid() }
    public static var groupID: UInt32 { getgid() }
}
