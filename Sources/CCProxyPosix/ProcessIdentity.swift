import CCPLinux
import Glibc

/// The real user and group of this process (what files a FUSE helper serves appear owned by).
public enum ProcessIdentity {
    public static var userID: UInt32 { getuid() }
    public static var groupID: UInt32 { getgid() }
}

/// Capabilities (the Linux kind), for the FUSE manager, which keeps only what mounting needs.
public enum Capabilities {
    /// CAP_DAC_READ_SEARCH: reaching a mount point inside the service user's 0700 state directory.
    public static let dacReadSearch: Int32 = 2
    /// CAP_SYS_ADMIN: mount(2) and umount2(2).
    public static let sysAdmin: Int32 = 21

    /// Keeps only `capabilities` (of those the process has), in its own sets and, where
    /// CAP_SETPCAP allows, in the bounding set, so that what it executes gets no more.
    /// - Returns: whether the bounding set was reduced too.
    @discardableResult
    public static func keepOnly(_ capabilities: [Int32]) throws(PosixError) -> Bool {
        var bounded: Int32 = 0
        let result = capabilities.withUnsafeBufferPointer { ccp_keep_only_capabilities($0.baseAddress, Int32($0.count), &bounded) }
        guard result == 0 else { throw PosixError("capset") }
        return bounded == 1
    }
}
