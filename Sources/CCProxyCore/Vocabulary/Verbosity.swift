/// How much of a turn a client sees besides the assistant's text (`X-CC-Verbosity`, a token's
/// default, `default_verbosity`).
///
/// | value | shows |
/// |---|---|
/// | `text-only` | the assistant's text; tool use invisible |
/// | `verbose` | tool calls (name, input as fenced JSON) and their results or errors; thinking |
/// | `narrated` | one `🔧 Name(key=value, …)` line per tool call, one `↳`/`✗` line per result |
public enum Verbosity: String, Sendable, Codable, CaseIterable {
    case textOnly = "text-only"
    case verbose
    case narrated

    /// The accepted spellings, for error messages.
    public static let allowedValues = allCases.map(\.rawValue)

    /// Parses a value as a client or an operator wrote it: trimmed, case-insensitive; `text`
    /// and `default` also read as `text-only` (the reference accepted them).
    /// - Returns: nil for an empty value (the caller falls back to the next source).
    /// - Throws: 400 `invalid_verbosity` naming `source` and the allowed values.
    public static func parse(_ raw: String?, source: String) throws(APIError) -> Verbosity? {
        guard let raw else { return nil }
        let value = raw.trimmingWhitespace().lowercased()
        if value.isEmpty { return nil }
        switch value {
        case "text-only", "text", "default": return .textOnly
        case "verbose": return .verbose
        case "narrated": return .narrated
        default:
            throw APIError.invalidRequest(
                "\(source) \"\(raw)\" must be one of: \(allowedValues.joined(separator: ", "))",
                code: "invalid_verbosity")
        }
    }
}
