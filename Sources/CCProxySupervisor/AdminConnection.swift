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
}
