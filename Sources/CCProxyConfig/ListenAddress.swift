/// A TCP address to listen on: `host:port`, `:port` (all interfaces) or `[ipv6]:port`.
///
/// The host is kept as written (without IPv6 brackets) and resolved when the socket is bound;
/// an empty host means every interface. Port 0 asks the kernel for a free port.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// A host name, an IPv4 address, an IPv6 address without brackets, or "" for all interfaces.
    public var host: String
    /// 0...65535.
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// The address in the form `parse` accepts: `:4141`, `127.0.0.1:4141`, `[::1]:4141`.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Parses `host:port`, `:port` or `[ipv6]:port`.
    ///
    /// - Throws: `ConfigurationError` (`.invalid`, one problem) naming the text and the reason.
    public static func parse(_ text: String) throws(ConfigurationError) -> ListenAddress {
        switch validated(text) {
        case .success(let address):
            return address
        case .failure(let reason):
            throw ConfigurationError(invalid: ["listen address \(quoted(text)): \(reason.text)"])
        }
    }

    /// Why a text is not a listen address.
    struct Reason: Error, Equatable {
        var text: String
    }

    /// Parses without throwing a whole configuration error, so callers can name the key.
    static func validated(_ text: String) -> Result<ListenAddress, Reason> {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                return .failure(Reason(text: "missing \"]\" after the IPv6 address"))
            }
            hostPart = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else {
                return .failure(Reason(text: "missing \":<port>\" after \"]\""))
            }
            portPart = rest.dropFirst()
            guard !hostPart.isEmpty, hostPart.allSatisfy(isIPv6Character) else {
                return .failure(Reason(text: "\(quoted(hostPart)) is not an IPv6 address"))
            }
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                return .failure(Reason(text: "missing port (expected host:port, :port or [ipv6]:port)"))
            }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
            if hostPart.contains(":") {
                return .failure(Reason(text: "an IPv6 host must be in brackets, e.g. [::1]:4141"))
            }
            guard hostPart.allSatisfy(isHostCharacter) else {
                return .failure(Reason(text: "\(quoted(hostPart)) is not a host name or IP address"))
            }
        }
        guard !portPart.isEmpty, portPart.count <= 5, portPart.allSatisfy(\.isASCIIDigit),
            let port = Int(portPart), port <= 65535
        else {
            return .failure(Reason(text: "port \(quoted(portPart)) must be a number from 0 to 65535"))
        }
        return .success(ListenAddress(host: String(hostPart), port: port))
    }

    private static func isHostCharacter(_ character: Character) -> Bool {
        character.isASCIIDigit || character.isASCIILetter || character == "." || character == "-"
            || character == "_"
    }

    private static func isIPv6Character(_ character: Character) -> Bool {
        character.isHexDigit || character == ":" || character == "." || character == "%"
            || character.isASCIILetter || character.isASCIIDigit
    }
}
