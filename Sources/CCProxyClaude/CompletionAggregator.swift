import CCProxyCore

/// Folds the chunks of a turn into one `chat.completion`, so that a non-streaming answer says
/// exactly what the stream would have said.
public struct CompletionAggregator: Sendable {
    public let completionID: String
    public let model: String
    public let created: Int
    private var content = ""
    private var finishReason: String?
    private var usage: Usage?

    public init(completionID: String, model: String, created: Int) {
        self.completionID = completionID
        self.model = model
        self.created = created
    }

    /// Adds a chunk: its content is appended; a finish reason or usage replaces earlier ones.
    public mutating func add(_ chunk: ChatCompletionChunk) {
        if let text = chunk.delta.content { content += text }
        if let reason = chunk.finishReason { finishReason = reason }
        if let chunkUsage = chunk.usage { usage = chunkUsage }
    }

    /// The completion so far; `finish_reason` is `stop` when no terminal chunk was added.
    public func completion() -> ChatCompletion {
        ChatCompletion(
            id: completionID,
            created: created,
            model: model,
            content: content,
            finishReason: finishReason ?? "stop",
            usage: usage
        )
    }
}
