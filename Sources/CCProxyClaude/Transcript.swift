import CCProxyCore

/// A chat conversation turned into what one claude turn receives.
///
/// claude gets one user message per turn, so earlier messages are written out as a transcript:
/// ```
/// Conversation so far:
///
/// [user]
/// hi
///
/// [assistant]
/// hello
///
/// [assistant called tool get_weather (id call_1) with {"city":"Paris"}]
///
/// [tool result for call_1]
/// sunny
///
/// Latest user message:
/// how are you?
/// ```
/// A single user message is sent as is. A conversation ending with an assistant or tool message
/// ends with "Continue the assistant response." instead of the latest user message. System and
/// developer messages form the system text, wherever they stand. Images of earlier messages
/// appear as `[image]`; those of the latest user message are sent as image blocks.
struct Transcript: Equatable {
    /// System and developer messages' text, trimmed, empty ones dropped, joined with `"\n\n"`;
    /// nil when there is none.
    var systemText: String?
    /// The full prompt, transcript included.
    var text: String
    /// The prompt for a resumed session: the latest user message alone, or the continuation
    /// — after the trailing tool results, when the conversation ends with some (claude's
    /// stored session has the calls but not their results: the turn that made them was
    /// stopped at the calls).
    var resumeText: String
    /// Images of the latest user message, in order (none when the last message is not a user's).
    var images: [PromptImage]

    static let continuation = "Continue the assistant response."

    /// Builds the transcript of `messages`.
    /// - Parameter remoteImagesEnabled: `remote_images`, for the error of a remote image URL.
    /// - Throws: 400 (with `param`) when there is no user, assistant or tool message; when the
    ///   latest user message has neither text nor images; for an image `PromptImage` refuses;
    ///   for more than `Limits.maxImagesPerRequest` images.
    static func build(_ messages: [ChatMessage], remoteImagesEnabled: Bool) throws(APIError) -> Transcript {
        var system: [String] = []
        var conversation: [(index: Int, message: ChatMessage)] = []
        for (index, message) in messages.enumerated() {
            if message.role.isInstruction {
                let text = message.content.plainText.trimmingWhitespace()
                if !text.isEmpty { system.append(text) }
            } else {
                conversation.append((index, message))
            }
        }
        guard let last = conversation.last else {
            throw APIError.invalidRequest("messages[] has no user, assistant or tool message", param: "messages")
        }
        let trailingUser = last.message.role == .user
        let prior = trailingUser ? conversation.dropLast().map(\.message) : conversation.map(\.message)

        var images: [PromptImage] = []
        var latest = continuation
        if trailingUser {
            latest = last.message.content.plainText
            images = try latestImages(last.message.content, at: last.index, remoteImagesEnabled: remoteImagesEnabled)
            if latest.trimmingWhitespace().isEmpty && images.isEmpty {
                throw APIError.invalidRequest(
                    "the last user message is empty", param: "messages[\(last.index)].content")
            }
        }
        var text = latest
        if !prior.isEmpty {
            let entries = prior.flatMap(entries(of:)).joined(separator: "\n\n")
            let ending = trailingUser ? "Latest user message:\n" + latest : continuation
            text = "Conversation so far:\n\n" + entries + "\n\n" + ending
        }
        var resume = latest
        let trailingResults = conversation.reversed().prefix { $0.message.role.isToolResult }.reversed()
        if !trailingUser, !trailingResults.isEmpty {
            resume = trailingResults.flatMap { entries(of: $0.message) }.joined(separator: "\n\n") + "\n\n" + continuation
        }
        return Transcript(
            systemText: system.isEmpty ? nil : system.joined(separator: "\n\n"),
            text: text,
            resumeText: resume,
            images: images)
    }

    /// The transcript entries of one earlier message (an assistant message with tool calls
    /// gives one entry per call, after its text if it has any).
    static func entries(of message: ChatMessage) -> [String] {
        let body = rendered(message.content)
        switch message.role {
        case .user:
            return ["[user]\n" + body]
        case .assistant:
            var entries: [String] = []
            if !body.isEmpty || message.toolCalls.isEmpty { entries.append("[assistant]\n" + body) }
            for call in message.toolCalls {
                entries.append("[assistant called tool \(call.name) (id \(call.id)) with \(call.arguments)]")
            }
            return entries
        case .tool, .function:
            return ["[tool result for \(message.toolCallID ?? message.name ?? "")]\n" + body]
        case .system, .developer:
            return []
        }
    }

    /// An earlier message's content: text parts joined with `"\n"`, images as `[image]`.
    private static func rendered(_ content: MessageContent) -> String {
        guard case .parts(let parts) = content else { return content.plainText }
        return parts.map { part in
            switch part {
            case .text(let text): text
            case .imageURL: "[image]"
            }
        }.joined(separator: "\n")
    }

    private static func latestImages(
        _ content: MessageContent, at messageIndex: Int, remoteImagesEnabled: Bool
    ) throws(APIError) -> [PromptImage] {
        guard case .parts(let parts) = content else { return [] }
        var images: [PromptImage] = []
        for (partIndex, part) in parts.enumerated() {
            guard case .imageURL(let url) = part else { continue }
            let path = "messages[\(messageIndex)].content[\(partIndex)].image_url"
            guard images.count < Limits.maxImagesPerRequest else {
                throw APIError.invalidRequest(
                    "\(path): more than \(Limits.maxImagesPerRequest) images in one request",
                    code: "invalid_image", param: path)
            }
            images.append(try PromptImage(url: url, path: path, remoteImagesEnabled: remoteImagesEnabled))
        }
        return images
    }
}
