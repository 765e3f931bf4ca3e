import CCProxyClaude
import CCProxyCore
import Testing

@Suite("ChunkTranslator")
struct ChunkTranslatorTests {
    private func delta(_ text: String, message: String, parent: String? = nil) -> ClaudeEvent {
        .streamEvent(
            ClaudeStreamEvent(kind: .textDelta(index: 0, text: text), messageID: message, parentToolUseID: parent)
        )
    }
    private func assistant(_ blocks: [ClaudeContentBlock], message: String, parent: String? = nil) -> ClaudeEvent {
        .assistant(ClaudeAssistantMessage(messageID: message, blocks: blocks, parentToolUseID: parent))
    }
    private let success = ClaudeEvent.result(
        ClaudeResult(
            isError: false,
            subtype: "success",
            stopReason: "end_turn",
            resultText: "x",
            usage: .init(input: 3, output: 5)
        )
    )

    @Test("text of successive assistant messages is separated by a blank line")
    func separatesMessages() {
        let run = FixtureSupport.translate([
            delta("Let me check.", message: "m1"),
            assistant([.text("Let me check."), .toolUse(id: "t", name: "Bash", input: nil)], message: "m1"),
            .user(blocks: [.toolResult(toolUseID: "t", text: "ok", isError: false)], parentToolUseID: nil),
            delta("It ", message: "m2"), delta("worked.", message: "m2"),
            assistant([.text("It worked.")], message: "m2"),
            success,
        ])
        #expect(run.text == "Let me check.\n\nIt worked.")
        #expect(run.chunks.map(\.delta.content) == ["Let me check.", "\n\nIt ", "worked."])
    }

    @Test("without partials, assistant lines supply text, separated per message")
    func assistantFallback() {
        let run = FixtureSupport.translate([
            assistant([.thinking("hmm")], message: "m1"),
            assistant([.text("one")], message: "m1"),
            assistant([.toolUse(id: "t", name: "Read", input: .object(["file_path": .string("/x")]))], message: "m1"),
            assistant([.text("two")], message: "m2"),
            success,
        ])
        #expect(run.text == "one\n\ntwo")
        #expect(run.chunks.first?.delta.role == "assistant")
        #expect(run.chunks.last?.delta.role == nil)
    }

    @Test("subagent events are not shown")
    func subagentHidden() {
        let run = FixtureSupport.translate([
            delta("sub", message: "s1", parent: "toolu_1"),
            assistant([.text("sub")], message: "s1", parent: "toolu_1"),
            delta("main", message: "m1"),
            success,
        ])
        #expect(run.text == "main")
    }

    @Test("a successful turn without any text sends the result text")
    func resultFallback() {
        let run = FixtureSupport.translate([success])
        #expect(run.chunks.map(\.delta) == [.init(role: "assistant", content: "x")])
        #expect(run.terminal.delta.role == nil)
    }

    @Test("no result → error terminal naming how claude ended")
    func missingResult() {
        let run = FixtureSupport.translate([delta("partial", message: "m1")], exitDescription: "killed by signal 9")
        #expect(run.terminal.finishReason == "error")
        #expect(run.terminal.usage == nil)
        #expect(run.translator.upstreamError?.message == "claude ended without a result (killed by signal 9)")
        #expect(run.translator.upstreamError?.status == 502)
    }

    @Test(
        "finish reasons",
        arguments: [
            ("end_turn", "stop"), ("stop_sequence", "stop"), ("max_tokens", "length"), ("tool_use", "stop"),
            ("refusal", "content_filter"), ("something_new", "stop"),
        ]
    )
    func finishReasons(stopReason: String, expected: String) {
        let run = FixtureSupport.translate([.result(ClaudeResult(isError: false, stopReason: stopReason))])
        #expect(run.terminal.finishReason == expected)
        #expect(FinishReason(claudeStopReason: nil) == .stop)
    }

    @Test("usage counts cache tokens as prompt tokens")
    func usageWithCache() {
        let run = FixtureSupport.translate([
            .result(
                ClaudeResult(
                    isError: false,
                    stopReason: "end_turn",
                    usage: .init(input: 4, output: 7, cacheRead: 100, cacheCreation: 20)
                )
            )
        ])
        #expect(
            run.terminal.usage
                == Usage(promptTokens: 124, completionTokens: 7, totalTokens: 131, cachedPromptTokens: 100)
        )
    }

    @Test("unparseable lines are counted and skipped")
    func unparseable() {
        let run = FixtureSupport.translate([
            ClaudeEventDecoder.decode(line: Array("not json at all".utf8)), delta("ok", message: "m"), success,
        ])
        #expect(run.translator.unparseableLines == 1)
        #expect(run.text == "ok")
        #expect(run.terminal.finishReason == "stop")
    }
}
