extension ChatCompletionRequest {
    /// Decodes `tools`: nil or absent → none; otherwise an array of at most `Limits.maxTools`
    /// function tools with distinct, valid names and object schemas.
    /// - Throws: 400 naming the field: `tools` (not an array, too many), `tools[i].type` (not
    ///   `function`, code `unsupported_tool_type`), `tools[i].function.name` (code
    ///   `invalid_tool_name`, also for a duplicate), `tools[i].function.parameters` (not an
    ///   object: `invalid_type`; too large: `schema_too_large`).
    static func tools(_ value: JSONValue?) throws(APIError) -> [FunctionTool] {
        guard let value, value != .null else { return [] }
        guard case .array(let items) = value else { throw JSONField.wrongType("tools", expected: "an array", got: value) }
        guard items.count <= Limits.maxTools else {
            throw APIError.invalidRequest(
                "tools: at most \(Limits.maxTools) tools, not \(items.count)", code: "too_many_tools", param: "tools")
        }
        var tools: [FunctionTool] = []
        var names: Set<String> = []
        for (index, item) in items.enumerated() {
            let path = "tools[\(index)]"
            let tool = try tool(item, at: path)
            guard names.insert(tool.name).inserted else {
                throw APIError.invalidRequest(
                    "\(path).function.name \(JSONString.quote(tool.name)) is given twice", code: "invalid_tool_name",
                    param: "\(path).function.name")
            }
            tools.append(tool)
        }
        return tools
    }

    private static func tool(_ item: JSONValue, at path: String) throws(APIError) -> FunctionTool {
        guard case .object = item else { throw JSONField.wrongType(path, expected: "an object", got: item) }
        let type = try JSONField.requiredString(item["type"], "\(path).type")
        guard type == "function" else {
            throw APIError.invalidRequest(
                "\(path).type \(JSONString.quote(type)) is not supported (only \"function\")",
                code: "unsupported_tool_type", param: "\(path).type")
        }
        guard let function = item["function"], case .object = function else {
            throw APIError.invalidRequest(
                "\(path).function must be an object with a name", code: "invalid_type", param: "\(path).function")
        }
        let name = try JSONField.requiredString(function["name"], "\(path).function.name")
        guard FunctionTool.isValidName(name) else {
            throw APIError.invalidRequest(
                "\(path).function.name must match ^[a-zA-Z0-9_-]{1,64}$", code: "invalid_tool_name",
                param: "\(path).function.name")
        }
        let description = try JSONField.string(function["description"], "\(path).function.description")
        var parameters = FunctionTool.emptyParameters
        if let schema = function["parameters"], schema != .null {
            parameters = try checkedSchema(schema, at: "\(path).function.parameters")
        }
        return FunctionTool(name: name, description: description, parameters: parameters)
    }

    /// A JSON Schema: an object of at most `Limits.maxToolSchemaBytes` (compact rendering).
    static func checkedSchema(_ schema: JSONValue, at path: String) throws(APIError) -> JSONValue {
        guard case .object = schema else {
            throw JSONField.wrongType(path, expected: "a JSON Schema object", got: schema)
        }
        let size = schema.rendered(.compact).utf8.count
        guard size <= Limits.maxToolSchemaBytes else {
            throw APIError.invalidRequest(
                "\(path) is \(size) bytes; at most \(Limits.maxToolSchemaBytes)", code: "schema_too_large", param: path)
        }
        return schema
    }

    /// Decodes `tool_choice` against the decoded `tools`; nil when absent or null.
    /// - Throws: 400 (param `tool_choice`…) for an unknown string, a malformed object, a named
    ///   function that is not in `tools`, or `required`/a name without `tools`.
    static func toolChoice(_ value: JSONValue?, tools: [FunctionTool]) throws(APIError) -> ToolChoice? {
        let choice: ToolChoice
        switch value {
        case nil, .null?:
            return nil
        case .string("auto")?:
            choice = .auto
        case .string("none")?:
            choice = .none
        case .string("required")?:
            choice = .required
        case .string(let other)?:
            throw APIError.invalidRequest(
                "tool_choice \(JSONString.quote(other)) must be one of: auto, none, required, or a function object",
                code: "invalid_tool_choice", param: "tool_choice")
        case .object?:
            let type = try JSONField.requiredString(value?["type"], "tool_choice.type")
            guard type == "function" else {
                throw APIError.invalidRequest(
                    "tool_choice.type \(JSONString.quote(type)) is not supported (only \"function\")",
                    code: "invalid_tool_choice", param: "tool_choice.type")
            }
            let name = try JSONField.requiredString(value?["function"]?["name"], "tool_choice.function.name")
            guard tools.contains(where: { $0.name == name }) else {
                throw APIError.invalidRequest(
                    "tool_choice.function.name \(JSONString.quote(name)) is not one of the request's tools",
                    code: "invalid_tool_choice", param: "tool_choice.function.name")
            }
            choice = .function(name)
        case let other?:
            throw JSONField.wrongType("tool_choice", expected: "a string or an object", got: other)
        }
        if choice == .required && tools.isEmpty {
            throw APIError.invalidRequest(
                "tool_choice \"required\" needs tools", code: "invalid_tool_choice", param: "tool_choice")
        }
        return choice
    }

    /// Decodes `response_format`; nil when absent or null.
    /// - Throws: 400 (param `response_format…`) for an unknown type, a json_schema without a
    ///   valid `name` or with a `schema` that is not an object or too large.
    static func responseFormat(_ value: JSONValue?) throws(APIError) -> ResponseFormat? {
        guard let value, value != .null else { return nil }
        guard case .object = value else {
            throw JSONField.wrongType("response_format", expected: "an object", got: value)
        }
        let type = try JSONField.requiredString(value["type"], "response_format.type")
        switch type {
        case "text":
            return .text
        case "json_object":
            return .jsonObject
        case "json_schema":
            guard let spec = value["json_schema"], case .object = spec else {
                throw APIError.invalidRequest(
                    "response_format.json_schema must be an object with a name and a schema", code: "invalid_type",
                    param: "response_format.json_schema")
            }
            let name = try JSONField.requiredString(spec["name"], "response_format.json_schema.name")
            guard FunctionTool.isValidName(name) else {
                throw APIError.invalidRequest(
                    "response_format.json_schema.name must match ^[a-zA-Z0-9_-]{1,64}$", code: "invalid_schema_name",
                    param: "response_format.json_schema.name")
            }
            guard let schema = spec["schema"], schema != .null else {
                throw APIError.invalidRequest(
                    "response_format.json_schema.schema is missing", code: "invalid_type",
                    param: "response_format.json_schema.schema")
            }
            return .jsonSchema(
                name: name, schema: try checkedSchema(schema, at: "response_format.json_schema.schema"))
        default:
            throw APIError.invalidRequest(
                "response_format.type \(JSONString.quote(type)) must be one of: text, json_object, json_schema",
                code: "invalid_response_format", param: "response_format.type")
        }
    }

    /// Checks the tool traffic of the history: every call's arguments within
    /// `Limits.maxToolArgumentsBytes`, and every `tool` message answering a call made by an
    /// earlier assistant message.
    /// - Throws: 400 with param `messages[i].tool_calls[j].function.arguments` or
    ///   `messages[i].tool_call_id`.
    static func checkToolHistory(_ messages: [ChatMessage]) throws(APIError) {
        var calls: Set<String> = []
        for (index, message) in messages.enumerated() {
            for (callIndex, call) in message.toolCalls.enumerated() {
                if call.arguments.utf8.count > Limits.maxToolArgumentsBytes {
                    let path = "messages[\(index)].tool_calls[\(callIndex)].function.arguments"
                    throw APIError.invalidRequest(
                        "\(path) is longer than \(Limits.maxToolArgumentsBytes) bytes", code: "arguments_too_large",
                        param: path)
                }
                calls.insert(call.id)
            }
            if message.role == .tool, let id = message.toolCallID, !calls.contains(id) {
                throw APIError.invalidRequest(
                    "messages[\(index)].tool_call_id \(JSONString.quote(id)) matches no earlier tool call",
                    code: "unknown_tool_call", param: "messages[\(index)].tool_call_id")
            }
        }
    }
}
