/// The `role` of a chat message, as OpenAI defines it.
///
/// `function` is the legacy form of `tool` (a tool result addressed by `name` instead of
/// `tool_call_id`) and is treated like it.
public enum ChatRole: String, Sendable, Codable, CaseIterable {
    case system
    case developer
    case user
    case assistant
    case tool
    case function

    /// The accepted values, in order, for error messages.
    public static let allowedValues = allCases.map(\.rawValue)

    /// Parses a role as a client sent it; case-insensitive (`User` reads as `user`).
    /// - Parameter param: the field path for the error, e.g. `messages[2].role`.
    /// - Throws: 400 `invalid_role` `messages[2].role "x" must be one of: system, developer,
    ///   user, assistant, tool, function`, with `param` set.
    public static func parse(_ raw: String, param: String) throws(APIError) -> ChatRole {
        guard let role = ChatRole(rawValue: raw.lowercased()) else {
            throw APIError.invalidRequest(
                "\(param) \"\(raw)\" must be one of: \(allowedValues.joined(separator: ", "))",
                code: "invalid_role", param: param)
        }
        return role
    }

    /// Whether messages of this role are instructions (claude's system prompt) rather than
    /// part of the conversation: `system` and `developer`.
    public var isInstruction: Bool {
        switch self {
        case .system, .developer: true
        case .user, .assistant, .tool, .function: false
        }
    }

    /// Whether messages of this role carry a tool's result: `tool` and `function`.
    public var isToolResult: Bool {
        switch self {
        case .tool, .function: true
        case .system, .developer, .user, .assistant: false
        }
    }
}
