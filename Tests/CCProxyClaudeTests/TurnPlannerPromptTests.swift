import CCProxyClaude
import CCProxyCore
import Testing

/// The system prompt and the conversation transcript on stdin.
@Suite("TurnPlanner prompt")
struct TurnPlannerPromptTests {
    typealias S = PlannerSupport

    private static let systemMessages: [ChatMessage] = [
        .init(role: .system, content: .text(" be terse ")),
        .init(role: .user, content: .text("hi")),
        .init(role: .developer, content: .parts([.text("no jokes")])),
        .init(role: .system, content: .text("   ")),
    ]

    @Test("system prompt: alias prompt, then system and developer messages in order, trimmed, empty ones dropped")
    func systemPrompt() throws {
        let messages = Self.systemMessages
        #expect(
            try S.plan(S.request(model: "claude-code", messages)).systemPrompt
                == SystemPromptPlan(text: "Be brief.\n\nbe terse\n\nno jokes", mode: .append))
        #expect(try S.plan(S.request(model: "plain", messages)).systemPrompt?.text == "be terse\n\nno jokes")
        #expect(try S.plan(S.request(model: "plain")).systemPrompt == nil)
        let plan = try S.plan(S.request(model: "plain", messages))
        #expect(try S.stdinText(plan.standardInput) == "hi")
        #expect(!plan.arguments.contains { $0.contains("terse") || $0.contains("system-prompt") })
    }

    @Test("system_prompt_mode: replace → --system-prompt-file; nothing to say keeps claude's own prompt")
    func replaceMode() throws {
        let poet = try S.plan(S.request(model: "poet", Self.systemMessages))
        #expect(poet.systemPrompt == SystemPromptPlan(text: "You are a poet.\n\nbe terse\n\nno jokes", mode: .replace))
        #expect(poet.systemPrompt?.flag == "--system-prompt-file")
        #expect(try S.plan(S.request(model: "poet")).systemPrompt?.text == "You are a poet.")
        #expect(try S.plan(S.request(model: "blank-slate")).systemPrompt == nil)
        #expect(
            try S.plan(S.request(model: "blank-slate", Self.systemMessages)).systemPrompt
                == SystemPromptPlan(text: "be terse\n\nno jokes", mode: .replace))
    }

    @Test("a multi-turn conversation with tool calls: the exact transcript")
    func transcript() throws {
        let messages: [ChatMessage] = [
            .init(role: .system, content: .text("sys")),
            .init(role: .user, content: .text("hi")),
            .init(role: .assistant, content: .text("hello")),
            .init(role: .user, content: .text("weather in Paris?")),
            .init(
                role: .assistant, content: .none,
                toolCalls: [ToolCall(id: "call_1", name: "get_weather", arguments: #"{"city":"Paris"}"#)]),
            .init(role: .tool, content: .text("sunny"), toolCallID: "call_1"),
            .init(
                role: .assistant, content: .text("It is sunny.\nAnything else?"),
                toolCalls: [
                    ToolCall(id: "call_2", name: "a", arguments: "{}"), ToolCall(id: "call_3", name: "b", arguments: "[1]"),
                ]),
            .init(role: .tool, content: .parts([.text("r2"), .text("more")]), toolCallID: "call_2"),
            .init(role: .function, content: .text("r3"), name: "b"),
            .init(role: .developer, content: .text("dev")),
            .init(role: .user, content: .parts([.text("how are you?"), .text("really")])),
        ]
        let plan = try S.plan(S.request(messages))
        #expect(
            try S.stdinText(plan.standardInput) == """
                Conversation so far:

                [user]
                hi

                [assistant]
                hello

                [user]
                weather in Paris?

                [assistant called tool get_weather (id call_1) with {"city":"Paris"}]

                [tool result for call_1]
                sunny

                [assistant]
                It is sunny.
                Anything else?

                [assistant called tool a (id call_2) with {}]

                [assistant called tool b (id call_3) with [1]]

                [tool result for call_2]
                r2
                more

                [tool result for b]
                r3

                Latest user message:
                how are you?
                really
                """)
        #expect(try S.stdinText(plan.resumeStandardInput) == "how are you?\nreally")
        #expect(plan.systemPrompt?.text == "sys\n\ndev")
    }

    @Test("a conversation ending with an assistant message asks claude to continue")
    func trailingAssistant() throws {
        let messages: [ChatMessage] = [
            .init(role: .user, content: .text("hi")), .init(role: .assistant, content: .text("hello")),
        ]
        let plan = try S.plan(S.request(messages))
        #expect(
            try S.stdinText(plan.standardInput)
                == "Conversation so far:\n\n[user]\nhi\n\n[assistant]\nhello\n\nContinue the assistant response.")
        #expect(try S.stdinText(plan.resumeStandardInput) == "Continue the assistant response.")
    }

    @Test("a conversation ending with a tool result asks claude to continue; a lone assistant message too")
    func trailingTool() throws {
        let messages: [ChatMessage] = [
            .init(role: .user, content: .text("time?")),
            .init(role: .assistant, content: .none, toolCalls: [ToolCall(id: "c", name: "now", arguments: "{}")]),
            .init(role: .tool, content: .text("noon"), toolCallID: "c"),
        ]
        #expect(
            try S.stdinText(S.plan(S.request(messages)).standardInput) == """
                Conversation so far:

                [user]
                time?

                [assistant called tool now (id c) with {}]

                [tool result for c]
                noon

                Continue the assistant response.
                """)
        let lone = try S.plan(S.request([.init(role: .assistant, content: .text("Once upon"))]))
        #expect(
            try S.stdinText(lone.standardInput)
                == "Conversation so far:\n\n[assistant]\nOnce upon\n\nContinue the assistant response.")
    }

    @Test("a single user message is sent as is, whatever the system messages")
    func single() throws {
        let messages: [ChatMessage] = [
            .init(role: .system, content: .text("s")), .init(role: .user, content: .text("  just this\n")),
        ]
        #expect(try S.stdinText(S.plan(S.request(messages)).standardInput) == "  just this\n")
    }

    @Test("images of earlier messages appear as [image] and are not checked")
    func earlierImages() throws {
        let messages: [ChatMessage] = [
            .init(role: .user, content: .parts([.text("look"), .imageURL("https://x.example/a.png"), .imageURL("data:bad")])),
            .init(role: .assistant, content: .text("a cat")),
            .init(role: .user, content: .text("thanks")),
        ]
        let plan = try S.plan(S.request(messages))
        #expect(
            try S.stdinText(plan.standardInput)
                == "Conversation so far:\n\n[user]\nlook\n[image]\n[image]\n\n[assistant]\na cat\n\nLatest user message:\nthanks")
        #expect(try S.blocks(plan.standardInput).count == 1)
    }

    @Test("conversations the planner refuses")
    func refused() {
        S.expectError(message: "messages[] has no user, assistant or tool message", code: nil, param: "messages") {
            () throws(APIError) in
            _ = try S.plan(S.request([.init(role: .system, content: .text("x")), .init(role: .developer, content: .text("y"))]))
        }
        S.expectError(message: "the last user message is empty", code: nil, param: "messages[1].content") {
            () throws(APIError) in
            _ = try S.plan(S.request([.init(role: .system, content: .text("x")), .init(role: .user, content: .text(" \n "))]))
        }
        S.expectError(message: "the last user message is empty", code: nil, param: "messages[0].content") {
            () throws(APIError) in
            _ = try S.plan(S.request([.init(role: .user, content: .parts([]))]))
        }
    }

    @Test("a 300 KB prompt goes to stdin, never to argv; special characters survive")
    func hugePrompt() throws {
        let tricky = "quote \" backslash \\ slash / newline \n tab \t nul \u{0} emoji 🦀 line-sep \u{2028} "
        let prompt = tricky + String(repeating: "x", count: 300 * 1024)
        let plan = try S.plan(S.request([.init(role: .user, content: .text(prompt))]))
        #expect(try S.stdinText(plan.standardInput) == prompt)
        #expect(plan.standardInput.count > 300 * 1024)
        #expect(plan.arguments.allSatisfy { $0.utf8.count < 100 })
        #expect(String(decoding: plan.standardInput, as: UTF8.self).utf8.elementsEqual(plan.standardInput))
        #expect(!String(decoding: plan.standardInput, as: UTF8.self).contains(#"\/"#))
    }
}
