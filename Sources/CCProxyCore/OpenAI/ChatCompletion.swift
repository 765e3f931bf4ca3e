/// A complete, non-streamed answer: `object` `chat.completion`, one choice whose message has
/// role `assistant`.
///
/// Shape: `{"id","object":"chat.completion","created","model","choices":[{"index":0,
/// "message":{"role":"assistant","content","reasoning_content"?,"tool_calls"?},"logprobs":null,
/// "finish_reason"}],"usage"}`. `reasoning_content` is written only when non-empty;
/// `tool_calls` only when there are calls, and then an empty `content` is `null` (as OpenAI
/// sends it).
public struct ChatCompletion: Sendable, Equatable, Encodable {
    public var id: String
    public var created: Int
    public var model: String
    /// The assistant's text.
    public var content: String
    /// Thinking, when the request asked for reasoning; nil or empty is omitted.
    public var reasoningContent: String?
    public var finishReason: FinishReason
    public var usage: Usage
    /// The client function calls that ended the turn (`finish_reason` `tool_calls`).
    public var toolCalls: [ToolCall]

    public init(
        id: String, created: Int, model: String, content: String, reasoningContent: String? = nil,
        finishReason: FinishReason, usage: Usage, toolCalls: [ToolCall] = []
    ) {
        self.toolCalls = toolCalls
        self.id = id
        self.created = created
        self.model = model
        self.content = content
        self.reasoningContent = reasoningContent
        self.finishReason = finishReason
        self.usage = usage
    }

    private enum CodingKeys: String, CodingKey { case id, object, created, model, choices, usage }
    private enum ChoiceKeys: String, CodingKey {
        case index, message, logprobs
        case finishReason = "finish_reason"
    }
    private enum MessageKeys: String, CodingKey {
        case role, content
        case reasoningContent = "reasoning_content"
        case toolCalls = "tool_calls"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode("chat.completion", forKey: .object)
        try c.encode(created, forKey: .created)
        try c.encode(model, forKey: .model)
        var choices = c.nestedUnkeyedContainer(forKey: .choices)
        var choice = choices.nestedContainer(keyedBy: ChoiceKeys.self)
        try choice.encode(0, forKey: .index)
        var message = choice.nestedContainer(keyedBy: MessageKeys.self, forKey: .message)
        try message.encode("assistant", forKey: .role)
        if toolCalls.isEmpty || !content.isEmpty {
            try message.encode(content, forKey: .content)
        } else {
            try message.encodeNil(forKey: .content)
        }
        if !toolCalls.isEmpty { try message.encode(toolCalls, forKey: .toolCalls) }
        if let reasoningContent, !reasoningContent.isEmpty {
            try message.encode(reasoningContent, forKey: .reasoningContent)
        }
        try choice.encodeNil(forKey: .logprobs)
        try choice.encode(finishReason, forKey: .finishReason)
        try c.encode(usage, forKey: .usage)
    }
}
