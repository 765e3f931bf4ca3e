/// An IPv4 or IPv6 address as bytes, and whether it is reachable only inside a host or a
/// private network. Pure: the worker resolves names (CCProxyPosix) and asks this type, so
/// that `remote_images` cannot be pointed at the server's own loopback services, the cloud
/// metadata endpoint (169.254.169.254) or the operator's LAN.
public enum IPAddress: Sendable, Equatable, CustomStringConvertible {
    case v4(UInt8, UInt8, UInt8, UInt8)
    case v6([UInt8])

    /// An address from its 4 or 16 bytes; nil for any other length.
    public init?(bytes: [UInt8]) {
        switch bytes.count {
        case 4: self = .v4(bytes[0], bytes[1], bytes[2], bytes[3])
        case 16: self = .v6(bytes)
        default: return nil
        }
    }

    /// Whether the address is not a public unicast address: unspecified, loopback, private
    /// (RFC 1918, RFC 4193), shared (100.64/10), link-local, benchmarking, reserved,
    /// multicast or broadcast — including IPv4 addresses embedded in IPv6 (mapped,
    /// compatible, NAT64).
    public var isNonPublic: Bool {
        switch self {
        case .v4(let a, let b, _, _):
            return a == 0 || a == 10 || a == 127 || a >= 224
                || (a == 100 && b & 0xC0 == 64)
                || (a == 169 && b == 254)
                || (a == 172 && b & 0xF0 == 16)
                || (a == 192 && b == 168)
                || (a == 192 && b == 0)
                || (a == 198 && b & 0xFE == 18)
        case .v6(let bytes):
            if let embedded = embeddedV4(bytes) { return embedded.isNonPublic }
            let first = bytes[0]
            let second = bytes[1]
            if bytes.allSatisfy({ $0 == 0 }) { return true }  // ::
            if bytes.dropLast().allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }  // ::1
            if first & 0xFE == 0xFC { return true }  // fc00::/7 unique local
            if first == 0xFE && second & 0xC0 == 0x80 { return true }  // fe80::/10 link-local
            if first == 0xFE && second & 0xC0 == 0xC0 { return true }  // fec0::/10 site-local (deprecated)
            if first == 0xFF { return true }  // multicast
            if first == 0x20 && second == 0x01 && bytes[2] == 0x0D && bytes[3] == 0xB8 { return true }  // documentation
            return false
        }
    }

    /// The IPv4 address inside ::ffff:a.b.c.d, ::a.b.c.d or 64:ff9b::a.b.c.d, if any.
    private func embeddedV4(_ bytes: [UInt8]) -> IPAddress? {
        let tail = IPAddress.v4(bytes[12], bytes[13], bytes[14], bytes[15])
        let head = bytes.prefix(12)
        if head.prefix(10).allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF { return tail }
        if head.allSatisfy({ $0 == 0 }) && !(bytes[12] == 0 && bytes[13] == 0 && bytes[14] == 0) { return tail }
        if Array(head) == [0, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0] { return tail }
        return nil
    }

    public var description: String {
        switch self {
        case .v4(let a, let b, let c, let d):
            return "\(a).\(b).\(c).\(d)"
        case .v6(let bytes):
            return stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
                .joined(separator: ":")
        }
    }
}
