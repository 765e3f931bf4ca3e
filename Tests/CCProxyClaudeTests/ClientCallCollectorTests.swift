import CCProxyClaude
import CCProxyCore
import Testing

/// The calls of client functions, event by event, from lines shaped like the CLI's
/// stream-json (decoded by `ClaudeEventDecoder`, as the worker does).
@Suite("ClientCallCollector")
struct ClientCallCollectorTests {
    private static func event(_ line: String) -> ClaudeEvent {
        ClaudeEventDecoder.decode(line: Array(line.utf8))
    }
    private static func stream(_ event: String, message: String = "msg_1") -> String {
        #"{"type":"stream_event","api_message_id":"\#(message)","event":\#(event)}"#
    }
    private static let messageStart = stream(#"{"type":"message_start","message":{"id":"msg_1"}}"#)
    private static let messageStop = stream(#"{"type":"message_stop"}"#)
    private static func toolStart(_ index: Int, id: String, name: String) -> String {
        stream(#"{"type":"content_block_start","index":\#(index),"content_block":{"type":"tool_use","id":"\#(id)","name":"\#(name)","input":{}}}"#)
    }
    private static func inputDelta(_ index: Int, _ piece: String) -> String {
        let quoted = JSONString.quote(piece)
        return stream(#"{"type":"content_block_delta","index":\#(index),"delta":{"type":"input_json_delta","partial_json":\#(quoted)}}"#)
    }
    private static func assistantToolUse(id: String, name: String, input: String, parent: String? = nil) -> String {
        let parentField = parent.map { #","parent_tool_use_id":"\#($0)""# } ?? ""
        return #"{"type":"assistant","message":{"id":"msg_1","content":[{"type":"tool_use","id":"\#(id)","name":"\#(name)","input":\#(input)}]}\#(parentField)}"#
    }

    private func run(_ lines: [String], functions: [String] = ["get_weather", "get_time"]) -> (ClientCallCollector, [TurnDelta]) {
        var collector = ClientCallCollector(prefix: ClientFunctions.toolPrefix, functions: functions)
        var deltas: [TurnDelta] = []
        for line in lines { deltas += collector.consume(Self.event(line)) }
        return (collector, deltas)
    }

    @Test("a streamed call: id and name first, then the argument pieces; complete at message_stop")
    func streamed() {
        let (collector, deltas) = run([
            Self.messageStart,
            Self.toolStart(0, id: "toolu_1", name: "mcp__ccproxy__get_weather"),
            Self.inputDelta(0, #"{"city": "#), Self.inputDelta(0, #""Paris"}"#),
            Self.assistantToolUse(id: "toolu_1", name: "mcp__ccproxy__get_weather", input: #"{"city":"Paris"}"#),
            Self.messageStop,
        ])
        #expect(deltas == [
            .toolCall(ToolCallDelta(index: 0, id: "toolu_1", name: "get_weather")),
            .toolCall(ToolCallDelta(index: 0, arguments: #"{"city": "#)),
            .toolCall(ToolCallDelta(index: 0, arguments: #""Paris"}"#)),
        ])
        #expect(collector.complete)
        #expect(collector.calls == [ToolCall(id: "toolu_1", name: "get_weather", arguments: #"{"city": "Paris"}"#)])
    }

    @Test("not complete before the message ends, nor before every call's assistant line")
    func completeness() {
        var collector = ClientCallCollector(prefix: ClientFunctions.toolPrefix, functions: ["get_weather"])
        _ = collector.consume(Self.event(Self.messageStart))
        _ = collector.consume(Self.event(Self.toolStart(0, id: "toolu_1", name: "mcp__ccproxy__get_weather")))
        #expect(!collector.complete)
        _ = collector.consume(Self.event(Self.messageStop))
        #expect(!collector.complete, "the assistant line of the call is still due")
        _ = collector.consume(Self.event(Self.assistantToolUse(id: "toolu_1", name: "mcp__ccproxy__get_weather", input: "{}")))
        #expect(collector.complete)
    }

    @Test("two calls in one message are indexed 0 and 1")
    func parallel() {
        let (collector, deltas) = run([
            Self.messageStart,
            Self.toolStart(0, id: "toolu_a", name: "mcp__ccproxy__get_weather"), Self.inputDelta(0, #"{"city":"Rome"}"#),
            Self.toolStart(1, id: "toolu_b", name: "mcp__ccproxy__get_time"), Self.inputDelta(1, #"{"city":"Lima"}"#),
            Self.assistantToolUse(id: "toolu_a", name: "mcp__ccproxy__get_weather", input: #"{"city":"Rome"}"#),
            Self.assistantToolUse(id: "toolu_b", name: "mcp__ccproxy__get_time", input: #"{"city":"Lima"}"#),
            Self.messageStop,
        ])
        #expect(collector.complete)
        #expect(collector.calls.map(\.name) == ["get_weather", "get_time"])
        #expect(deltas.count == 4)
        #expect(deltas[2] == .toolCall(ToolCallDelta(index: 1, id: "toolu_b", name: "get_time")))
    }

    @Test("a call that was not streamed arrives whole; empty streamed arguments become {}")
    func whole() {
        let (unstreamed, deltas) = run([
            Self.assistantToolUse(id: "toolu_1", name: "mcp__ccproxy__get_weather", input: #"{"city":"Bern"}"#),
            Self.messageStop,
        ])
        #expect(deltas == [.toolCall(ToolCallDelta(index: 0, id: "toolu_1", name: "get_weather", arguments: #"{"city":"Bern"}"#))])
        #expect(unstreamed.complete)

        let (empty, emptyDeltas) = run([
            Self.messageStart, Self.toolStart(0, id: "toolu_2", name: "mcp__ccproxy__get_time"),
            Self.assistantToolUse(id: "toolu_2", name: "mcp__ccproxy__get_time", input: "{}"), Self.messageStop,
        ])
        #expect(emptyDeltas.last == .toolCall(ToolCallDelta(index: 0, arguments: "{}")))
        #expect(empty.calls.first?.arguments == "{}")
    }

    @Test("claude's own tools, other MCP servers, unknown names and subagents are not the client's")
    func notClientCalls() {
        let (collector, deltas) = run([
            Self.messageStart,
            Self.toolStart(0, id: "toolu_1", name: "Bash"),
            Self.toolStart(1, id: "toolu_2", name: "mcp__probe__whoami"),
            Self.toolStart(2, id: "toolu_3", name: "mcp__ccproxy__not_offered"),
            Self.assistantToolUse(id: "toolu_4", name: "mcp__ccproxy__get_weather", input: "{}", parent: "toolu_task"),
            Self.messageStop,
            #"{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"ok"}]}}"#,
        ])
        #expect(deltas.isEmpty)
        #expect(collector.calls.isEmpty)
        #expect(!collector.complete)
        #expect(collector.clientName("mcp__ccproxy__get_time") == "get_time")
        #expect(collector.clientName("mcp__ccproxyx__get_time") == nil)
    }

    @Test("a call whose message never reports its end is complete when claude moves on")
    func movesOn() {
        let (collector, _) = run([
            Self.toolStart(0, id: "toolu_1", name: "mcp__ccproxy__get_weather"),
            #"{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"denied"}]}}"#,
        ])
        #expect(collector.complete)
    }

    @Test("the renderer shows no client call as content, even in verbose")
    func rendererHidesClientCalls() {
        var renderer = TurnRenderer(
            options: RenderOptions(verbosity: .verbose, includeReasoning: false, clientFunctionPrefix: ClientFunctions.toolPrefix))
        let client = renderer.consume(Self.event(Self.assistantToolUse(id: "t1", name: "mcp__ccproxy__get_weather", input: "{}")))
        #expect(client.isEmpty)
        let own = renderer.consume(Self.event(Self.assistantToolUse(id: "t2", name: "Bash", input: #"{"command":"ls"}"#)))
        #expect(!own.isEmpty)
    }
}

@Suite("TurnOutcomeTracker: a turn ended by client calls")
struct ClientCallsOutcomeTests {
    @Test("usage so far: the newest line of each message, summed over messages")
    func usageSoFar() {
        var tracker = TurnOutcomeTracker()
        let lines = [
            #"{"type":"assistant","message":{"id":"m1","content":[],"usage":{"input_tokens":10,"output_tokens":1}}}"#,
            #"{"type":"assistant","message":{"id":"m1","content":[],"usage":{"input_tokens":10,"output_tokens":4,"cache_read_input_tokens":2}}}"#,
            #"{"type":"assistant","message":{"id":"m2","content":[],"usage":{"input_tokens":5,"output_tokens":3}}}"#,
        ]
        for line in lines { tracker.consume(ClaudeEventDecoder.decode(line: Array(line.utf8))) }
        #expect(tracker.usageSoFar == ClaudeResult.TokenUsage(input: 15, output: 7, cacheRead: 2))
        #expect(tracker.clientCallsOutcome() == .completed(
            finishReason: .toolCalls,
            usage: Usage(promptTokens: 17, completionTokens: 7, totalTokens: 24, cachedPromptTokens: 2)))
    }

    @Test("a successful result without the structured output it needed is a failure")
    func structuredOutputMissing() {
        var tracker = TurnOutcomeTracker(requiresStructuredOutput: true)
        tracker.consume(.result(ClaudeResult(isError: false, subtype: "success", resultText: "pong")))
        guard case .failed(let error) = tracker.outcome(exitDescription: nil, stderrTail: "") else {
            Issue.record("not a failure")
            return
        }
        #expect(error.status == 502)
    }

    @Test("claude's refusal of the schema is the client's 400")
    func refusedSchema() {
        let tracker = TurnOutcomeTracker(requiresStructuredOutput: true)
        let stderr = "Error: --json-schema is not a valid JSON Schema: data/type must be equal to one of the allowed values\n"
        guard case .failed(let error) = tracker.outcome(exitDescription: "exit status 1", stderrTail: stderr) else {
            Issue.record("not a failure")
            return
        }
        #expect(error.status == 400)
        #expect(error.param == "response_format.json_schema.schema")
        #expect(error.message.hasSuffix("data/type must be equal to one of the allowed values"))
    }
}

@Suite("ClientCallCollector: parallel_tool_calls false")
struct SerialCallsTests {
    @Test("only the first call of a message is kept")
    func firstOnly() {
        var collector = ClientCallCollector(prefix: ClientFunctions.toolPrefix, functions: ["a", "b"], parallel: false)
        let lines = [
            #"{"type":"stream_event","event":{"type":"message_start","message":{"id":"m"}}}"#,
            #"{"type":"stream_event","event":{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t1","name":"mcp__ccproxy__a"}}}"#,
            #"{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{}"}}}"#,
            #"{"type":"assistant","message":{"id":"m","content":[{"type":"tool_use","id":"t1","name":"mcp__ccproxy__a","input":{}}]}}"#,
            #"{"type":"stream_event","event":{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"t2","name":"mcp__ccproxy__b"}}}"#,
            #"{"type":"stream_event","event":{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"x\":1}"}}}"#,
            #"{"type":"assistant","message":{"id":"m","content":[{"type":"tool_use","id":"t2","name":"mcp__ccproxy__b","input":{"x":1}}]}}"#,
            #"{"type":"stream_event","event":{"type":"message_stop"}}"#,
        ]
        var deltas: [TurnDelta] = []
        for line in lines { deltas += collector.consume(ClaudeEventDecoder.decode(line: Array(line.utf8))) }
        #expect(collector.complete)
        #expect(collector.calls == [ToolCall(id: "t1", name: "a", arguments: "{}")])
        #expect(deltas.count == 2)
    }
}
