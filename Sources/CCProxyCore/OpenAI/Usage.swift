/// Token usage as OpenAI reports it.
///
/// `promptTokens` counts every input token the model read, cached ones included (OpenAI's
/// meaning); `cachedPromptTokens`, when known, says how many of them were cache reads and is
/// written as `prompt_tokens_details.cached_tokens`. `reasoningTokens` counts the completion
/// tokens spent thinking (already included in `completionTokens`), for
/// `completion_tokens_details.reasoning_tokens`.
public struct Usage: Sendable, Equatable {
    public var promptTokens: Int
    public var completionTokens: Int
    public var totalTokens: Int
    public var cachedPromptTokens: Int?
    public var reasoningTokens: Int

    /// - Parameter totalTokens: defaults to the sum of prompt and completion tokens, saturating
    ///   at `Int.max` (counts come from a peer's JSON and must not trap).
    public init(
        promptTokens: Int, completionTokens: Int, totalTokens: Int? = nil, cachedPromptTokens: Int? = nil,
        reasoningTokens: Int = 0
    ) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        let (sum, overflow) = promptTokens.addingReportingOverflow(completionTokens)
        self.totalTokens = totalTokens ?? (overflow ? (completionTokens < 0 ? Int.min : Int.max) : sum)
        self.cachedPromptTokens = cachedPromptTokens
        self.reasoningTokens = reasoningTokens
    }

    /// The JSON object, e.g. `{"prompt_tokens":3,"completion_tokens":5,"total_tokens":8}`.
    public var json: String {
        var out = "{\"prompt_tokens\":\(promptTokens),\"completion_tokens\":\(completionTokens)"
        out += ",\"total_tokens\":\(totalTokens)"
        if let cachedPromptTokens {
            out += ",\"prompt_tokens_details\":{\"cached_tokens\":\(cachedPromptTokens)}"
        }
        out += "}"
        return out
    }
}
