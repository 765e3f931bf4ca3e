import Glibc

/// The *at(2) family, relative to a directory descriptor, for walking a tree one component
/// at a time without letting the kernel follow symbolic links on its own (the bridge
/// daemon's root confinement). Every call retries EINTR where it can occur and throws the
/// errno otherwise; descriptors returned are O_CLOEXEC and owned by the caller.
public enum DirectoryCalls {
    /// O_PATH (Linux, every architecture Swift runs on); the Glibc overlay does not export it.
    private static let O_PATH: Int32 = 0o10_000_000

    /// open(2) of a directory as an O_PATH handle (no read permission needed, follows links:
    /// used for the root itself, whose location the user chose).
    public static func openDirectory(_ path: String) throws(PosixError) -> Int32 {
        let fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw PosixError("open \(path)") }
        return fd
    }

    /// openat(2) of `name` in `dir` as an O_PATH directory handle, refusing a symbolic link
    /// (ELOOP or ENOTDIR) so that the walk decides about every link itself.
    public static func openSubdirectory(_ dir: Int32, _ name: String) throws(PosixError) -> Int32 {
        let fd = openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw PosixError("openat \(name)") }
        return fd
    }

    /// openat(2) with O_NOFOLLOW|O_CLOEXEC added to `flags`.
    public static func openFile(_ dir: Int32, _ name: String, flags: Int32, mode: UInt32 = 0o644) throws(PosixError) -> Int32 {
        while true {
            let fd = openat(dir, name, flags | O_NOFOLLOW | O_CLOEXEC, mode_t(mode))
            if fd >= 0 { return fd }
            if errno != EINTR { throw PosixError("openat \(name)") }
        }
    }

    /// fstatat(2) without following a link; `name` nil = the directory itself.
    public static func status(_ dir: Int32, _ name: String?) throws(PosixError) -> FileStatus {
        var st = stat()
        let rc = name.map { fstatat(dir, $0, &st, AT_SYMLINK_NOFOLLOW) } ?? fstat(dir, &st)
        guard rc == 0 else { throw PosixError("stat \(name ?? ".")") }
        return FileStatus(st)
    }

    /// fstat(2) of an open descriptor.
    public static func status(of fd: Int32) throws(PosixError) -> FileStatus {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw PosixError("fstat") }
        return FileStatus(st)
    }

    /// readlinkat(2); a link longer than PATH_MAX is refused (ENAMETOOLONG).
    public static func readLink(_ dir: Int32, _ name: String) throws(PosixError) -> String {
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = buffer.withUnsafeMutableBytes { raw -> Int in
            guard let base = raw.baseAddress else { return -1 }
            return readlinkat(dir, name, base.assumingMemoryBound(to: CChar.self), raw.count)
        }
        guard n >= 0 else { throw PosixError("readlink \(name)") }
        guard n < buffer.count else { throw PosixError("readlink \(name)", errno: ENAMETOOLONG) }
        return String(decoding: buffer[0..<n], as: UTF8.self)
    }

    /// The names in directory `name` of `dir` (nil: `dir` itself), without `.` and `..`,
    /// unsorted. The directory is opened with O_NOFOLLOW.
    public static func list(_ dir: Int32, _ name: String?) throws(PosixError) -> [String] {
        let fd = openat(dir, name ?? ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw PosixError("opendir \(name ?? ".")") }
        guard let stream = fdopendir(fd) else {
            let error = PosixError("fdopendir")
            closeDescriptor(fd)
            throw error
        }
        defer { closedir(stream) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { throw PosixError("readdir") }
                break
            }
            let entryName = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if entryName == "." || entryName == ".." { continue }
            names.append(entryName)
        }
        return names
    }

    public static func makeDirectory(_ dir: Int32, _ name: String, mode: UInt32) throws(PosixError) {
        guard mkdirat(dir, name, mode_t(mode)) == 0 else { throw PosixError("mkdir \(name)") }
    }

    /// unlinkat(2): a directory (which must be empty) with `directory`, else a file or link.
    public static func unlink(_ dir: Int32, _ name: String, directory: Bool) throws(PosixError) {
        guard unlinkat(dir, name, directory ? AT_REMOVEDIR : 0) == 0 else { throw PosixError("unlink \(name)") }
    }

    public static func rename(_ fromDir: Int32, _ from: String, _ toDir: Int32, _ to: String) throws(PosixError) {
        guard renameat(fromDir, from, toDir, to) == 0 else { throw PosixError("rename \(from)") }
    }

    /// chmod(2) of the entry `name` in `dir` itself, never of what a link points to: the
    /// entry is pinned with an O_PATH|O_NOFOLLOW descriptor and changed through
    /// `/proc/self/fd`, so a link swapped in after the caller looked is not followed
    /// (fchmodat cannot refuse links on Linux, and fchmod refuses O_PATH descriptors).
    /// A link itself fails with ELOOP (Linux links have no mode of their own).
    public static func changeMode(_ dir: Int32, _ name: String, mode: UInt32) throws(PosixError) {
        let fd = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw PosixError("open \(name)") }
        defer { closeDescriptor(fd) }
        guard try !status(of: fd).isSymlink else { throw PosixError("chmod \(name)", errno: ELOOP) }
        guard chmod("/proc/self/fd/\(fd)", mode_t(mode & 0o7777)) == 0 else { throw PosixError("chmod \(name)") }
    }

    public static func makeSymlink(target: String, _ dir: Int32, _ name: String) throws(PosixError) {
        guard symlinkat(target, dir, name) == 0 else { throw PosixError("symlink \(name)") }
    }

    /// utimensat(2) of the entry itself (a link is not followed); nil leaves a time as is.
    public static func setTimes(_ dir: Int32, _ name: String, accessNanos: Int64?, modificationNanos: Int64?) throws(PosixError) {
        let omit = 1_073_741_822  // UTIME_OMIT, ((1l << 30) - 2l)
        func spec(_ ns: Int64?) -> timespec {
            guard let ns else { return timespec(tv_sec: 0, tv_nsec: omit) }
            let (s, r) = ns.quotientAndRemainder(dividingBy: 1_000_000_000)
            return r < 0 ? timespec(tv_sec: Int(s - 1), tv_nsec: Int(r + 1_000_000_000)) : timespec(tv_sec: Int(s), tv_nsec: Int(r))
        }
        var times = [spec(accessNanos), spec(modificationNanos)]
        guard utimensat(dir, name, &times, AT_SYMLINK_NOFOLLOW) == 0 else { throw PosixError("utimensat \(name)") }
    }

    /// pread(2) of up to `count` bytes at `offset` (fewer only at the end of the file).
    public static func read(_ fd: Int32, count: Int, offset: Int64) throws(PosixError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = buffer.withUnsafeMutableBytes { raw in
                pread(fd, raw.baseAddress.map { $0 + filled }, count - filled, off_t(offset) + off_t(filled))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw PosixError("pread")
            }
            if n == 0 { break }
            filled += n
        }
        buffer.removeSubrange(filled...)
        return buffer
    }

    /// pwrite(2) of all of `bytes` at `offset`.
    public static func write(_ fd: Int32, _ bytes: [UInt8], offset: Int64) throws(PosixError) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                pwrite(fd, raw.baseAddress.map { $0 + done }, bytes.count - done, off_t(offset) + off_t(done))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw PosixError("pwrite")
            }
            done += n
        }
    }

    public static func truncate(_ fd: Int32, size: Int64) throws(PosixError) {
        guard ftruncate(fd, off_t(size)) == 0 else { throw PosixError("ftruncate") }
    }

    public static func sync(_ fd: Int32) throws(PosixError) {
        guard fsync(fd) == 0 else { throw PosixError("fsync") }
    }

    /// realpath(3): the absolute, link-free location of `path`.
    public static func realPath(_ path: String) throws(PosixError) -> String {
        guard let resolved = realpath(path, nil) else { throw PosixError("realpath \(path)") }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// isatty(3).
    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }
}
