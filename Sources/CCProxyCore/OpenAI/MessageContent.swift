/// The `content` of an OpenAI chat message.
public enum MessageContent: Sendable, Equatable {
    /// A JSON string.
    case text(String)
    /// A JSON array of content parts.
    case parts([ContentPart])
    /// `null` or absent (e.g. an assistant message that only carried `tool_calls`).
    case none

    /// The text of the content: the string itself, or the text parts joined with `"\n"`
    /// (non-text parts contribute nothing); empty for `.none`.
    public var plainText: String {
        switch self {
        case .text(let text):
            return text
        case .parts(let parts):
            var texts: [String] = []
            for case .text(let text) in parts { texts.append(text) }
            return texts.joined(separator: "\n")
        case .none:
            return ""
        }
    }
}
