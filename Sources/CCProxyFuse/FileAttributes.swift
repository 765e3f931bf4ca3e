// Runs in: ccproxy-fuse (the FUSE helper).
import CCProxyBridgeProtocol
import Glibc

/// The `struct stat` the kernel gets for a bridge entry. Pure (a value from a value).
///
/// Files appear owned by `owner` (the user the helper serves them for), since the laptop's
/// uids mean nothing here; the daemon enforces what may be done, not the mode bits.
public struct FileAttributes: Sendable, Equatable {
    public var uid: UInt32
    public var gid: UInt32

    public init(uid: UInt32, gid: UInt32) {
        self.uid = uid
        self.gid = gid
    }

    public func stat(inode: UInt64, mode: UInt32, size: Int64, mtimeNanoseconds: Int64) -> Glibc.stat {
        var st = Glibc.stat()
        st.st_ino = UInt(inode)
        st.st_mode = mode
        st.st_nlink = (mode & UInt32(S_IFMT)) == UInt32(S_IFDIR) ? 2 : 1
        st.st_uid = uid
        st.st_gid = gid
        st.st_size = Int(size)
        st.st_blksize = 4096
        st.st_blocks = Int((max(size, 0) + 511) / 512)
        let seconds = mtimeNanoseconds.quotientAndRemainder(dividingBy: 1_000_000_000)
        let mtime = timespec(tv_sec: Int(seconds.quotient), tv_nsec: Int(seconds.remainder))
        st.st_mtim = mtime
        st.st_atim = mtime
        st.st_ctim = mtime
        return st
    }

    public func stat(inode: UInt64, of result: StatResult) -> Glibc.stat {
        stat(inode: inode, mode: Self.mode(result.mode, kind: result.kind), size: result.size, mtimeNanoseconds: result.mtime)
    }

    /// `mode` with its type bits; a daemon speaking the reference's protocol may send
    /// permission bits only, and then `kind` says the type.
    public static func mode(_ mode: UInt32, kind: BridgeFileKind) -> UInt32 {
        guard mode & UInt32(S_IFMT) == 0 else { return mode }
        let type: UInt32 = switch kind {
        case .directory: UInt32(S_IFDIR)
        case .symlink: UInt32(S_IFLNK)
        case .file, .other: UInt32(S_IFREG)
        }
        return type | (mode & 0o7777)
    }
}
