/// One entry of `messages` in a chat completion request, validated by
/// `ChatCompletionRequest.decode`.
public struct ChatMessage: Sendable, Equatable {
    public var role: ChatRole
    /// `.none` only for an assistant message that carries tool calls; a tool result without
    /// content is `.text("")`.
    public var content: MessageContent
    /// `name`: the participant's name, or for a `function` message the function answered.
    public var name: String?
    /// An assistant message's `tool_calls` (and legacy `function_call`), in order.
    public var toolCalls: [ToolCall]
    /// A `tool` message's `tool_call_id`.
    public var toolCallID: String?

    public init(
        role: ChatRole, content: MessageContent, name: String? = nil, toolCalls: [ToolCall] = [],
        toolCallID: String? = nil
    ) {
        self.role = role
        self.content = content
        self.name = name
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
    }
}
