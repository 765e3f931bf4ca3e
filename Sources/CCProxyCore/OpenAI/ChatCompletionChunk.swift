/// One `chat.completion.chunk` of a streamed answer.
///
/// Shape: `{"id","object":"chat.completion.chunk","created","model","choices":[{"index":0,
/// "delta":{"role"?,"content"?,"reasoning_content"?,"tool_calls"?},"logprobs":null,"finish_reason":null|"…"}]}`.
/// The usage chunk that ends a stream with `stream_options.include_usage` has `"choices":[]` and
/// `usage`; with `include_usage`, every other chunk says `"usage":null` (as OpenAI does, and
/// as some clients check), and without it no chunk has the key.
public struct ChatCompletionChunk: Sendable, Equatable, Encodable {
    /// The delta of the one choice. Empty on a terminal chunk (`"delta":{}`).
    public struct Delta: Sendable, Equatable, Encodable {
        /// `"assistant"` on the first chunk of a completion, nil afterwards.
        public var role: String?
        /// Text added by this chunk.
        public var content: String?
        /// Thinking added by this chunk (when the request asked for reasoning).
        public var reasoningContent: String?
        /// Pieces of the client function calls that end the turn (`delta.tool_calls`).
        public var toolCalls: [ToolCallDelta]?

        public init(
            role: String? = nil, content: String? = nil, reasoningContent: String? = nil,
            toolCalls: [ToolCallDelta]? = nil
        ) {
            self.role = role
            self.content = content
            self.reasoningContent = reasoningContent
            self.toolCalls = toolCalls
        }

        private enum CodingKeys: String, CodingKey {
            case role, content
            case reasoningContent = "reasoning_content"
            case toolCalls = "tool_calls"
        }
    }

    public var id: String
    /// Unix seconds; the same for every chunk of one completion.
    public var created: Int
    /// The model id as the client should see it (the alias or passthrough id).
    public var model: String
    /// The one choice's delta; nil for the usage chunk (`"choices":[]`).
    public var delta: Delta?
    /// nil until the terminal chunk.
    public var finishReason: FinishReason?
    /// Only on the usage chunk.
    public var usage: Usage?
    /// Whether the stream reports usage (`include_usage`): then a chunk without it says
    /// `"usage":null` instead of leaving the key out.
    public var reportsUsage: Bool = false

    public init(
        id: String, created: Int, model: String, delta: Delta? = Delta(), finishReason: FinishReason? = nil,
        usage: Usage? = nil
    ) {
        self.id = id
        self.created = created
        self.model = model
        self.delta = delta
        self.finishReason = finishReason
        self.usage = usage
    }

    private enum CodingKeys: String, CodingKey { case id, object, created, model, choices, usage }
    private enum ChoiceKeys: String, CodingKey {
        case index, delta, logprobs
        case finishReason = "finish_reason"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode("chat.completion.chunk", forKey: .object)
        try c.encode(created, forKey: .created)
        try c.encode(model, forKey: .model)
        var choices = c.nestedUnkeyedContainer(forKey: .choices)
        if let delta {
            var choice = choices.nestedContainer(keyedBy: ChoiceKeys.self)
            try choice.encode(0, forKey: .index)
            try choice.encode(delta, forKey: .delta)
            try choice.encodeNil(forKey: .logprobs)
            if let finishReason {
                try choice.encode(finishReason, forKey: .finishReason)
            } else {
                try choice.encodeNil(forKey: .finishReason)
            }
        }
        if let usage {
            try c.encode(usage, forKey: .usage)
        } else if reportsUsage {
            try c.encodeNil(forKey: .usage)
        }
    }
}
