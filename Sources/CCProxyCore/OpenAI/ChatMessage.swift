/// One entry of `messages` in a chat completion request.
///
/// `role` is kept as sent (any string); interpretation (system, user, assistant, tool, …) is the
/// planner's. `name`, `tool_calls` and `tool_call_id` are not kept.
public struct ChatMessage: Sendable, Equatable {
    public var role: String
    public var content: MessageContent

    public init(role: String, content: MessageContent) {
        self.role = role
        self.content = content
    }
}
