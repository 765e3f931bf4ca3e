import CCProxyClaude
import CCProxyCore
import Testing

/// What the planner makes of tools, tool_choice, parallel_tool_calls and response_format.
@Suite("TurnPlanner: functions and structured output")
struct TurnPlannerFunctionTests {
    private static let weather = FunctionTool(name: "get_weather", description: "Weather")

    private func plan(_ configure: (inout ChatCompletionRequest) -> Void) throws -> TurnPlan {
        var request = PlannerSupport.request()
        configure(&request)
        return try PlannerSupport.plan(request)
    }

    @Test("tools are offered and described in the system prompt; auto asks for nothing more")
    func offered() throws {
        let plan = try plan { $0.tools = [Self.weather] }
        #expect(plan.clientFunctions == [Self.weather])
        #expect(plan.toolChoice == .auto)
        let system = try #require(plan.systemPrompt?.text)
        #expect(system.contains("mcp__ccproxy__<name> are functions of the client application"))
        #expect(!system.contains("You must call"))
        #expect(!plan.arguments.contains("--json-schema"))
    }

    @Test("tool_choice none offers nothing and says nothing")
    func none() throws {
        let plan = try plan {
            $0.tools = [Self.weather]
            $0.toolChoice = ToolChoice.none
        }
        #expect(plan.clientFunctions.isEmpty)
        #expect(plan.systemPrompt == nil)
    }

    @Test("required, a named function and parallel_tool_calls false are told")
    func demanded() throws {
        let required = try plan {
            $0.tools = [Self.weather]
            $0.toolChoice = .required
        }
        #expect(required.systemPrompt?.text.contains("You must call one of the mcp__ccproxy__<name> tools") == true)
        let named = try plan {
            $0.tools = [Self.weather]
            $0.toolChoice = .function("get_weather")
            $0.parallelToolCalls = false
        }
        let text = try #require(named.systemPrompt?.text)
        #expect(text.contains("You must call the tool mcp__ccproxy__get_weather"))
        #expect(text.contains("at most one"))
        #expect(named.parallelToolCalls == false)
    }

    @Test("json_schema and json_object become --json-schema; text does not")
    func structured() throws {
        let schema = JSONValue.object(["type": .string("object"), "required": .array([.string("a")])])
        let withSchema = try plan { $0.responseFormat = .jsonSchema(name: "x", schema: schema) }
        let index = try #require(withSchema.arguments.firstIndex(of: "--json-schema"))
        #expect(withSchema.arguments[index + 1] == #"{"required":["a"],"type":"object"}"#)
        #expect(withSchema.structuredOutput)
        let object = try plan { $0.responseFormat = .jsonObject }
        #expect(object.arguments.contains(#"{"type":"object"}"#))
        let text = try plan { $0.responseFormat = .text }
        #expect(!text.arguments.contains("--json-schema"))
        #expect(!text.structuredOutput)
    }
}

@Suite("Transcript: the follow-up of client calls")
struct FollowUpTranscriptTests {
    @Test("a resumed session gets the trailing tool results before the continuation")
    func resume() throws {
        let messages: [ChatMessage] = [
            .init(role: .user, content: .text("weather?")),
            .init(role: .assistant, content: .none, toolCalls: [ToolCall(id: "c1", name: "get_weather", arguments: "{}")]),
            .init(role: .tool, content: .text("sunny"), toolCallID: "c1"),
        ]
        let plan = try PlannerSupport.plan(PlannerSupport.request(messages))
        #expect(try PlannerSupport.stdinText(plan.resumeStandardInput) == "[tool result for c1]\nsunny\n\nContinue the assistant response.")
        #expect(
            try PlannerSupport.stdinText(plan.standardInput)
                == "Conversation so far:\n\n[user]\nweather?\n\n[assistant called tool get_weather (id c1) with {}]\n\n[tool result for c1]\nsunny\n\nContinue the assistant response.")
    }
}
