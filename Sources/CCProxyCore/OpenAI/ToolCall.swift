/// One entry of an assistant message's `tool_calls`
/// (`{"id":…,"type":"function","function":{"name":…,"arguments":…}}`), kept so that the
/// conversation claude sees shows which tool was called with what.
///
/// A legacy `function_call` (`{"name":…,"arguments":…}`) is kept as a tool call whose `id` is
/// its `name`, matching the `name` of the `function` message that answers it.
public struct ToolCall: Sendable, Equatable {
    /// The call id a `tool` message's `tool_call_id` refers to.
    public var id: String
    /// The function's name.
    public var name: String
    /// The arguments as the client sent them: a JSON text, not parsed.
    public var arguments: String

    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }
}

extension ToolCall: Encodable {
    private enum CodingKeys: String, CodingKey { case id, type, function }
    private enum FunctionKeys: String, CodingKey { case name, arguments }

    /// `{"id","type":"function","function":{"name","arguments"}}`, as in a response's
    /// `message.tool_calls`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode("function", forKey: .type)
        var function = c.nestedContainer(keyedBy: FunctionKeys.self, forKey: .function)
        try function.encode(name, forKey: .name)
        try function.encode(arguments, forKey: .arguments)
    }
}
