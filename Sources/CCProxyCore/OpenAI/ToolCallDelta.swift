/// One entry of a chunk's `delta.tool_calls`, as OpenAI streams a call: the first piece of a
/// call carries `index`, `id`, `type` and `function.name` (with `arguments: ""`), the later
/// ones `index` and a piece of `function.arguments`; a client concatenates the pieces of one
/// `index`.
public struct ToolCallDelta: Sendable, Equatable, Encodable {
    /// The call's position among the turn's calls (0, 1, …).
    public var index: Int
    /// Set on the first piece only.
    public var id: String?
    /// Set on the first piece only.
    public var name: String?
    /// A piece of the arguments' JSON text.
    public var arguments: String

    public init(index: Int, id: String? = nil, name: String? = nil, arguments: String = "") {
        self.index = index
        self.id = id
        self.name = name
        self.arguments = arguments
    }

    private enum CodingKeys: String, CodingKey { case index, id, type, function }
    private enum FunctionKeys: String, CodingKey { case name, arguments }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(index, forKey: .index)
        if let id {
            try c.encode(id, forKey: .id)
            try c.encode("function", forKey: .type)
        }
        var function = c.nestedContainer(keyedBy: FunctionKeys.self, forKey: .function)
        if let name { try function.encode(name, forKey: .name) }
        try function.encode(arguments, forKey: .arguments)
    }
}
