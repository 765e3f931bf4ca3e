import Glibc

/// Queries and settings on an accepted client TCP socket that never read its bytes: the
/// supervisor uses them to hold a connection without parsing it, the worker to look at a
/// request head before it consumes anything.
public enum ClientSocket {
    /// Bytes waiting in the receive queue. The corresponding C function is ioctl(2) FIONREAD.
    public static func pendingBytes(_ fd: Int32) -> Int {
        var count: Int32 = 0
        guard ioctl(fd, UInt(FIONREAD), &count) == 0 else { return 0 }
        return Int(count)
    }

    /// Sets SO_RCVLOWAT: poll(2) reports the socket readable only once at least `bytes` are
    /// queued (or the peer closed). See socket(7).
    public static func setReceiveLowWater(_ fd: Int32, bytes: Int32) throws(PosixError) {
        var value = max(1, bytes)
        guard setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw PosixError("setsockopt(SO_RCVLOWAT)")
        }
    }

    /// Copies up to `maxBytes` of the receive queue without consuming them, without
    /// blocking. The corresponding C function is recv(2) with MSG_PEEK | MSG_DONTWAIT.
    /// - Returns: the bytes (empty when nothing is queued), or nil when the peer closed and
    ///   nothing is queued.
    public static func peek(_ fd: Int32, maxBytes: Int) throws(PosixError) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: max(1, maxBytes))
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_PEEK | MSG_DONTWAIT)) }
            if n > 0 { return Array(buffer[0..<n]) }
            if n == 0 { return nil }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return []
            default: throw PosixError("recv(MSG_PEEK)")
            }
        }
    }

    /// The peer's IP address as text (no port), or nil. The corresponding C functions are
    /// getpeername(2) and inet_ntop(3). IPv4-mapped IPv6 addresses are shown as IPv4.
    public static func peerAddress(_ fd: Int32) -> String? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        guard rc == 0 else { return nil }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch Int32(storage.ss_family) {
        case AF_INET:
            var address = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            }
            guard inet_ntop(AF_INET, &address, &text, socklen_t(text.count)) != nil else { return nil }
        case AF_INET6:
            var address = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
            }
            guard inet_ntop(AF_INET6, &address, &text, socklen_t(text.count)) != nil else { return nil }
        case AF_UNIX:
            return "unix"
        default:
            return nil
        }
        let address = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return address.hasPrefix("::ffff:") && address.contains(".") ? String(address.dropFirst(7)) : address
    }

    /// Shuts down the writing side (the peer reads EOF after what was sent). The
    /// corresponding C function is shutdown(2) with SHUT_WR.
    public static func shutdownWriting(_ fd: Int32) {
        _ = shutdown(fd, Int32(SHUT_WR))  // best effort: the peer may be gone already
    }
}
