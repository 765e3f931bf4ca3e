/// claude's `--effort` levels (`X-CC-Effort`, `reasoning_effort`, an alias, `default_effort`).
public enum Effort: String, Sendable, Codable, CaseIterable {
    case low, medium, high, xhigh, max

    /// The accepted values, in order, for error messages.
    public static let allowedValues = allCases.map(\.rawValue)

    /// Parses a value: trimmed and lowercased; OpenAI's `minimal` and `none` (which claude has
    /// no equivalent for) read as `low`.
    /// - Parameters:
    ///   - source: how the error names the value (`X-CC-Effort`, `reasoning_effort`).
    ///   - param: the request field for the error's `param` (nil for a header).
    /// - Returns: nil for an absent or empty value.
    /// - Throws: 400 `invalid_effort` naming `source`, the value and the allowed values.
    public static func parse(_ raw: String?, source: String, param: String? = nil) throws(APIError) -> Effort? {
        guard let raw else { return nil }
        let value = raw.trimmingWhitespace().lowercased()
        if value.isEmpty { return nil }
        if value == "minimal" || value == "none" { return .low }
        guard let effort = Effort(rawValue: value) else {
            throw APIError.invalidRequest(
                "\(source) \"\(raw)\" must be one of: \(allowedValues.joined(separator: ", "))",
                code: "invalid_effort", param: param)
        }
        return effort
    }
}
