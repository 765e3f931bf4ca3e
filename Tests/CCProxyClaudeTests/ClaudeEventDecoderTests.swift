import CCProxyClaude
import CCProxyCore
import Testing

@Suite("ClaudeEventDecoder")
struct ClaudeEventDecoderTests {
    private func decode(_ line: String) -> ClaudeEvent { ClaudeEventDecoder.decode(line: Array(line.utf8)) }

    @Test("lines that are not objects with a string type are unparseable")
    func unparseable() {
        for line in ["not json", "[1,2]", "{\"type\":3}", "{}", "", "{\"type\":\"assistant\""] {
            guard case .unparseable = decode(line) else {
                Issue.record("\(line) decoded")
                continue
            }
        }
    }

    @Test("unknown types pass through by name")
    func other() {
        #expect(decode(#"{"type":"rate_limit_event","x":1}"#) == .other(type: "rate_limit_event"))
    }

    @Test("a user message with string content parses")
    func userStringContent() {
        #expect(
            decode(#"{"type":"user","message":{"role":"user","content":"hi"}}"#)
                == .user(blocks: [.text("hi")], parentToolUseID: nil)
        )
    }

    @Test("odd field types do not cost the line")
    func lenient() {
        let event = decode(
            #"{"type":"result","is_error":"yes","usage":{"input_tokens":"many","output_tokens":2},"result":7}"#
        )
        guard case .result(let result) = event else {
            Issue.record("not a result: \(event)")
            return
        }
        #expect(result.isError == false)
        #expect(result.usage == .init(input: 0, output: 2))
        #expect(result.resultText == nil)
    }

    @Test("tool results: string or text parts")
    func toolResults() {
        let line =
            #"{"type":"user","message":{"content":[{"type":"tool_result","tool_use_id":"a","content":[{"type":"text","text":"x"},{"type":"image"},{"type":"text","text":"y"}],"is_error":true}]}}"#
        #expect(
            decode(line)
                == .user(blocks: [.toolResult(toolUseID: "a", text: "xy", isError: true)], parentToolUseID: nil)
        )
    }

    @Test("stream events keep their kind and message id")
    func streamEvents() {
        let line =
            #"{"type":"stream_event","event":{"type":"content_block_delta","index":2,"delta":{"type":"text_delta","text":"é\n\"q\""}},"api_message_id":"msg_1","parent_tool_use_id":null}"#
        #expect(
            decode(line)
                == .streamEvent(ClaudeStreamEvent(kind: .textDelta(index: 2, text: "é\n\"q\""), messageID: "msg_1"))
        )
        let start = #"{"type":"stream_event","event":{"type":"message_start","message":{"id":"msg_9"}}}"#
        #expect(
            decode(start)
                == .streamEvent(ClaudeStreamEvent(kind: .messageStart(messageID: "msg_9"), messageID: "msg_9"))
        )
    }
}
