extension ChatCompletionRequest {
    /// Decodes and validates a request body.
    ///
    /// Unknown fields are accepted (and listed in `ignoredParameters`). Roles must be one of
    /// `ChatRole`; `content` a string, an array of `text`/`input_text`/`image_url` parts, or
    /// null where allowed (see `ChatMessage`).
    /// - Throws: 400 `invalid_request_error`:
    ///   - `malformed JSON: …` when the body is not valid JSON or not an object;
    ///   - `messages[] is empty` (param `messages`) when `messages` is absent, null or empty;
    ///   - `<field> must be <type>, not <type>` (code `invalid_type`, param the field path) for a
    ///     field of the wrong type (`stream`, `messages[0].content`, …);
    ///   - `messages[i].role "x" must be one of: …` (code `invalid_role`);
    ///   - `messages[i].content[j].type "x" is not supported` (code `unsupported_content`);
    ///   - `n must be 1` (code `unsupported_parameter`, param `n`) for any `n` but 1 or null;
    ///   - for `tools`, `tool_choice`, `response_format` and the tool calls and results of the
    ///     history, what `tools(_:)`, `toolChoice(_:tools:)`, `responseFormat(_:)` and
    ///     `checkToolHistory(_:)` throw (each naming its field).
    public static func decode(_ body: [UInt8]) throws(APIError) -> ChatCompletionRequest {
        let document: JSONValue
        do {
            document = try JSONValue.parse(body)
        } catch {
            throw APIError.invalidRequest("malformed JSON: " + error.reason)
        }
        guard case .object(let fields) = document else {
            throw APIError.invalidRequest("malformed JSON: the body must be a JSON object, not \(document.typeName)")
        }

        var request = ChatCompletionRequest(messages: [])
        request.stream = try JSONField.bool(fields["stream"], "stream") ?? false
        request.reasoningEffort = try JSONField.string(fields["reasoning_effort"], "reasoning_effort")
        switch fields["stream_options"] {
        case nil, .null?:
            break
        case .object(let options)?:
            request.includeUsage = try JSONField.bool(options["include_usage"], "stream_options.include_usage")
        case let other?:
            throw JSONField.wrongType("stream_options", expected: "an object", got: other)
        }
        try checkN(fields["n"])

        var sessionFromModel: String?
        if let model = try JSONField.string(fields["model"], "model") {
            if let range = model.firstRange(of: ":session=") {
                request.model = String(model[..<range.lowerBound])
                sessionFromModel = String(model[range.upperBound...])
            } else {
                request.model = model
            }
            if request.model?.isEmpty == true { request.model = nil }
        }
        let bodySession = try JSONField.string(fields["session_id"], "session_id")
        request.sessionID = [bodySession, sessionFromModel]
            .compactMap { $0?.trimmingWhitespace() }
            .first { !$0.isEmpty }

        request.messages = try messages(fields["messages"])
        try checkToolHistory(request.messages)
        request.tools = try tools(fields["tools"])
        request.toolChoice = try toolChoice(fields["tool_choice"], tools: request.tools)
        request.parallelToolCalls = try JSONField.bool(fields["parallel_tool_calls"], "parallel_tool_calls")
        request.responseFormat = try responseFormat(fields["response_format"])
        request.ignoredParameters = ignoredParameters(in: fields)
        return request
    }

    /// `n` absent, null or 1 is fine; anything else is refused (one choice per turn).
    private static func checkN(_ value: JSONValue?) throws(APIError) {
        switch value {
        case nil, .null?, .number(1)?:
            return
        default:
            throw APIError.invalidRequest("n must be 1", code: "unsupported_parameter", param: "n")
        }
    }
}
