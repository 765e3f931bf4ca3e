import Glibc

/// Name resolution for outbound fetches (getaddrinfo(3)).
public enum HostResolver {
    /// Why a name could not be resolved: getaddrinfo's own error text (it reports EAI_*
    /// codes, not errno).
    public struct Failure: Error, Equatable, CustomStringConvertible, Sendable {
        public var host: String
        public var reason: String
        public var description: String { "cannot resolve \(host): \(reason)" }
    }

    /// The raw bytes (4 for IPv4, 16 for IPv6) of every address `host` resolves to, each
    /// once, in the resolver's order. An IP literal resolves to itself.
    public static func addresses(of host: String) throws(Failure) -> [[UInt8]] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, nil, &hints, &list)
        guard rc == 0 else {
            throw Failure(host: host, reason: String(cString: gai_strerror(rc)))
        }
        defer { freeaddrinfo(list) }
        var found: [[UInt8]] = []
        var cursor = list
        while let entry = cursor {
            let info = entry.pointee
            cursor = info.ai_next
            guard let address = info.ai_addr else { continue }
            var bytes: [UInt8] = []
            if info.ai_family == AF_INET {
                address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                    withUnsafeBytes(of: v4.pointee.sin_addr) { bytes = Array($0) }
                }
            } else if info.ai_family == AF_INET6 {
                address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                    withUnsafeBytes(of: v6.pointee.sin6_addr) { bytes = Array($0) }
                }
            }
            if !bytes.isEmpty, !found.contains(bytes) { found.append(bytes) }
        }
        return found
    }
}
