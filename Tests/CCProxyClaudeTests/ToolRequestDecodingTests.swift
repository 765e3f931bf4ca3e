import CCProxyCore
import Testing

@Suite("ChatCompletionRequest.decode: tools, tool_choice, response_format")
struct ToolRequestDecodingTests {
    private func decode(_ body: String) throws(APIError) -> ChatCompletionRequest {
        try ChatCompletionRequest.decode(Array(body.utf8))
    }

    /// A request with one user message and the given extra top-level members (JSON text).
    private func body(_ extra: String) -> String {
        #"{"messages":[{"role":"user","content":"hi"}],"# + extra + "}"
    }

    private func expectError(
        _ body: String, code: String?, param: String?, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        do {
            _ = try decode(body)
            Issue.record("decoded: \(body.prefix(300))", sourceLocation: sourceLocation)
        } catch {
            #expect(error.status == 400, sourceLocation: sourceLocation)
            #expect(error.code == code, "\(error.message)", sourceLocation: sourceLocation)
            #expect(error.param == param, "\(error.message)", sourceLocation: sourceLocation)
        }
    }

    private let weather = #"{"type":"function","function":{"name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}"#

    @Test("function tools are decoded with name, description and schema")
    func tools() throws {
        let request = try decode(body(#""tools":["# + weather + #",{"type":"function","function":{"name":"noop"}}]"#))
        #expect(request.tools.count == 2)
        #expect(request.tools[0].name == "get_weather")
        #expect(request.tools[0].description == "Weather")
        #expect(request.tools[0].parameters["properties"]?["city"]?["type"] == .string("string"))
        #expect(request.tools[1] == FunctionTool(name: "noop"))
        #expect(request.toolChoice == nil)
        #expect(request.parallelToolCalls == nil)
    }

    @Test("absent and null tool fields read as none")
    func absent() throws {
        let request = try decode(body(#""tools":null,"tool_choice":null,"response_format":null,"parallel_tool_calls":null"#))
        #expect(request.tools.isEmpty)
        #expect(request.toolChoice == nil)
        #expect(request.responseFormat == nil)
    }

    @Test("tool_choice: the three strings and a named function")
    func toolChoice() throws {
        let tools = #""tools":["# + weather + "],"
        #expect(try decode(body(tools + #""tool_choice":"auto""#)).toolChoice == .auto)
        #expect(try decode(body(tools + #""tool_choice":"none""#)).toolChoice == ToolChoice.none)
        #expect(try decode(body(tools + #""tool_choice":"required""#)).toolChoice == .required)
        let named = try decode(body(tools + #""tool_choice":{"type":"function","function":{"name":"get_weather"}}"#))
        #expect(named.toolChoice == .function("get_weather"))
        #expect(named.toolChoice?.demandsCall == true)
        #expect(try decode(body(tools + #""parallel_tool_calls":false"#)).parallelToolCalls == false)
    }

    @Test("bad tools are 400s naming the field")
    func badTools() {
        expectError(body(#""tools":{}"#), code: "invalid_type", param: "tools")
        expectError(body(#""tools":[{"type":"retrieval"}]"#), code: "unsupported_tool_type", param: "tools[0].type")
        expectError(body(#""tools":[{"type":"function"}]"#), code: "invalid_type", param: "tools[0].function")
        expectError(
            body(#""tools":[{"type":"function","function":{"name":"get weather"}}]"#), code: "invalid_tool_name",
            param: "tools[0].function.name")
        expectError(
            body(#""tools":[{"type":"function","function":{"name":""}}]"#), code: "invalid_tool_name",
            param: "tools[0].function.name")
        let long = String(repeating: "a", count: 65)
        expectError(
            body(#""tools":[{"type":"function","function":{"name":"\#(long)"}}]"#), code: "invalid_tool_name",
            param: "tools[0].function.name")
        expectError(
            body(#""tools":["# + weather + "," + weather + "]"), code: "invalid_tool_name",
            param: "tools[1].function.name")
        expectError(
            body(#""tools":[{"type":"function","function":{"name":"f","parameters":"object"}}]"#),
            code: "invalid_type", param: "tools[0].function.parameters")
        expectError(
            body(#""tools":[{"type":"function","function":{"name":"f","parameters":[1]}}]"#),
            code: "invalid_type", param: "tools[0].function.parameters")
    }

    @Test("a 64-character name is valid, the 65th character is not")
    func nameBoundary() throws {
        let name = String(repeating: "A", count: 64)
        let request = try decode(body(#""tools":[{"type":"function","function":{"name":"\#(name)"}}]"#))
        #expect(request.tools.first?.name == name)
    }

    @Test("at most Limits.maxTools tools")
    func toolCount() throws {
        func tools(_ count: Int) -> String {
            let items = (0..<count).map { #"{"type":"function","function":{"name":"f\#($0)"}}"# }
            return #""tools":["# + items.joined(separator: ",") + "]"
        }
        #expect(try decode(body(tools(Limits.maxTools))).tools.count == Limits.maxTools)
        expectError(body(tools(Limits.maxTools + 1)), code: "too_many_tools", param: "tools")
    }

    @Test("a schema over Limits.maxToolSchemaBytes is refused, one at the limit is not")
    func schemaSize() throws {
        // {"description":"xxx…"} is 18 bytes plus the filler.
        func schema(_ bytes: Int) -> String {
            #"{"description":""# + String(repeating: "x", count: bytes - 18) + #""}"#
        }
        let fits = body(#""tools":[{"type":"function","function":{"name":"f","parameters":"# + schema(Limits.maxToolSchemaBytes) + "}}]")
        #expect(try decode(fits).tools.count == 1)
        let over = body(#""tools":[{"type":"function","function":{"name":"f","parameters":"# + schema(Limits.maxToolSchemaBytes + 1) + "}}]")
        expectError(over, code: "schema_too_large", param: "tools[0].function.parameters")
    }

    @Test("bad tool_choice values are 400s naming the field")
    func badToolChoice() {
        let tools = #""tools":["# + weather + "],"
        expectError(body(tools + #""tool_choice":"always""#), code: "invalid_tool_choice", param: "tool_choice")
        expectError(body(tools + #""tool_choice":3"#), code: "invalid_type", param: "tool_choice")
        expectError(
            body(tools + #""tool_choice":{"type":"function","function":{"name":"other"}}"#), code: "invalid_tool_choice",
            param: "tool_choice.function.name")
        expectError(
            body(tools + #""tool_choice":{"type":"function"}"#), code: "invalid_type", param: "tool_choice.function.name")
        expectError(body(#""tool_choice":"required""#), code: "invalid_tool_choice", param: "tool_choice")
        expectError(body(tools + #""parallel_tool_calls":"yes""#), code: "invalid_type", param: "parallel_tool_calls")
    }

    @Test("response_format: text, json_object, json_schema")
    func responseFormat() throws {
        #expect(try decode(body(#""response_format":{"type":"text"}"#)).responseFormat == .text)
        #expect(try decode(body(#""response_format":{"type":"json_object"}"#)).responseFormat == .jsonObject)
        let schema = try decode(
            body(#""response_format":{"type":"json_schema","json_schema":{"name":"answer","strict":true,"schema":{"type":"object"}}}"#))
        #expect(schema.responseFormat == .jsonSchema(name: "answer", schema: .object(["type": .string("object")])))
    }

    @Test("bad response_format values are 400s naming the field")
    func badResponseFormat() {
        expectError(body(#""response_format":"json""#), code: "invalid_type", param: "response_format")
        expectError(body(#""response_format":{"type":"xml"}"#), code: "invalid_response_format", param: "response_format.type")
        expectError(
            body(#""response_format":{"type":"json_schema"}"#), code: "invalid_type", param: "response_format.json_schema")
        expectError(
            body(#""response_format":{"type":"json_schema","json_schema":{"name":"a b","schema":{}}}"#),
            code: "invalid_schema_name", param: "response_format.json_schema.name")
        expectError(
            body(#""response_format":{"type":"json_schema","json_schema":{"name":"a"}}"#), code: "invalid_type",
            param: "response_format.json_schema.schema")
        expectError(
            body(#""response_format":{"type":"json_schema","json_schema":{"name":"a","schema":true}}"#),
            code: "invalid_type", param: "response_format.json_schema.schema")
    }

    @Test("a tool message must answer an earlier call")
    func toolCallIDs() throws {
        let call = #"{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{}"}}]}"#
        let answered = #"{"messages":[{"role":"user","content":"hi"},"# + call + #",{"role":"tool","tool_call_id":"call_1","content":"sunny"}]}"#
        let request = try decode(answered)
        #expect(request.messages[1].toolCalls == [ToolCall(id: "call_1", name: "get_weather", arguments: "{}")])
        #expect(request.messages[2].toolCallID == "call_1")

        let unknown = #"{"messages":[{"role":"user","content":"hi"},"# + call + #",{"role":"tool","tool_call_id":"call_2","content":"x"}]}"#
        expectError(unknown, code: "unknown_tool_call", param: "messages[2].tool_call_id")
        // A result before its call matches nothing earlier.
        let early = #"{"messages":[{"role":"user","content":"hi"},{"role":"tool","tool_call_id":"call_1","content":"x"},"# + call + "]}"
        expectError(early, code: "unknown_tool_call", param: "messages[1].tool_call_id")
    }

    @Test("a call's arguments over Limits.maxToolArgumentsBytes are refused")
    func argumentsSize() throws {
        func request(_ bytes: Int) -> String {
            let arguments = String(repeating: "x", count: bytes)
            return #"{"messages":[{"role":"user","content":"hi"},{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"\#(arguments)"}}]}]}"#
        }
        #expect(try decode(request(Limits.maxToolArgumentsBytes)).messages.count == 2)
        expectError(
            request(Limits.maxToolArgumentsBytes + 1), code: "arguments_too_large",
            param: "messages[1].tool_calls[0].function.arguments")
    }
}
