/// One entry of a request's `tools` (`{"type":"function","function":{"name","description",
/// "parameters","strict"}}`), validated by `ChatCompletionRequest.decode`: the client's own
/// function, which claude may call and the client then runs.
public struct FunctionTool: Sendable, Equatable {
    /// Matches `^[a-zA-Z0-9_-]{1,64}$`: it becomes part of an MCP tool name
    /// (`mcp__<server>__<name>`) and comes back to the client as `function.name`.
    public var name: String
    /// What the function does, for the model; nil when absent.
    public var description: String?
    /// The JSON Schema of the arguments: always an object (`{"type":"object","properties":{}}`
    /// when the client sent none), at most `Limits.maxToolSchemaBytes` rendered compactly.
    public var parameters: JSONValue

    public init(name: String, description: String? = nil, parameters: JSONValue = FunctionTool.emptyParameters) {
        self.name = name
        self.description = description
        self.parameters = parameters
    }

    /// The schema of a function that takes no arguments.
    public static let emptyParameters = JSONValue.object(["type": .string("object"), "properties": .object([:])])

    /// Whether `name` is 1–64 ASCII letters, digits, `_` or `-` (OpenAI's rule for function
    /// names, and safe in an MCP tool name and a header).
    public static func isValidName(_ name: String) -> Bool {
        let bytes = name.utf8
        guard (1...64).contains(bytes.count) else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                true
            default:
                false
            }
        }
    }
}
