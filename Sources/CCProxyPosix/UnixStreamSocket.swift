import CCPLinux
import Glibc

/// Unix stream sockets for the admin channel (`ccproxyctl` ↔ supervisor).
public enum UnixStreamSocket {
    /// Binds and listens on `path` (replacing a stale socket file), mode 0600.
    public static func listen(path: String) throws(PosixError) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw PosixError("socket") }
        _ = unlink(path)
        var address = try makeAddress(path)
        let oldMask = umask(0o177)
        defer { umask(oldMask) }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard rc == 0 else {
            let error = PosixError("bind \(path)")
            closeDescriptor(fd)
            throw error
        }
        guard Glibc.listen(fd, 16) == 0 else {
            let error = PosixError("listen")
            closeDescriptor(fd)
            throw error
        }
        _ = chmod(path, 0o600)
        return fd
    }

    /// Connects to `path`; blocking, CLOEXEC.
    public static func connect(path: String) throws(PosixError) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw PosixError("socket") }
        var address = try makeAddress(path)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard rc == 0 else {
            let error = PosixError("connect \(path)")
            closeDescriptor(fd)
            throw error
        }
        return fd
    }

    /// A connected pair of blocking stream sockets, both CLOEXEC (socketpair(2)): the
    /// channel between the FUSE helper and a bridge worker.
    public static func makePair() throws(PosixError) -> (Int32, Int32) {
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            throw PosixError("socketpair")
        }
        return (fds[0], fds[1])
    }

    /// Sends all of `bytes` on a blocking socket, retrying short sends and EINTR. A peer
    /// that has gone is EPIPE, never SIGPIPE (MSG_NOSIGNAL), whatever the process's signal
    /// dispositions; a send timeout (SO_SNDTIMEO) is EAGAIN.
    public static func sendAll(_ fd: Int32, _ bytes: [UInt8]) throws(PosixError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw PosixError("send")
            }
            offset += n
        }
    }

    /// Makes blocking reads on `fd` fail (EAGAIN) after `seconds` without data (SO_RCVTIMEO).
    /// Receives what is there (up to `maxBytes`), blocking until something is; empty at
    /// the peer's end. EINTR is retried; a receive timeout (SO_RCVTIMEO) is EAGAIN.
    public static func receive(_ fd: Int32, maxBytes: Int) throws(PosixError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: max(1, maxBytes))
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EINTR { continue }
                throw PosixError("recv")
            }
            return Array(buffer[0..<n])
        }
    }

    public static func setReceiveTimeout(_ fd: Int32, seconds: Double) throws(PosixError) {
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1_000_000))
        guard setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size)) == 0 else {
            throw PosixError("setsockopt SO_RCVTIMEO")
        }
    }

    /// Makes blocking writes on `fd` fail (EAGAIN) after `seconds` without progress
    /// (SO_SNDTIMEO), so that a peer that stops reading cannot block a writer forever.
    public static func setSendTimeout(_ fd: Int32, seconds: Double) throws(PosixError) {
        var timeout = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1_000_000))
        guard setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size)) == 0 else {
            throw PosixError("setsockopt SO_SNDTIMEO")
        }
    }

    /// The uid of the process at the other end. The corresponding C option is SO_PEERCRED.
    public static func peerUID(_ fd: Int32) -> uid_t? {
        let uid = ccp_peer_uid(fd)
        return uid >= 0 ? uid_t(uid) : nil
    }

    private static func makeAddress(_ path: String) throws(PosixError) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { throw PosixError("socket path \(path)", errno: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
            raw[bytes.count] = 0
        }
        return address
    }
}
