import CCProxyCore

/// The content strings of `narrated` output: one short line per tool call and per result.
enum NarratedFormat {
    /// `"\n🔧 Name(key=value, key2=value2)\n"`: keys sorted, each value compact JSON cut at
    /// `Limits.narratedToolInputValueBytes`, the argument list cut at
    /// `Limits.narratedToolSummaryBytes` (each cut marked with "…"). The closing parenthesis
    /// is kept after a cut so the line still reads as a call. An input that is not an object
    /// (claude always sends one; this is for robustness) is shown as one value.
    static func toolUse(name: String, input: JSONValue?) -> String {
        let arguments: String
        switch input {
        case .object(let members)?:
            arguments = members.sorted { $0.key < $1.key }
                .map { "\($0.key)=\(value($0.value))" }
                .joined(separator: ", ")
        case let other?:
            arguments = value(other)
        case nil:
            arguments = ""
        }
        let summary = UTF8Truncation.ellipsized(arguments[...], maxBytes: Limits.narratedToolSummaryBytes)
        return "\n🔧 \(name)(\(summary))\n"
    }

    /// `"↳ <first line>\n"`, or `"✗ <first line>\n"` for a failed tool: the first non-blank line
    /// of the result (system reminders removed), trimmed, cut at `Limits.narratedToolResultBytes`
    /// with "…"; `(no output)` when there is none.
    static func toolResult(_ text: String, isError: Bool) -> String {
        let marker = isError ? "✗" : "↳"
        guard let line = ToolResultText.firstLine(text) else { return "\(marker) (no output)\n" }
        return "\(marker) \(UTF8Truncation.ellipsized(line, maxBytes: Limits.narratedToolResultBytes))\n"
    }

    private static func value(_ value: JSONValue) -> String {
        UTF8Truncation.ellipsized(value.rendered(.compact)[...], maxBytes: Limits.narratedToolInputValueBytes)
    }
}
