import CCPLinux
import Glibc

/// Listening TCP sockets: bound here, or inherited from systemd.
public enum TCPListener {
    /// Creates a CLOEXEC, non-blocking listening socket on `host:port` (`""` = all
    /// interfaces, IPv6 dual-stack when available). The corresponding C functions are
    /// getaddrinfo(3), socket(2), bind(2) and listen(2).
    public static func bind(host: String, port: Int, backlog: Int32 = 511) throws(PosixError) -> Int32 {
        guard (0...65535).contains(port) else { throw PosixError("bind \(host):\(port)", errno: EINVAL) }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let node: String? = host.isEmpty ? nil : host
        let rc: Int32
        if let node {
            rc = getaddrinfo(node, String(port), &hints, &list)
        } else {
            rc = getaddrinfo(nil, String(port), &hints, &list)
        }
        guard rc == 0, let first = list else { throw PosixError("getaddrinfo \(host)", errno: EADDRNOTAVAIL) }
        defer { freeaddrinfo(list) }
        // Prefer IPv6 for the wildcard (dual-stack serves IPv4 too), else the first result.
        var candidates: [UnsafeMutablePointer<addrinfo>] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            candidates.append(entry)
            cursor = entry.pointee.ai_next
        }
        if host.isEmpty {
            candidates.sort { a, b in a.pointee.ai_family == AF_INET6 && b.pointee.ai_family != AF_INET6 }
        }
        var lastError = PosixError("bind", errno: EADDRNOTAVAIL)
        for entry in candidates {
            let info = entry.pointee
            let fd = socket(info.ai_family, info.ai_socktype | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), info.ai_protocol)
            guard fd >= 0 else { lastError = PosixError("socket"); continue }
            var one: Int32 = 1
            _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            if info.ai_family == AF_INET6 && host.isEmpty {
                var zero: Int32 = 0
                _ = setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &zero, socklen_t(MemoryLayout<Int32>.size))
            }
            if Glibc.bind(fd, info.ai_addr, info.ai_addrlen) == 0 && listen(fd, backlog) == 0 {
                return fd
            }
            lastError = PosixError("bind \(host):\(port)")
            closeDescriptor(fd)
        }
        throw lastError
    }

    /// Sets TCP_DEFER_ACCEPT: the kernel hands a connection to accept(2) only once the
    /// client has sent data (or after about `seconds`), so connections that never send a
    /// request never reach a worker. See tcp(7).
    public static func deferAccept(_ fd: Int32, seconds: Int32) throws(PosixError) {
        var value = seconds
        guard setsockopt(fd, Int32(IPPROTO_TCP), TCP_DEFER_ACCEPT, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw PosixError("setsockopt(TCP_DEFER_ACCEPT)")
        }
    }

    /// Accepts one connection as a CLOEXEC, *blocking* socket (the worker that adopts it
    /// decides its mode). Returns nil when nothing is pending (EAGAIN) or on the transient
    /// errors accept(2) documents for aborted connections. Running out of descriptors
    /// (EMFILE, ENFILE) or memory throws: see `PosixError.isResourceExhaustion`.
    public static func accept(_ listener: Int32) throws(PosixError) -> OwnedDescriptor? {
        let fd = ccp_accept4(listener, Int32(SOCK_CLOEXEC.rawValue))
        if fd >= 0 { return OwnedDescriptor(adopting: fd) }
        switch errno {
        case EAGAIN, EWOULDBLOCK, ECONNABORTED, EPROTO, ENETDOWN, ENOPROTOOPT, EHOSTDOWN, ENONET,
            EHOSTUNREACH, EOPNOTSUPP, ENETUNREACH:
            return nil
        default:
            throw PosixError("accept4")
        }
    }

    /// The local port a socket is bound to (useful after binding port 0).
    public static func localPort(_ fd: Int32) -> Int? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard rc == 0 else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
        default:
            return nil
        }
    }
}
