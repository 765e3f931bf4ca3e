/// A `POST /v1/chat/completions` request, reduced to what ccproxy acts on.
public struct ChatCompletionRequest: Sendable, Equatable {
    /// `model` as sent, minus any `:session=<id>` suffix; nil when absent, null or empty.
    public var model: String?
    /// Never empty after `decode`.
    public var messages: [ChatMessage]
    /// `stream`; false when absent or null.
    public var stream: Bool
    /// `reasoning_effort` as sent (not yet validated); nil when absent or null.
    public var reasoningEffort: String?
    /// Body `session_id` (trimmed), else the `:session=<id>` suffix of `model`; nil when neither.
    /// The `X-CC-Session` header, which takes precedence, is the caller's.
    public var sessionID: String?
    /// `stream_options.include_usage`; nil when not given.
    public var includeUsage: Bool?
    /// Parameters present (and not null) that ccproxy cannot honour, in a fixed order, for
    /// `X-CC-Ignored-Params`: temperature, top_p, max_tokens, max_completion_tokens, n (unless 1),
    /// stop, presence_penalty, frequency_penalty, logit_bias, logprobs, top_logprobs, seed,
    /// response_format, tools, tool_choice, parallel_tool_calls.
    public var ignoredParameters: [String]

    public init(
        model: String? = nil,
        messages: [ChatMessage],
        stream: Bool = false,
        reasoningEffort: String? = nil,
        sessionID: String? = nil,
        includeUsage: Bool? = nil,
        ignoredParameters: [String] = []
    ) {
        self.model = model
        self.messages = messages
        self.stream = stream
        self.reasoningEffort = reasoningEffort
        self.sessionID = sessionID
        self.includeUsage = includeUsage
        self.ignoredParameters = ignoredParameters
    }
}
