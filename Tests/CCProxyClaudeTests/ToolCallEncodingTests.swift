import CCProxyCore
import Foundation
import Testing

/// `message.tool_calls` and `delta.tool_calls`, byte for byte (sorted keys).
@Suite("OpenAI encodings of tool calls")
struct ToolCallEncodingTests {
    let encoder = ResponseEncoder()

    @Test("a completion with a call: content null, tool_calls, finish_reason tool_calls")
    func completion() {
        let completion = ChatCompletion(
            id: "c", created: 1, model: "m", content: "", finishReason: .toolCalls,
            usage: Usage(promptTokens: 0, completionTokens: 0),
            toolCalls: [ToolCall(id: "toolu_1", name: "get_weather", arguments: #"{"city":"Paris"}"#)])
        let text = String(decoding: encoder.encode(completion), as: UTF8.self)
        #expect(text.contains(#""message":{"content":null,"role":"assistant","tool_calls":[{"function":{"arguments":"{\"city\":\"Paris\"}","name":"get_weather"},"id":"toolu_1","type":"function"}]}"#), "\(text)")
        #expect(text.contains(#""finish_reason":"tool_calls""#))
    }

    @Test("text before a call stays content")
    func textBeforeCall() {
        let completion = ChatCompletion(
            id: "c", created: 1, model: "m", content: "Let me check.", finishReason: .toolCalls,
            usage: Usage(promptTokens: 0, completionTokens: 0), toolCalls: [ToolCall(id: "t", name: "f", arguments: "{}")])
        #expect(String(decoding: encoder.encode(completion), as: UTF8.self).contains(#""content":"Let me check.""#))
    }

    @Test("the first piece of a streamed call carries id, type and name; later ones only arguments")
    func chunks() {
        let first = ChatCompletionChunk(
            id: "c", created: 1, model: "m", delta: .init(toolCalls: [ToolCallDelta(index: 0, id: "toolu_1", name: "f")]))
        #expect(
            String(decoding: encoder.encode(first), as: UTF8.self)
                == #"{"choices":[{"delta":{"tool_calls":[{"function":{"arguments":"","name":"f"},"id":"toolu_1","index":0,"type":"function"}]},"finish_reason":null,"index":0,"logprobs":null}],"created":1,"id":"c","model":"m","object":"chat.completion.chunk"}"#)
        let piece = ChatCompletionChunk(
            id: "c", created: 1, model: "m", delta: .init(toolCalls: [ToolCallDelta(index: 1, arguments: #"{"a""#)]))
        #expect(
            String(decoding: encoder.encode(piece), as: UTF8.self).contains(#""tool_calls":[{"function":{"arguments":"{\"a\""},"index":1}]"#))
    }
}
