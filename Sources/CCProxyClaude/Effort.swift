import CCProxyCore

/// Reasoning effort levels as `claude --effort` takes them.
enum Effort {
    /// The accepted values, in order.
    static let levels = ["low", "medium", "high", "xhigh", "max"]

    /// `raw` trimmed and lowercased; nil when empty. OpenAI's `minimal` and `none` (which
    /// claude has no equivalent for) read as `low`.
    /// - Throws: 400 naming `source` and the value when it is not a level.
    static func normalize(_ raw: String?, source: String) throws(APIError) -> String? {
        guard let raw else { return nil }
        let value = raw.trimmingWhitespace().lowercased()
        if value.isEmpty { return nil }
        if value == "minimal" || value == "none" { return "low" }
        guard levels.contains(value) else {
            throw APIError.invalidRequest(
                "\(source) \"\(raw)\" must be one of: \(levels.joined(separator: ", "))",
                code: "invalid_effort"
            )
        }
        return value
    }
}
