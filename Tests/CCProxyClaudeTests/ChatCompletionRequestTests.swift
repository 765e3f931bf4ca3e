import CCProxyCore
import Testing

@Suite("ChatCompletionRequest.decode")
struct ChatCompletionRequestTests {
    private func decode(_ body: String) throws(APIError) -> ChatCompletionRequest {
        try ChatCompletionRequest.decode(Array(body.utf8))
    }

    /// Expects a 400 with exactly `message`, `code` and `param`.
    private func expectError(
        _ body: String,
        message: String,
        code: String? = "invalid_type",
        param: String?,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            _ = try decode(body)
            Issue.record("decoded: \(body)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.status == 400, sourceLocation: sourceLocation)
            #expect(error.type == "invalid_request_error", sourceLocation: sourceLocation)
            #expect(error.message == message, sourceLocation: sourceLocation)
            #expect(error.code == code, sourceLocation: sourceLocation)
            #expect(error.param == param, sourceLocation: sourceLocation)
        }
    }

    /// A body with `messages` set to `messages` (JSON text).
    private func body(messages: String) -> String { #"{"messages":"# + messages + "}" }

    @Test("a minimal request")
    func minimal() throws {
        let request = try decode(#"{"model":"sonnet","messages":[{"role":"user","content":"ping"}]}"#)
        #expect(request.model == "sonnet")
        #expect(request.messages == [ChatMessage(role: .user, content: .text("ping"))])
        #expect(request.stream == false)
        #expect(request.includeUsage == nil)
        #expect(request.sessionID == nil)
        #expect(request.reasoningEffort == nil)
        #expect(request.ignoredParameters.isEmpty)
    }

    @Test("all the fields ccproxy reads")
    func fields() throws {
        let request = try decode(
            #"""
            {"model":"claude-code","stream":true,"stream_options":{"include_usage":true},"reasoning_effort":"High",
             "session_id":"  s1 ","n":1,
             "messages":[{"role":"system","content":"be terse"},
                         {"role":"User","name":"ann","content":[{"type":"text","text":"a"},{"type":"input_text","text":"b"},
                            {"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA","detail":"low"}},
                            {"type":"image_url","image_url":"https://x.example/y.png"}]},
                         {"role":"assistant","content":null,"tool_calls":[
                            {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
                            {"id":"call_2","type":"function","function":{"name":"now"}}]},
                         {"role":"tool","tool_call_id":"call_1","content":"sunny"},
                         {"role":"tool","tool_call_id":"call_2","content":null},
                         {"role":"developer","content":[{"type":"text","text":"dev"}]},
                         {"role":"function","name":"legacy","content":"old"},
                         {"role":"assistant","content":"","function_call":{"name":"lookup","arguments":"{}"}}]}
            """#
        )
        #expect(request.stream)
        #expect(request.includeUsage == true)
        #expect(request.reasoningEffort == "High")
        #expect(request.sessionID == "s1")
        #expect(
            request.messages == [
                ChatMessage(role: .system, content: .text("be terse")),
                ChatMessage(
                    role: .user,
                    content: .parts([
                        .text("a"), .text("b"), .imageURL("data:image/png;base64,AAAA"),
                        .imageURL("https://x.example/y.png"),
                    ]),
                    name: "ann"),
                ChatMessage(
                    role: .assistant, content: .none,
                    toolCalls: [
                        ToolCall(id: "call_1", name: "get_weather", arguments: #"{"city":"Paris"}"#),
                        ToolCall(id: "call_2", name: "now", arguments: "{}"),
                    ]),
                ChatMessage(role: .tool, content: .text("sunny"), toolCallID: "call_1"),
                ChatMessage(role: .tool, content: .text(""), toolCallID: "call_2"),
                ChatMessage(role: .developer, content: .parts([.text("dev")])),
                ChatMessage(role: .function, content: .text("old"), name: "legacy"),
                ChatMessage(
                    role: .assistant, content: .text(""),
                    toolCalls: [ToolCall(id: "lookup", name: "lookup", arguments: "{}")]),
            ])
    }

    @Test("the :session= suffix of model is split off; body session_id wins")
    func sessionSuffix() throws {
        var request = try decode(#"{"model":"claude-code:session=abc","messages":[{"role":"user","content":"x"}]}"#)
        #expect(request.model == "claude-code")
        #expect(request.sessionID == "abc")
        request = try decode(
            #"{"model":"claude-code:session=abc","session_id":"body","messages":[{"role":"user","content":"x"}]}"#
        )
        #expect(request.sessionID == "body")
        request = try decode(#"{"model":"","session_id":"  ","messages":[{"role":"user","content":"x"}]}"#)
        #expect(request.model == nil)
        #expect(request.sessionID == nil)
    }

    @Test("ignored parameters: the fixed order, then unknown fields sorted; null and acted-on fields never")
    func ignored() throws {
        let request = try decode(
            #"""
            {"zeta":1,"tools":[],"max_tokens":5,"temperature":0.2,"top_p":null,"n":1,"stop":["x"],"alpha":true,
             "function_call":"auto","user":"u","metadata":{},"response_format":{"type":"text"},"stream":false,
             "stream_options":null,"reasoning_effort":null,"session_id":null,"model":null,"nothing":null,
             "messages":[{"role":"user","content":"x"}]}
            """#
        )
        #expect(
            request.ignoredParameters == [
                "temperature", "max_tokens", "stop", "user", "metadata", "function_call",
                "alpha", "zeta",
            ])
    }

    @Test("every known ignored parameter, in order")
    func everyIgnoredParameter() throws {
        // response_format is validated even while it is not acted on.
        let fields = ChatCompletionRequest.ignoredParameterOrder.reversed()
            .map { "\"\($0)\":" + ($0 == "response_format" ? #"{"type":"text"}"# : "0") }.joined(separator: ",")
        let request = try decode("{" + fields + #","messages":[{"role":"user","content":"x"}]}"#)
        #expect(request.ignoredParameters == ChatCompletionRequest.ignoredParameterOrder)
        #expect(request.ignoredParameters.count == 21)
        #expect(request.ignoredParameters.first == "temperature")
        #expect(request.ignoredParameters.last == "function_call")
    }

    @Test("unknown names that cannot go into a header are left out; the list is capped")
    func ignoredCaps() throws {
        let odd = try decode(#"{"bad name":1,"a,b":1,"x\r\nSet-Cookie: y":1,"ok_1.x-y":1,"messages":[{"role":"user","content":"x"}]}"#)
        #expect(odd.ignoredParameters == ["ok_1.x-y"])
        let many = (0..<40).map { "\"f\($0 < 10 ? "0" : "")\($0)\":0" }.joined(separator: ",")
        let capped = try decode("{" + many + #","messages":[{"role":"user","content":"x"}]}"#)
        #expect(capped.ignoredParameters.count == Limits.maxIgnoredParameterNames)
        #expect(capped.ignoredParameters.first == "f00")
        #expect(capped.ignoredParameters.last == "f31")
        let long = (0..<20).map { "\"\(String(repeating: "x", count: 60))\($0 + 10)\":0" }.joined(separator: ",")
        let bytes = try decode("{" + long + #","messages":[{"role":"user","content":"x"}]}"#).ignoredParameters
        #expect(bytes.joined(separator: ",").utf8.count <= Limits.maxIgnoredParametersHeaderBytes)
        #expect(bytes.count == 16)  // 16 × 62 + 15 commas = 1007; a 17th would pass 1024
    }

    @Test("n: absent, null or 1 are fine; anything else is a 400 naming n")
    func n() throws {
        #expect(try decode(#"{"n":null,"messages":[{"role":"user","content":"x"}]}"#).ignoredParameters == [])
        #expect(try decode(#"{"n":1.0,"messages":[{"role":"user","content":"x"}]}"#).messages.count == 1)
        for value in ["2", "0", "-1", "\"1\"", "true", "1.5"] {
            expectError(
                #"{"n":"# + value + #","messages":[{"role":"user","content":"x"}]}"#, message: "n must be 1",
                code: "unsupported_parameter", param: "n")
        }
    }

    @Test("an unknown role is a 400 naming the message")
    func unknownRole() {
        expectError(
            body(messages: #"[{"role":"user","content":"a"},{"role":"user","content":"b"},{"role":"robot","content":"x"}]"#),
            message: #"messages[2].role "robot" must be one of: system, developer, user, assistant, tool, function"#,
            code: "invalid_role", param: "messages[2].role")
        expectError(
            body(messages: #"[{"content":"x"}]"#), message: "messages[0].role must be a string", param: "messages[0].role")
        expectError(
            body(messages: #"[{"role":5,"content":"x"}]"#), message: "messages[0].role must be a string, not number",
            param: "messages[0].role")
    }

    @Test("content of the wrong type is a 400 naming it")
    func contentTypes() {
        expectError(
            body(messages: #"[{"role":"user","content":{"a":1}}]"#),
            message: "messages[0].content must be a string, an array of content parts or null, not object",
            param: "messages[0].content")
        expectError(
            body(messages: #"[{"role":"user","content":"x"},{"role":"assistant","content":42}]"#),
            message: "messages[1].content must be a string, an array of content parts or null, not number",
            param: "messages[1].content")
        expectError(
            body(messages: #"[{"role":"user","content":true}]"#),
            message: "messages[0].content must be a string, an array of content parts or null, not boolean",
            param: "messages[0].content")
        expectError(
            body(messages: #"[{"role":"user","content":["hi"]}]"#),
            message: "messages[0].content[0] must be an object, not string", param: "messages[0].content[0]")
        expectError(
            body(messages: #"[{"role":"user","content":[{"text":"x"}]}]"#),
            message: "messages[0].content[0].type must be a string", param: "messages[0].content[0].type")
        expectError(
            body(messages: #"[{"role":"user","content":[{"type":"text","text":7}]}]"#),
            message: "messages[0].content[0].text must be a string, not number", param: "messages[0].content[0].text")
        expectError(
            body(messages: #"[{"role":"user","content":[{"type":"image_url","image_url":{"url":1}}]}]"#),
            message: "messages[0].content[0].image_url.url must be a string, not number",
            param: "messages[0].content[0].image_url.url")
        expectError(
            body(messages: #"[{"role":"user","content":[{"type":"image_url"}]}]"#),
            message: "messages[0].content[0].image_url must be an object with a string url",
            param: "messages[0].content[0].image_url")
    }

    @Test("unsupported part types are a 400 naming the part")
    func unsupportedParts() {
        for type in ["input_audio", "file", "refusal", "image"] {
            expectError(
                body(messages: #"[{"role":"user","content":[{"type":"text","text":"a"},{"type":"\#(type)"}]}]"#),
                message: #"messages[0].content[1].type "\#(type)" is not supported"#, code: "unsupported_content",
                param: "messages[0].content[1].type")
        }
    }

    @Test("null content: only for assistant messages with tool calls, and tool results")
    func nullContent() throws {
        expectError(
            body(messages: #"[{"role":"user","content":null}]"#),
            message: "messages[0].content must not be null for role user",
            param: "messages[0].content")
        expectError(
            body(messages: #"[{"role":"system"},{"role":"user","content":"x"}]"#),
            message: "messages[0].content is missing for role system",
            param: "messages[0].content")
        expectError(
            body(messages: #"[{"role":"user","content":"x"},{"role":"assistant","content":null,"tool_calls":[]}]"#),
            message: "messages[1].content must not be null for role assistant without tool_calls",
            param: "messages[1].content")
        let ok = try decode(
            body(messages: #"[{"role":"assistant","tool_calls":[{"id":"c","function":{"name":"f","arguments":"{}"}}]}]"#))
        #expect(ok.messages.first?.content == MessageContent.none)
    }

    @Test("tool messages and tool calls need their ids and names")
    func toolFields() {
        expectError(
            body(messages: #"[{"role":"tool","content":"x"}]"#), message: "messages[0].tool_call_id must be a string",
            param: "messages[0].tool_call_id")
        expectError(
            body(messages: #"[{"role":"function","content":"x"}]"#), message: "messages[0].name must be a string",
            param: "messages[0].name")
        expectError(
            body(messages: #"[{"role":"assistant","content":"","tool_calls":{}}]"#),
            message: "messages[0].tool_calls must be an array, not object", param: "messages[0].tool_calls")
        expectError(
            body(messages: #"[{"role":"assistant","content":"","tool_calls":[{"function":{"name":"f"}}]}]"#),
            message: "messages[0].tool_calls[0].id must be a string", param: "messages[0].tool_calls[0].id")
        expectError(
            body(messages: #"[{"role":"assistant","content":"","tool_calls":[{"id":"c"}]}]"#),
            message: "messages[0].tool_calls[0].function must be an object with a name and arguments",
            param: "messages[0].tool_calls[0].function")
        expectError(
            body(messages: #"[{"role":"assistant","content":"","tool_calls":[{"id":"c","function":{"name":"f","arguments":{}}}]}]"#),
            message: "messages[0].tool_calls[0].function.arguments must be a string, not object",
            param: "messages[0].tool_calls[0].function.arguments")
    }

    @Test("malformed bodies and top-level fields of the wrong type")
    func malformed() {
        expectError("", message: "malformed JSON: empty body", code: nil, param: nil)
        expectError("[1]", message: "malformed JSON: the body must be a JSON object, not array", code: nil, param: nil)
        expectError("\"x\"", message: "malformed JSON: the body must be a JSON object, not string", code: nil, param: nil)
        let user = #","messages":[{"role":"user","content":"x"}]}"#
        expectError(#"{"stream":"true""# + user, message: "stream must be a boolean, not string", param: "stream")
        expectError(#"{"stream":1"# + user, message: "stream must be a boolean, not number", param: "stream")
        expectError(#"{"model":7"# + user, message: "model must be a string, not number", param: "model")
        expectError(
            #"{"reasoning_effort":true"# + user, message: "reasoning_effort must be a string, not boolean",
            param: "reasoning_effort")
        expectError(
            #"{"stream_options":{"include_usage":"yes"}"# + user,
            message: "stream_options.include_usage must be a boolean, not string", param: "stream_options.include_usage")
        expectError(
            #"{"stream_options":[]"# + user, message: "stream_options must be an object, not array",
            param: "stream_options")
        expectError(#"{"messages":{"role":"user"}}"#, message: "messages must be an array, not object", param: "messages")
        expectError(#"{"messages":["hi"]}"#, message: "messages[0] must be an object, not string", param: "messages[0]")
    }

    @Test("invalid JSON names the problem")
    func invalidJSON() throws {
        let error = try #require(throws: APIError.self) { try decode("{not json") }
        #expect(error.status == 400)
        #expect(error.message.hasPrefix("malformed JSON: invalid JSON"))
        #expect(error.param == nil)
    }

    @Test("missing or empty messages")
    func emptyMessages() {
        for body in [#"{"model":"x"}"#, #"{"messages":[]}"#, #"{"messages":null}"#] {
            expectError(body, message: "messages[] is empty", code: nil, param: "messages")
        }
    }

    @Test("plainText joins text parts with newlines")
    func plainText() {
        #expect(MessageContent.parts([.text("a"), .imageURL("u"), .text("b")]).plainText == "a\nb")
        #expect(MessageContent.none.plainText == "")
    }

    @Test("the error body carries param")
    func errorBody() {
        let error = APIError.invalidRequest("n must be 1", code: "unsupported_parameter", param: "n")
        #expect(
            String(decoding: error.jsonBody(), as: UTF8.self)
                == #"{"error":{"code":"unsupported_parameter","message":"n must be 1","param":"n","type":"invalid_request_error"}}"#
                + "\n")
        #expect(
            String(decoding: APIError.invalidRequest("x").jsonBody(), as: UTF8.self)
                == #"{"error":{"code":null,"message":"x","param":null,"type":"invalid_request_error"}}"# + "\n")
    }
}
