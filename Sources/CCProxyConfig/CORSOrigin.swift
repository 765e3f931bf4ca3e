/// The origins `cors_origins` accepts: `*`, or an origin as browsers send it in `Origin`.
enum CORSOrigin {
    /// Why a text is not an origin.
    struct Problem: Error, Equatable {
        var text: String
    }

    /// `text` as it will be compared with a request's `Origin`: `*` as is; otherwise
    /// `scheme://host[:port]` with scheme and host lowercased.
    ///
    /// Accepted: a scheme (a letter, then letters, digits, `+`, `-`, `.`), `://`, a host of
    /// letters, digits, `.`, `-`, `_` (or an IPv6 address in brackets), and an optional port
    /// 1…65535. No path (not even a trailing `/`), query, fragment, user info or wildcard
    /// inside a host.
    static func normalized(_ text: String) -> Result<String, Problem> {
        if text == "*" { return .success(text) }
        let usage = "must be \"*\" or scheme://host[:port] without a path, e.g. https://chat.example.com"
        guard let separator = text.firstRange(of: "://") else { return .failure(Problem(text: usage)) }
        let scheme = text[..<separator.lowerBound].lowercased()
        var authority = text[separator.upperBound...]
        guard let first = scheme.first, first.isASCIILetter,
            scheme.allSatisfy({ $0.isASCIILetter || $0.isASCIIDigit || $0 == "+" || $0 == "-" || $0 == "." })
        else { return .failure(Problem(text: usage)) }

        var host: Substring
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return .failure(Problem(text: usage)) }
            host = authority[...close]
            authority = authority[authority.index(after: close)...]
            guard host.dropFirst().dropLast().allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                return .failure(Problem(text: usage))
            }
        } else {
            let end = authority.firstIndex(of: ":") ?? authority.endIndex
            host = authority[..<end]
            authority = authority[end...]
            guard host.allSatisfy({ $0.isASCIILetter || $0.isASCIIDigit || $0 == "." || $0 == "-" || $0 == "_" })
            else { return .failure(Problem(text: usage)) }
        }
        guard host.count > (host.hasPrefix("[") ? 2 : 0) else { return .failure(Problem(text: usage)) }
        if !authority.isEmpty {
            let digits = authority.dropFirst()
            guard authority.hasPrefix(":"), !digits.isEmpty, digits.count <= 5, digits.allSatisfy(\.isASCIIDigit),
                let port = Int(digits), (1...65535).contains(port)
            else { return .failure(Problem(text: usage)) }
        }
        return .success(scheme + "://" + host.lowercased() + authority)
    }
}
