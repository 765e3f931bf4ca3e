import CCProxyCore

/// A chat conversation flattened into what one claude turn receives.
///
/// claude gets one user message per turn, so earlier messages are rendered as text:
/// ```
/// Conversation so far:
/// user: hi
/// assistant: hi back
///
/// Latest user message:
/// how are you?
/// ```
/// A single user message is sent as is. A conversation ending with a non-user message (a
/// client replaying a tool round-trip) ends with "Continue the assistant response." instead.
/// Messages with role `system` or `developer` (any case) form the system text, wherever they
/// stand.
struct Prompt: Equatable {
    /// System and developer messages' text, trimmed, empty ones dropped, joined with `"\n\n"`.
    var systemText: String?
    /// The full prompt, preamble included.
    var text: String
    /// The prompt for a resumed session: the trailing user message alone.
    var resumeText: String
    /// Images of the trailing user message, in order.
    var images: [PromptImage]

    static let continuation = "Continue the assistant response."

    /// Flattens `messages`.
    /// - Throws: 400 when there is no non-system message, when the trailing user message is
    ///   empty, or when an image is not a supported `data:` URL.
    static func flatten(_ messages: [ChatMessage]) throws(APIError) -> Prompt {
        var system: [String] = []
        var conversation: [ChatMessage] = []
        for message in messages {
            let role = message.role.lowercased()
            if role == "system" || role == "developer" {
                let text = message.content.plainText.trimmingWhitespace()
                if !text.isEmpty { system.append(text) }
            } else {
                conversation.append(message)
            }
        }
        guard let last = conversation.last else {
            throw APIError.invalidRequest("messages[] has no user or assistant message")
        }
        let trailingUser = last.role.lowercased() == "user"
        let prior = trailingUser ? conversation.dropLast() : conversation[...]

        var text = ""
        if !prior.isEmpty {
            text += "Conversation so far:\n"
            for message in prior {
                text += message.role.lowercased() + ": " + rendered(message.content) + "\n"
            }
            text += trailingUser ? "\nLatest user message:\n" : "\n\(continuation)\n"
        }
        var images: [PromptImage] = []
        var resumeText = continuation
        if trailingUser {
            let latest = last.content.plainText
            text += latest
            resumeText = latest
            if case .parts(let parts) = last.content {
                for case .imageURL(let url) in parts { images.append(try PromptImage(dataURL: url)) }
            }
            if latest.trimmingWhitespace().isEmpty && images.isEmpty {
                throw APIError.invalidRequest("the last user message is empty")
            }
        }
        return Prompt(
            systemText: system.isEmpty ? nil : system.joined(separator: "\n\n"),
            text: text,
            resumeText: resumeText,
            images: images
        )
    }

    /// A prior message's content on its transcript line; images become `[image]`.
    private static func rendered(_ content: MessageContent) -> String {
        guard case .parts(let parts) = content else { return content.plainText }
        var pieces: [String] = []
        for part in parts {
            switch part {
            case .text(let text): pieces.append(text)
            case .imageURL: pieces.append("[image]")
            case .other: break
            }
        }
        return pieces.joined(separator: "\n")
    }
}
