extension ChatCompletionRequest {
    /// The parameters reported as ignored, in reporting order.
    static let ignorable = [
        "temperature", "top_p", "max_tokens", "max_completion_tokens", "n", "stop", "presence_penalty",
        "frequency_penalty", "logit_bias", "logprobs", "top_logprobs", "seed", "response_format", "tools",
        "tool_choice", "parallel_tool_calls",
    ]

    /// Decodes a request body.
    ///
    /// Unknown fields are accepted. Message roles are kept as sent; message `content` may be a
    /// string, an array of parts or null.
    /// - Throws: 400 `malformed JSON: …` when the body is not a JSON object, is not valid JSON, or
    ///   a field has the wrong type (`stream` not a boolean, `messages` not an array, a message
    ///   without a string `role`, …); 400 `messages[] is empty` when `messages` is absent or empty.
    public static func decode(_ body: [UInt8]) throws(APIError) -> ChatCompletionRequest {
        let document: JSONValue
        do {
            document = try JSONValue.parse(body)
        } catch {
            throw malformed(error.reason)
        }
        guard case .object(let fields) = document else {
            throw malformed("the body must be a JSON object, not \(document.typeName)")
        }

        var request = ChatCompletionRequest(messages: [])
        request.stream = try optionalBool(fields["stream"], "stream") ?? false
        request.reasoningEffort = try optionalString(fields["reasoning_effort"], "reasoning_effort")
        if let options = fields["stream_options"], options != .null {
            guard case .object = options else { throw malformed("`stream_options` must be an object") }
            request.includeUsage = try optionalBool(options["include_usage"], "stream_options.include_usage")
        }

        var sessionFromModel: String?
        if let model = try optionalString(fields["model"], "model") {
            if let range = model.firstRange(of: ":session=") {
                request.model = String(model[..<range.lowerBound])
                sessionFromModel = String(model[range.upperBound...])
            } else {
                request.model = model
            }
            if request.model?.isEmpty == true { request.model = nil }
        }
        let bodySession = try optionalString(fields["session_id"], "session_id")
        request.sessionID = [bodySession, sessionFromModel]
            .compactMap { $0?.trimmingWhitespace() }
            .first { !$0.isEmpty }

        request.messages = try messages(fields["messages"])
        request.ignoredParameters = ignorable.filter { name in
            guard let value = fields[name], value != .null else { return false }
            return !(name == "n" && value == .number(1))
        }
        return request
    }

    private static func messages(_ value: JSONValue?) throws(APIError) -> [ChatMessage] {
        guard let value, value != .null else { throw APIError.invalidRequest("messages[] is empty") }
        guard case .array(let items) = value else {
            throw malformed("`messages` must be an array, not \(value.typeName)")
        }
        guard !items.isEmpty else { throw APIError.invalidRequest("messages[] is empty") }
        var messages: [ChatMessage] = []
        messages.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            messages.append(try message(item, at: index))
        }
        return messages
    }

    private static func message(_ item: JSONValue, at index: Int) throws(APIError) -> ChatMessage {
        guard case .object = item else { throw malformed("messages[\(index)] must be an object") }
        guard case .string(let role) = item["role"] else {
            throw malformed("messages[\(index)].role must be a string")
        }
        let content: MessageContent
        switch item["content"] {
        case nil, .null?:
            content = .none
        case .string(let text)?:
            content = .text(text)
        case .array(let parts)?:
            var decoded: [ContentPart] = []
            for (partIndex, part) in parts.enumerated() {
                decoded.append(try contentPart(part, at: "messages[\(index)].content[\(partIndex)]"))
            }
            content = .parts(decoded)
        case let other?:
            throw malformed("messages[\(index)].content must be a string, an array or null, not \(other.typeName)")
        }
        return ChatMessage(role: role, content: content)
    }

    private static func contentPart(_ part: JSONValue, at path: String) throws(APIError) -> ContentPart {
        guard case .string(let type) = part["type"] else { throw malformed("\(path).type must be a string") }
        switch type {
        case "text":
            guard case .string(let text) = part["text"] else { throw malformed("\(path).text must be a string") }
            return .text(text)
        case "image_url":
            switch part["image_url"] {
            case .string(let url)?:
                return .imageURL(url)
            case .object?:
                guard case .string(let url) = part["image_url"]?["url"] else {
                    throw malformed("\(path).image_url.url must be a string")
                }
                return .imageURL(url)
            default:
                throw malformed("\(path).image_url must be an object with a url")
            }
        default:
            return .other(type: type)
        }
    }

    private static func optionalBool(_ value: JSONValue?, _ name: String) throws(APIError) -> Bool? {
        switch value {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        case let other?: throw malformed("`\(name)` must be a boolean, not \(other.typeName)")
        }
    }

    private static func optionalString(_ value: JSONValue?, _ name: String) throws(APIError) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let other?: throw malformed("`\(name)` must be a string, not \(other.typeName)")
        }
    }

    private static func malformed(_ reason: String) -> APIError {
        APIError.invalidRequest("malformed JSON: " + reason)
    }
}
