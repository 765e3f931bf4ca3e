import CCProxyCore
import Foundation
import Testing

@Suite("OpenAI encodings")
struct OpenAIEncodingTests {
    @Test("a chunk as an SSE frame")
    func sseFrame() throws {
        let chunk = ChatCompletionChunk(
            id: "chatcmpl-1",
            created: 42,
            model: "claude-code",
            delta: .init(role: "assistant", content: "a \"b\"\n<c> é \u{1}")
        )
        let frame = chunk.sseFrame()
        let text = String(decoding: frame, as: UTF8.self)
        #expect(text.hasPrefix("data: {"))
        #expect(text.hasSuffix("}\n\n"))
        #expect(text.dropLast(2).contains("\n") == false)
        #expect(
            text
                == "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":42,\"model\":\"claude-code\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"a \\\"b\\\"\\n<c> é \\u0001\"},\"finish_reason\":null}]}\n\n"
        )
        let object = try FixtureSupport.jsonObject(Array(frame.dropFirst(6)))
        let choice = try #require((object["choices"] as? [[String: Any]])?.first)
        #expect((choice["delta"] as? [String: String])?["content"] == "a \"b\"\n<c> é \u{1}")
        #expect(choice["finish_reason"] is NSNull)
        #expect(object["usage"] == nil)
    }

    @Test("a terminal chunk: empty delta, finish reason, usage")
    func terminal() throws {
        let chunk = ChatCompletionChunk(
            id: "chatcmpl-1",
            created: 42,
            model: "m",
            finishReason: "stop",
            usage: Usage(promptTokens: 3, completionTokens: 5, cachedPromptTokens: 2)
        )
        #expect(chunk.json.contains("\"delta\":{},\"finish_reason\":\"stop\"}]"))
        let object = try FixtureSupport.jsonObject(Array(chunk.json.utf8))
        let usage = try #require(object["usage"] as? [String: Any])
        #expect(usage["prompt_tokens"] as? Int == 3)
        #expect(usage["completion_tokens"] as? Int == 5)
        #expect(usage["total_tokens"] as? Int == 8)
        #expect((usage["prompt_tokens_details"] as? [String: Int])?["cached_tokens"] == 2)
    }

    @Test("[DONE] and an in-stream error")
    func done() throws {
        #expect(SSE.done == Array("data: [DONE]\n\n".utf8))
        let frame = String(decoding: SSE.errorFrame(.upstreamError("API Error: 400 x")), as: UTF8.self)
        #expect(frame.hasPrefix("data: {\"error\":{"))
        #expect(frame.hasSuffix("}}\n\n"))
    }

    @Test("a chat.completion body")
    func completion() throws {
        let body = ChatCompletion(
            id: "chatcmpl-1",
            created: 7,
            model: "m",
            content: "Hi there",
            finishReason: "stop",
            usage: Usage(promptTokens: 1, completionTokens: 2)
        ).jsonBody()
        #expect(body.last == UInt8(ascii: "\n"))
        let object = try FixtureSupport.jsonObject(body)
        #expect(object["object"] as? String == "chat.completion")
        let choice = try #require((object["choices"] as? [[String: Any]])?.first)
        #expect(choice["message"] as? [String: String] == ["role": "assistant", "content": "Hi there"])
        #expect(choice["finish_reason"] as? String == "stop")
        #expect((object["usage"] as? [String: Int])?["total_tokens"] == 3)
    }

    @Test("the model list")
    func models() throws {
        let body = ModelList.jsonBody(
            ids: [("claude-code", "ccproxy"), ("haiku", "claude-passthrough → x")],
            created: 9
        )
        let object = try FixtureSupport.jsonObject(body)
        #expect(object["object"] as? String == "list")
        let data = try #require(object["data"] as? [[String: Any]])
        #expect(data.count == 2)
        #expect(data[1]["owned_by"] as? String == "claude-passthrough → x")
        #expect(data[0]["object"] as? String == "model")
        #expect(data[0]["created"] as? Int == 9)
    }

    @Test("completion ids")
    func ids() {
        let a = CompletionID.make()
        let b = CompletionID.make()
        #expect(a != b)
        #expect(a.hasPrefix("chatcmpl-"))
        #expect(a.count == 9 + 32)
        #expect(a.dropFirst(9).allSatisfy { $0.isHexDigit && !$0.isUppercase })
    }
}
