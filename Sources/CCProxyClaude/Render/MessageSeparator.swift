/// Puts a blank line between the pieces of one output channel (text, or reasoning) that come
/// from different assistant messages: claude's messages before and after a tool run are
/// separate paragraphs, while the deltas of one message join seamlessly.
struct MessageSeparator: Sendable {
    /// The message of the last piece passed through, nil before the first.
    private var lastMessage: String?

    /// True until a piece has passed through.
    var isEmpty: Bool { lastMessage == nil }

    /// `piece`, preceded by `"\n\n"` when an earlier piece came from another message.
    mutating func separate(_ piece: String, message: String) -> String {
        defer { lastMessage = message }
        guard let lastMessage, lastMessage != message else { return piece }
        return "\n\n" + piece
    }
}
