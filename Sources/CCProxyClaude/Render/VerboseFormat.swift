import CCProxyCore

/// The content strings of `verbose` output: readable Markdown for tool calls, their results,
/// and thinking.
enum VerboseFormat {
    /// Sent before the first text of a thinking block (streamed or whole).
    static let thinkingOpening = "\n💭 "
    /// Sent after the last text of a thinking block, so a streamed block ends like a whole one.
    static let thinkingClosing = "\n"

    /// `"\n💭 <text>\n"`: a whole thinking block, as the stream would have built it.
    static func thinking(_ text: String) -> String {
        thinkingOpening + text + thinkingClosing
    }

    /// `"\n\n🔧 **Name**\n```json\n<input>\n```\n"`, the input pretty-printed with sorted keys
    /// (`{}` when there is none). A JSON line never starts with a backtick, so the fence holds.
    static func toolUse(name: String, input: JSONValue?) -> String {
        let json = (input ?? .object([:])).rendered(.pretty)
        return "\n\n🔧 **\(name)**\n```json\n\(json)\n```\n"
    }

    /// `"\n↳ **result**\n````\n<body>\n````\n"`, or `✗ **error**` for a failed tool. The body has
    /// system reminders removed and is cut at `Limits.verboseToolResultBytes` with
    /// `"\n… [truncated N bytes]"`.
    static func toolResult(_ text: String, isError: Bool) -> String {
        let heading = isError ? "✗ **error**" : "↳ **result**"
        let (kept, dropped) = UTF8Truncation.prefix(
            ToolResultText.body(text), maxBytes: Limits.verboseToolResultBytes)
        let body = dropped == 0 ? String(kept) : kept + "\n… [truncated \(dropped) bytes]"
        let fence = fence(around: body)
        return "\n\(heading)\n\(fence)\n\(body)\n\(fence)\n"
    }

    /// Four backticks, or one more than the longest run of backticks in `body`: a result that
    /// itself contains a fence (a Markdown file, say) must not close ours early.
    private static func fence(around body: String) -> String {
        var longest = 0
        var run = 0
        for byte in body.utf8 {
            run = byte == UInt8(ascii: "`") ? run + 1 : 0
            longest = max(longest, run)
        }
        return String(repeating: "`", count: max(4, longest + 1))
    }
}
