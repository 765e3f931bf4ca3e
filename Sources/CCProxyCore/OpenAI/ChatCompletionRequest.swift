/// A `POST /v1/chat/completions` request, reduced to what ccproxy acts on.
public struct ChatCompletionRequest: Sendable, Equatable {
    /// `model` as sent, minus any `:session=<id>` suffix; nil when absent, null or empty.
    public var model: String?
    /// Never empty after `decode`; roles and content shapes validated.
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
    /// The top-level fields present (not null) that ccproxy does not act on, for
    /// `X-CC-Ignored-Params`: first the known ones in `ignoredParameterOrder`, then unknown
    /// names sorted. At most `Limits.maxIgnoredParameterNames` names and
    /// `Limits.maxIgnoredParametersHeaderBytes` bytes joined with `,`; unknown names that are
    /// not plain identifiers (letters, digits, `_`, `-`, `.`, at most 64 bytes) are left out.
    public var ignoredParameters: [String]
    /// `tools`: the client's functions, validated (names, schemas, `Limits.maxTools`).
    public var tools: [FunctionTool]
    /// `tool_choice`; nil when absent or null (then `auto` when there are tools).
    public var toolChoice: ToolChoice?
    /// `parallel_tool_calls`; nil when absent or null (then true, as OpenAI).
    public var parallelToolCalls: Bool?
    /// `response_format`; nil when absent or null.
    public var responseFormat: ResponseFormat?

    public init(
        model: String? = nil,
        messages: [ChatMessage],
        stream: Bool = false,
        reasoningEffort: String? = nil,
        sessionID: String? = nil,
        includeUsage: Bool? = nil,
        ignoredParameters: [String] = [],
        tools: [FunctionTool] = [],
        toolChoice: ToolChoice? = nil,
        parallelToolCalls: Bool? = nil,
        responseFormat: ResponseFormat? = nil
    ) {
        self.model = model
        self.messages = messages
        self.stream = stream
        self.reasoningEffort = reasoningEffort
        self.sessionID = sessionID
        self.includeUsage = includeUsage
        self.ignoredParameters = ignoredParameters
        self.tools = tools
        self.toolChoice = toolChoice
        self.parallelToolCalls = parallelToolCalls
        self.responseFormat = responseFormat
    }
}
