/// Token usage as OpenAI reports it.
///
/// `promptTokens` counts every input token the model read, cached ones included (OpenAI's
/// meaning); `cachedPromptTokens` says how many of them were cache reads
/// (`prompt_tokens_details.cached_tokens`). Every count is clamped to `0...Limits.maxTurnTokens`
/// instead of trapping: the numbers come from claude's output, which the worker does not trust
/// to be small.
public struct Usage: Sendable, Equatable, Encodable {
    public var promptTokens: Int
    public var completionTokens: Int
    public var totalTokens: Int
    public var cachedPromptTokens: Int
    public var reasoningTokens: Int

    public init(
        promptTokens: Int, completionTokens: Int, totalTokens: Int? = nil, cachedPromptTokens: Int? = nil,
        reasoningTokens: Int = 0
    ) {
        self.promptTokens = Self.capped(promptTokens)
        self.completionTokens = Self.capped(completionTokens)
        // Both are at most `Limits.maxTurnTokens`, so the sum cannot overflow.
        self.totalTokens = Self.capped(totalTokens ?? self.promptTokens + self.completionTokens)
        self.cachedPromptTokens = Self.capped(cachedPromptTokens ?? 0)
        self.reasoningTokens = Self.capped(reasoningTokens)
    }

    /// A count clamped to `0...Limits.maxTurnTokens`.
    public static func capped(_ count: Int) -> Int {
        min(max(0, count), Limits.maxTurnTokens)
    }

    /// No tokens at all (claude reported none).
    public static let zero = Usage(promptTokens: 0, completionTokens: 0)

    private enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens"
        case completionTokens = "completion_tokens"
        case totalTokens = "total_tokens"
        case promptDetails = "prompt_tokens_details"
        case completionDetails = "completion_tokens_details"
    }
    private enum PromptDetailKeys: String, CodingKey { case cachedTokens = "cached_tokens" }
    private enum CompletionDetailKeys: String, CodingKey { case reasoningTokens = "reasoning_tokens" }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(promptTokens, forKey: .promptTokens)
        try c.encode(completionTokens, forKey: .completionTokens)
        try c.encode(totalTokens, forKey: .totalTokens)
        var prompt = c.nestedContainer(keyedBy: PromptDetailKeys.self, forKey: .promptDetails)
        try prompt.encode(cachedPromptTokens, forKey: .cachedTokens)
        var completion = c.nestedContainer(keyedBy: CompletionDetailKeys.self, forKey: .completionDetails)
        try completion.encode(reasoningTokens, forKey: .reasoningTokens)
    }
}
