// Runs in: the supervisor (`ccproxy serve`) and `ccproxyctl`.

import CCProxyPosix
import CCProxyWire
import Glibc

/// Reads one length-prefixed frame from a blocking stream socket, with a receive timeout so a
/// stuck peer cannot stall the supervisor's loop.
enum AdminConnection {
    static func readFrame(_ fd: Int32, maxBytes: Int, timeoutSeconds: Int = 2) throws -> [UInt8] {
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        try setNonBlocking(fd, false)
        let prefix = try readExactly(fd, 4)
        let total = try Frame.announcedLength(prefix: prefix, maxBytes: maxBytes)
        return prefix + (try readExactly(fd, total - 4))
    }

    static func readExactly(_ fd: Int32, _ count: Int) throws(PosixError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let n = buffer[offset...].withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {
                if errno == EINTR { continue }
                throw PosixError("recv")
            }
            if n == 0 { throw PosixError("recv", errno: ECONNRESET) }
            offset += n
        }
        return buffer
    }
}
