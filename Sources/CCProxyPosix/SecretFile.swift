import Glibc

/// Files holding a secret: created with mode 0600 from the start (no window in which they
/// are readable by others), replacing any previous file of the same name.
public enum SecretFile {
    /// Writes `bytes` to a new file at `path`, mode 0600. The corresponding C functions are
    /// unlink(2), open(2) with O_CREAT|O_EXCL and write(2).
    public static func write(path: String, bytes: [UInt8]) throws(PosixError) {
        _ = unlink(path)  // a stale file (another owner, other mode) is replaced, not reused
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw PosixError("open \(path)") }
        let descriptor = OwnedDescriptor(adopting: fd)
        do {
            try writeAll(descriptor.rawValue, bytes)
        } catch {
            throw PosixError("write \(path)", errno: error.errno)
        }
        descriptor.close()
    }
}
