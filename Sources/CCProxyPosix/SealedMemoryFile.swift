import CCPLinux
import Glibc

/// An anonymous, sealed, read-only memory file (memfd): how the supervisor gives a worker
/// its settings snapshot at a fixed fd without size limits or temporary files.
public enum SealedMemoryFile {
    /// Creates a memfd holding `bytes`, sealed against any change. CLOEXEC: map it into a
    /// child explicitly.
    public static func create(name: String, bytes: [UInt8]) throws(PosixError) -> Int32 {
        let fd = ccp_memfd_create(name)
        guard fd >= 0 else { throw PosixError("memfd_create") }
        do throws(PosixError) {
            try writeAll(fd, bytes)
            guard ccp_memfd_seal(fd) == 0 else { throw PosixError("fcntl(F_ADD_SEALS)") }
            // Children inherit the file position: leave it at the start for sequential readers.
            guard lseek(fd, 0, SEEK_SET) == 0 else { throw PosixError("lseek") }
        } catch {
            closeDescriptor(fd)
            throw error
        }
        return fd
    }

    /// Reads a whole file from the start, at most `maxBytes`.
    public static func readAll(_ fd: Int32, maxBytes: Int) throws(PosixError) -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var offset: off_t = 0
        while true {
            let n = pread(fd, &buffer, buffer.count, offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw PosixError("pread")
            }
            if n == 0 { break }
            result.append(contentsOf: buffer[0..<n])
            offset += off_t(n)
            if result.count > maxBytes { throw PosixError("pread", errno: EFBIG) }
        }
        return result
    }
}

/// Writes all of `bytes` to a blocking `fd`, retrying short writes and EINTR.
public func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws(PosixError) {
    var offset = 0
    while offset < bytes.count {
        let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            throw PosixError("write")
        }
        offset += n
    }
}

/// Reads exactly `count` bytes from a blocking `fd`, retrying short reads and EINTR.
/// End of file before `count` bytes is ECONNRESET (the peer went away mid-message).
public func readExactly(_ fd: Int32, _ count: Int) throws(PosixError) -> [UInt8] {
    var buffer = [UInt8](repeating: 0, count: count)
    var offset = 0
    while offset < count {
        let n = buffer[offset...].withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            throw PosixError("read")
        }
        if n == 0 { throw PosixError("read", errno: ECONNRESET) }
        offset += n
    }
    return buffer
}
