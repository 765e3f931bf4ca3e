import CCProxyCore
import Testing

@Suite("ChatCompletionRequest.decode")
struct ChatCompletionRequestTests {
    private func decode(_ body: String) throws(APIError) -> ChatCompletionRequest {
        try ChatCompletionRequest.decode(Array(body.utf8))
    }

    private func expectError(
        _ body: String,
        status: Int = 400,
        messageStart: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            _ = try decode(body)
            Issue.record("decoded: \(body)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.status == status, sourceLocation: sourceLocation)
            #expect(error.type == "invalid_request_error", sourceLocation: sourceLocation)
            #expect(error.message.hasPrefix(messageStart), "\(error.message)", sourceLocation: sourceLocation)
        }
    }

    @Test("a minimal request")
    func minimal() throws {
        let request = try decode(#"{"model":"sonnet","messages":[{"role":"user","content":"ping"}]}"#)
        #expect(request.model == "sonnet")
        #expect(request.messages == [ChatMessage(role: "user", content: .text("ping"))])
        #expect(request.stream == false)
        #expect(request.includeUsage == nil)
        #expect(request.sessionID == nil)
        #expect(request.ignoredParameters.isEmpty)
    }

    @Test("all the fields ccproxy reads")
    func fields() throws {
        let request = try decode(
            #"""
            {"model":"claude-code","stream":true,"stream_options":{"include_usage":true},"reasoning_effort":"High",
             "session_id":"  s1 ","user":"u","metadata":{},
             "messages":[{"role":"system","content":null},
                         {"role":"user","content":[{"type":"text","text":"a"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}},{"type":"input_audio"}]},
                         {"role":"assistant","content":"b","tool_calls":[]}]}
            """#
        )
        #expect(request.stream)
        #expect(request.includeUsage == true)
        #expect(request.reasoningEffort == "High")
        #expect(request.sessionID == "s1")
        #expect(request.messages.count == 3)
        #expect(request.messages[0].content == .none)
        #expect(
            request.messages[1].content
                == .parts([.text("a"), .imageURL("data:image/png;base64,AAAA"), .other(type: "input_audio")])
        )
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

    @Test("ignored parameters are reported in a fixed order; null and n=1 are not")
    func ignored() throws {
        let request = try decode(
            #"{"tools":[],"max_tokens":5,"temperature":0.2,"top_p":null,"n":1,"stop":["x"],"messages":[{"role":"user","content":"x"}]}"#
        )
        #expect(request.ignoredParameters == ["temperature", "max_tokens", "stop", "tools"])
        let many = try decode(#"{"n":2,"messages":[{"role":"user","content":"x"}]}"#)
        #expect(many.ignoredParameters == ["n"])
    }

    @Test("malformed bodies")
    func malformed() {
        expectError("", messageStart: "malformed JSON: empty body")
        expectError("{not json", messageStart: "malformed JSON: invalid JSON")
        expectError("[1]", messageStart: "malformed JSON: the body must be a JSON object")
        expectError("\"x\"", messageStart: "malformed JSON: the body must be a JSON object")
        expectError(
            #"{"stream":"true","messages":[{"role":"user","content":"x"}]}"#,
            messageStart: "malformed JSON: `stream` must be a boolean"
        )
        expectError(
            #"{"stream":1,"messages":[{"role":"user","content":"x"}]}"#,
            messageStart: "malformed JSON: `stream` must be a boolean"
        )
        expectError(#"{"messages":{"role":"user"}}"#, messageStart: "malformed JSON: `messages` must be an array")
        expectError(
            #"{"messages":[{"content":"x"}]}"#,
            messageStart: "malformed JSON: messages[0].role must be a string"
        )
        expectError(
            #"{"messages":[{"role":5,"content":"x"}]}"#,
            messageStart: "malformed JSON: messages[0].role must be a string"
        )
        expectError(#"{"messages":["hi"]}"#, messageStart: "malformed JSON: messages[0] must be an object")
        expectError(
            #"{"messages":[{"role":"user","content":{"a":1}}]}"#,
            messageStart: "malformed JSON: messages[0].content must be"
        )
        expectError(
            #"{"messages":[{"role":"user","content":[{"text":"x"}]}]}"#,
            messageStart: "malformed JSON: messages[0].content[0].type"
        )
        expectError(
            #"{"model":7,"messages":[{"role":"user","content":"x"}]}"#,
            messageStart: "malformed JSON: `model` must be a string"
        )
        expectError(
            #"{"reasoning_effort":true,"messages":[{"role":"user","content":"x"}]}"#,
            messageStart: "malformed JSON: `reasoning_effort`"
        )
        expectError(
            #"{"stream_options":{"include_usage":"yes"},"messages":[{"role":"user","content":"x"}]}"#,
            messageStart: "malformed JSON: `stream_options.include_usage`"
        )
    }

    @Test("missing or empty messages")
    func emptyMessages() {
        expectError(#"{"model":"x"}"#, messageStart: "messages[] is empty")
        expectError(#"{"messages":[]}"#, messageStart: "messages[] is empty")
        expectError(#"{"messages":null}"#, messageStart: "messages[] is empty")
    }

    @Test("plainText joins text parts with newlines")
    func plainText() {
        #expect(MessageContent.parts([.text("a"), .imageURL("u"), .text("b")]).plainText == "a\nb")
        #expect(MessageContent.none.plainText == "")
    }
}
