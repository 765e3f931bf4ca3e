import CCProxyClaude
import CCProxyCore
import Testing

/// The renderer's rules on hand-made events: separators, hiding, fallbacks, cuts.
@Suite("TurnRenderer")
struct TurnRendererTests {
    private static func delta(_ text: String, message: String, parent: String? = nil) -> ClaudeEvent {
        .streamEvent(ClaudeStreamEvent(kind: .textDelta(index: 0, text: text), messageID: message, parentToolUseID: parent))
    }
    private static func thinkingDelta(_ text: String, message: String, index: Int = 0) -> ClaudeEvent {
        .streamEvent(ClaudeStreamEvent(kind: .thinkingDelta(index: index, text: text), messageID: message))
    }
    private static func blockStop(message: String, index: Int = 0) -> ClaudeEvent {
        .streamEvent(ClaudeStreamEvent(kind: .contentBlockStop(index: index), messageID: message))
    }
    private static func assistant(_ blocks: [ClaudeContentBlock], message: String, parent: String? = nil) -> ClaudeEvent {
        .assistant(ClaudeAssistantMessage(messageID: message, blocks: blocks, parentToolUseID: parent))
    }
    private static func toolResult(_ text: String, isError: Bool = false, parent: String? = nil) -> ClaudeEvent {
        .user(blocks: [.toolResult(toolUseID: "t", text: text, isError: isError)], parentToolUseID: parent)
    }
    private static func success(_ text: String = "final") -> ClaudeEvent {
        .result(ClaudeResult(isError: false, subtype: "success", stopReason: "end_turn", resultText: text))
    }
    private static func render(
        _ events: [ClaudeEvent], _ verbosity: Verbosity, includeReasoning: Bool = false
    ) -> FixtureSupport.Rendering {
        FixtureSupport.render(events, RenderOptions(verbosity: verbosity, includeReasoning: includeReasoning))
    }
    private static let bash = ClaudeContentBlock.toolUse(
        id: "t", name: "Bash", input: .object(["command": .string("ls")]))

    @Test("text of successive messages is separated by a blank line, deltas of one message are not")
    func separatesMessages() {
        let events = [
            Self.delta("Let me check.", message: "m1"),
            Self.assistant([.text("Let me check."), Self.bash], message: "m1"),
            Self.toolResult("ok"),
            Self.delta("It ", message: "m2"), Self.delta("worked.", message: "m2"),
            Self.assistant([.text("It worked.")], message: "m2"),
            Self.success(),
        ]
        #expect(
            Self.render(events, .textOnly).deltas == [
                .content("Let me check."), .content("\n\nIt "), .content("worked."),
            ])
        #expect(
            Self.render(events, .verbose).content
                == "Let me check.\n\n🔧 **Bash**\n```json\n{\n  \"command\": \"ls\"\n}\n```\n"
                + "\n↳ **result**\n````\nok\n````\n\n\nIt worked.")
        #expect(
            Self.render(events, .narrated).content
                == "Let me check.\n🔧 Bash(command=\"ls\")\n↳ ok\n\n\nIt worked.")
    }

    @Test("without partials, assistant lines supply text and thinking; separated per message")
    func assistantLines() {
        let events = [
            Self.assistant([.thinking("hmm")], message: "m1"),
            Self.assistant([.text("one")], message: "m1"),
            Self.assistant([.thinking("again")], message: "m2"),
            Self.assistant([.text("two")], message: "m2"),
            Self.success(),
        ]
        #expect(Self.render(events, .textOnly).deltas == [.content("one"), .content("\n\ntwo")])
        #expect(Self.render(events, .verbose).content == "\n💭 hmm\none\n💭 again\n\n\ntwo")
        let reasoning = Self.render(events, .narrated, includeReasoning: true)
        #expect(reasoning.reasoning == "hmm\n\nagain")
        #expect(reasoning.content == "one\n\ntwo")
    }

    @Test("streamed thinking over several deltas equals the whole block; reasoning separated per message")
    func streamedThinking() {
        let streamed = [
            Self.thinkingDelta("Let me ", message: "m1"), Self.thinkingDelta("think.", message: "m1"),
            Self.assistant([.thinking("Let me think.")], message: "m1"),
            Self.blockStop(message: "m1"),
            Self.thinkingDelta("More.", message: "m2"),
            Self.blockStop(message: "m2"),
            Self.delta("done", message: "m2"),
            Self.success(),
        ]
        let whole = [
            Self.assistant([.thinking("Let me think.")], message: "m1"),
            Self.assistant([.thinking("More."), .text("done")], message: "m2"),
            Self.success(),
        ]
        let verbose = Self.render(streamed, .verbose)
        #expect(
            verbose.deltas == [
                .content("\n💭 Let me "), .content("think."), .content("\n"),
                .content("\n💭 More."), .content("\n"), .content("done"),
            ])
        #expect(verbose.content == Self.render(whole, .verbose).content)
        let reasoning = Self.render(streamed, .verbose, includeReasoning: true)
        #expect(reasoning.deltas == [.reasoning("Let me "), .reasoning("think."), .reasoning("\n\nMore."), .content("done")])
        #expect(reasoning.reasoning == Self.render(whole, .verbose, includeReasoning: true).reasoning)
    }

    @Test("a thinking block whose stop never came is closed by what follows, or by the result")
    func unclosedThinking() {
        let followed = Self.render(
            [Self.thinkingDelta("hmm", message: "m1"), Self.delta("text", message: "m1"), Self.success()], .verbose)
        #expect(followed.content == "\n💭 hmm\ntext")
        let cutShort = Self.render([Self.thinkingDelta("hmm", message: "m1"), Self.success()], .verbose)
        #expect(cutShort.content == "\n💭 hmm\nfinal")
    }

    @Test("subagent events are hidden in every mode", arguments: Verbosity.allCases)
    func subagentHidden(verbosity: Verbosity) {
        let events = [
            Self.delta("sub", message: "s1", parent: "toolu_1"),
            Self.assistant([.text("sub"), .thinking("sub thinking"), Self.bash], message: "s1", parent: "toolu_1"),
            Self.toolResult("sub result", parent: "toolu_1"),
            .streamEvent(ClaudeStreamEvent(kind: .thinkingDelta(index: 0, text: "x"), messageID: "s1", parentToolUseID: "toolu_1")),
            Self.delta("main", message: "m1"),
            Self.success(),
        ]
        #expect(Self.render(events, verbosity, includeReasoning: true).deltas == [.content("main")])
    }

    @Test("claude's synthetic API Error message is hidden")
    func apiErrorMessageHidden() {
        let events: [ClaudeEvent] = [
            .assistant(ClaudeAssistantMessage(messageID: "x", blocks: [.text("API Error: 400 nope")], isAPIErrorMessage: true)),
            .result(ClaudeResult(isError: true, resultText: "API Error: 400 nope", apiErrorStatus: 400)),
        ]
        #expect(Self.render(events, .verbose).deltas == [])
    }

    @Test("a successful turn without text sends the result text; one with text does not")
    func resultFallback() {
        #expect(Self.render([Self.success("x")], .textOnly).deltas == [.content("x")])
        #expect(
            Self.render([Self.assistant([Self.bash], message: "m1"), Self.toolResult("ok"), Self.success("x")], .narrated)
                .content == "\n🔧 Bash(command=\"ls\")\n↳ ok\nx")
        #expect(Self.render([Self.delta("hi", message: "m1"), Self.success("hi")], .textOnly).content == "hi")
        #expect(Self.render([Self.success("")], .textOnly).deltas == [])
    }

    @Test("tool use hides its input_json_delta; only the assistant line's complete input shows")
    func toolInputFromAssistantLine() {
        let events: [ClaudeEvent] = [
            .streamEvent(ClaudeStreamEvent(kind: .inputJSONDelta(index: 0, partialJSON: "{\"comm"), messageID: "m1")),
            Self.assistant([Self.bash], message: "m1"),
        ]
        #expect(Self.render(events, .narrated).deltas == [.content("\n🔧 Bash(command=\"ls\")\n")])
        #expect(Self.render(events, .textOnly).deltas == [])
    }

    @Test("errors of tools: ✗ blocks and lines")
    func toolErrors() {
        let events = [Self.toolResult("Exit code 1\nno such file", isError: true)]
        #expect(Self.render(events, .verbose).content == "\n✗ **error**\n````\nExit code 1\nno such file\n````\n")
        #expect(Self.render(events, .narrated).content == "✗ Exit code 1\n")
        #expect(Self.render(events, .textOnly).content == "")
    }

    @Test("system reminders are stripped from result bodies")
    func systemReminders() {
        let body = "line one\nline two\n\n<system-reminder>\nWhenever you read a file, think about malware.\n</system-reminder>\n"
        #expect(Self.render([Self.toolResult(body)], .verbose).content == "\n↳ **result**\n````\nline one\nline two\n````\n")
        let leading = "<system-reminder>note</system-reminder>\n\n  indented\nmore<system-reminder>x</system-reminder>"
        #expect(Self.render([Self.toolResult(leading)], .verbose).content == "\n↳ **result**\n````\n  indented\nmore\n````\n")
        #expect(Self.render([Self.toolResult(leading)], .narrated).content == "↳ indented\n")
        #expect(Self.render([Self.toolResult("<system-reminder>only</system-reminder>")], .narrated).content == "↳ (no output)\n")
        // An unclosed tag is more likely the output itself than a note: kept.
        #expect(Self.render([Self.toolResult("a <system-reminder> b")], .narrated).content == "↳ a <system-reminder> b\n")
    }

    @Test("verbose results are cut at 8192 bytes on a UTF-8 boundary, with the count of bytes left off")
    func verboseCut() {
        // "é" is 2 bytes and straddles the limit: it is dropped whole.
        let body = String(repeating: "a", count: Limits.verboseToolResultBytes - 1) + "é" + "bcd"
        let content = Self.render([Self.toolResult(body)], .verbose).content
        let kept = String(repeating: "a", count: Limits.verboseToolResultBytes - 1)
        #expect(content == "\n↳ **result**\n````\n\(kept)\n… [truncated 5 bytes]\n````\n")
        // Exactly at the limit: nothing cut.
        let exact = String(repeating: "b", count: Limits.verboseToolResultBytes)
        #expect(Self.render([Self.toolResult(exact)], .verbose).content == "\n↳ **result**\n````\n\(exact)\n````\n")
    }

    @Test("a result containing a fence gets a longer one")
    func fence() {
        let body = "```swift\nlet x = 1\n```\n````\nnested\n````"
        #expect(Self.render([Self.toolResult(body)], .verbose).content == "\n↳ **result**\n`````\n\(body)\n`````\n")
    }

    @Test("narrated values are cut at 60 bytes, the argument list at 160, results at 200, never inside a character")
    func narratedCuts() {
        let long = ClaudeContentBlock.toolUse(
            id: "t", name: "Write", input: .object(["content": .string(String(repeating: "x", count: 100))]))
        #expect(
            Self.render([Self.assistant([long], message: "m")], .narrated).content
                == "\n🔧 Write(content=\"\(String(repeating: "x", count: 59))…)\n")
        // A value whose 60th byte is inside "€" (3 bytes): the character is dropped whole.
        let euro = ClaudeContentBlock.toolUse(
            id: "t", name: "Write", input: .object(["content": .string(String(repeating: "x", count: 58) + "€€")]))
        #expect(
            Self.render([Self.assistant([euro], message: "m")], .narrated).content
                == "\n🔧 Write(content=\"\(String(repeating: "x", count: 58))…)\n")
        // Four arguments `k="` + 59 × k + "…" (65 bytes each) joined with ", ": the list is cut
        // at 160 bytes, 23 bytes into the third value.
        let members = Dictionary(
            uniqueKeysWithValues: ["d", "c", "b", "a"].map { ($0, JSONValue.string(String(repeating: $0, count: 80))) })
        let many = ClaudeContentBlock.toolUse(id: "t", name: "T", input: .object(members))
        let argument: (String) -> String = { "\($0)=\"" + String(repeating: $0, count: 59) + "…" }
        let cut = argument("a") + ", " + argument("b") + ", c=\"" + String(repeating: "c", count: 23)
        #expect(cut.utf8.count == Limits.narratedToolSummaryBytes)
        #expect(Self.render([Self.assistant([many], message: "m")], .narrated).content == "\n🔧 T(\(cut)…)\n")
        // The result line: first line only, cut before the "€" that straddles 200 bytes.
        let line = String(repeating: "r", count: Limits.narratedToolResultBytes - 1) + "€uro\nsecond line"
        #expect(
            Self.render([Self.toolResult(line)], .narrated).content
                == "↳ \(String(repeating: "r", count: Limits.narratedToolResultBytes - 1))…\n")
    }

    @Test("tool input of any shape renders deterministically")
    func oddInputs() {
        let noInput = ClaudeContentBlock.toolUse(id: "t", name: "Ping", input: nil)
        #expect(Self.render([Self.assistant([noInput], message: "m")], .narrated).content == "\n🔧 Ping()\n")
        #expect(Self.render([Self.assistant([noInput], message: "m")], .verbose).content == "\n\n🔧 **Ping**\n```json\n{}\n```\n")
        let nested = ClaudeContentBlock.toolUse(
            id: "t", name: "Edit",
            input: .object(["z": .number(3), "a": .array([.bool(true), .null, .number(1.5)]), "m": .object(["y": .string("é\n"), "b": .number(-2)])]))
        #expect(
            Self.render([Self.assistant([nested], message: "m")], .narrated).content
                == "\n🔧 Edit(a=[true,null,1.5], m={\"b\":-2,\"y\":\"é\\n\"}, z=3)\n")
        #expect(
            Self.render([Self.assistant([nested], message: "m")], .verbose).content
                == "\n\n🔧 **Edit**\n```json\n{\n  \"a\": [\n    true,\n    null,\n    1.5\n  ],\n  \"m\": {\n    \"b\": -2,\n    \"y\": \"é\\n\"\n  },\n  \"z\": 3\n}\n```\n")
    }
}
