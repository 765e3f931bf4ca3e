extension ChatCompletionRequest {
    /// Decodes `messages`: a non-empty array of message objects.
    /// - Throws: 400 `messages[] is empty` (param `messages`); anything `message(_:at:)` throws.
    static func messages(_ value: JSONValue?) throws(APIError) -> [ChatMessage] {
        guard let value, value != .null else {
            throw APIError.invalidRequest("messages[] is empty", param: "messages")
        }
        guard case .array(let items) = value else {
            throw JSONField.wrongType("messages", expected: "an array", got: value)
        }
        guard !items.isEmpty else { throw APIError.invalidRequest("messages[] is empty", param: "messages") }
        var messages: [ChatMessage] = []
        messages.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            messages.append(try message(item, at: "messages[\(index)]"))
        }
        return messages
    }

    /// Decodes one message at `path` (`messages[i]`).
    ///
    /// - `role` is required and must be a `ChatRole`.
    /// - An assistant message keeps `tool_calls` (and a legacy `function_call`); its `content`
    ///   may be null or absent only when it has tool calls.
    /// - A `tool` message needs a string `tool_call_id`, a `function` message a string `name`;
    ///   their null or absent `content` reads as `""`.
    /// - Throws: 400 naming the field (`messages[i].role`, `messages[i].content`, …) with `param`.
    private static func message(_ item: JSONValue, at path: String) throws(APIError) -> ChatMessage {
        guard case .object = item else { throw JSONField.wrongType(path, expected: "an object", got: item) }
        let role = try ChatRole.parse(JSONField.requiredString(item["role"], "\(path).role"), param: "\(path).role")
        var message = ChatMessage(role: role, content: .none)
        message.name = try JSONField.string(item["name"], "\(path).name")
        switch role {
        case .assistant:
            message.toolCalls = try toolCalls(item, at: path)
        case .tool:
            message.toolCallID = try JSONField.requiredString(item["tool_call_id"], "\(path).tool_call_id")
        case .function:
            message.name = try JSONField.requiredString(item["name"], "\(path).name")
        case .system, .developer, .user:
            break
        }
        message.content = try content(item["content"], of: message, at: "\(path).content")
        return message
    }

    private static func content(
        _ value: JSONValue?, of message: ChatMessage, at path: String
    ) throws(APIError) -> MessageContent {
        switch value {
        case nil, .null?:
            if message.role.isToolResult { return .text("") }
            if message.role == .assistant && !message.toolCalls.isEmpty { return .none }
            let reason = value == nil ? "is missing" : "must not be null"
            let qualifier = message.role == .assistant ? " without tool_calls" : ""
            throw APIError.invalidRequest(
                "\(path) \(reason) for role \(message.role.rawValue)\(qualifier)", code: "invalid_type", param: path)
        case .string(let text)?:
            return .text(text)
        case .array(let parts)?:
            var decoded: [ContentPart] = []
            decoded.reserveCapacity(parts.count)
            for (index, part) in parts.enumerated() {
                decoded.append(try contentPart(part, at: "\(path)[\(index)]"))
            }
            return .parts(decoded)
        case let other?:
            throw JSONField.wrongType(path, expected: "a string, an array of content parts or null", got: other)
        }
    }

    /// `text` and `input_text` (string `text`), `image_url` (a string or `{url}`); any other
    /// type is a 400 `unsupported_content` with `param` = `<path>.type`.
    private static func contentPart(_ part: JSONValue, at path: String) throws(APIError) -> ContentPart {
        guard case .object = part else { throw JSONField.wrongType(path, expected: "an object", got: part) }
        let type = try JSONField.requiredString(part["type"], "\(path).type")
        switch type {
        case "text", "input_text":
            return .text(try JSONField.requiredString(part["text"], "\(path).text"))
        case "image_url":
            switch part["image_url"] {
            case .string(let url)?:
                return .imageURL(url)
            case .object?:
                return .imageURL(try JSONField.requiredString(part["image_url"]?["url"], "\(path).image_url.url"))
            default:
                throw APIError.invalidRequest(
                    "\(path).image_url must be an object with a string url", code: "invalid_type",
                    param: "\(path).image_url")
            }
        default:
            throw APIError.invalidRequest(
                "\(path).type \"\(type)\" is not supported", code: "unsupported_content", param: "\(path).type")
        }
    }

    /// An assistant message's `tool_calls`, then its legacy `function_call` (id = name).
    private static func toolCalls(_ item: JSONValue, at path: String) throws(APIError) -> [ToolCall] {
        var calls: [ToolCall] = []
        switch item["tool_calls"] {
        case nil, .null?:
            break
        case .array(let entries)?:
            for (index, entry) in entries.enumerated() {
                let entryPath = "\(path).tool_calls[\(index)]"
                guard case .object = entry else {
                    throw JSONField.wrongType(entryPath, expected: "an object", got: entry)
                }
                let id = try JSONField.requiredString(entry["id"], "\(entryPath).id")
                calls.append(try function(entry["function"], id: id, at: "\(entryPath).function"))
            }
        case let other?:
            throw JSONField.wrongType("\(path).tool_calls", expected: "an array", got: other)
        }
        if let legacy = item["function_call"], legacy != .null {
            let name = try JSONField.requiredString(legacy["name"], "\(path).function_call.name")
            calls.append(try function(legacy, id: name, at: "\(path).function_call"))
        }
        return calls
    }

    /// `{name, arguments}`; absent or null `arguments` read as `{}`.
    private static func function(_ value: JSONValue?, id: String, at path: String) throws(APIError) -> ToolCall {
        guard let value, case .object = value else {
            throw APIError.invalidRequest(
                "\(path) must be an object with a name and arguments", code: "invalid_type", param: path)
        }
        let name = try JSONField.requiredString(value["name"], "\(path).name")
        let arguments = try JSONField.string(value["arguments"], "\(path).arguments") ?? "{}"
        return ToolCall(id: id, name: name, arguments: arguments)
    }
}
