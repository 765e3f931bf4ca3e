import CCProxyCore
import Foundation
import Testing

/// The response objects, byte for byte: `ResponseEncoder` sorts keys, so these goldens hold on
/// every run (the encoder's own order follows a per-process hash seed).
@Suite("OpenAI encodings")
struct OpenAIEncodingTests {
    let encoder = ResponseEncoder()

    @Test("a content chunk as an SSE event, escaping included")
    func contentChunk() throws {
        let chunk = ChatCompletionChunk(
            id: "chatcmpl-1", created: 42, model: "claude-code",
            delta: .init(role: "assistant", content: "a \"b\"\n<c> é \u{1} a/b"))
        let text = String(decoding: encoder.event(chunk), as: UTF8.self)
        #expect(
            text
                == #"data: {"choices":[{"delta":{"content":"a \"b\"\n<c> é \u0001 a/b","role":"assistant"},"finish_reason":null,"index":0,"logprobs":null}],"created":42,"id":"chatcmpl-1","model":"claude-code","object":"chat.completion.chunk"}"#
                + "\n\n")
        #expect(text.dropLast(2).contains("\n") == false)
    }

    @Test("a reasoning chunk")
    func reasoningChunk() {
        let chunk = ChatCompletionChunk(id: "c", created: 1, model: "m", delta: .init(reasoningContent: "hmm"))
        #expect(
            String(decoding: encoder.encode(chunk), as: UTF8.self)
                == #"{"choices":[{"delta":{"reasoning_content":"hmm"},"finish_reason":null,"index":0,"logprobs":null}],"created":1,"id":"c","model":"m","object":"chat.completion.chunk"}"#)
    }

    @Test("a terminal chunk: empty delta, finish reason, no usage key")
    func terminal() {
        let chunk = ChatCompletionChunk(id: "c", created: 1, model: "m", finishReason: .length)
        #expect(
            String(decoding: encoder.encode(chunk), as: UTF8.self)
                == #"{"choices":[{"delta":{},"finish_reason":"length","index":0,"logprobs":null}],"created":1,"id":"c","model":"m","object":"chat.completion.chunk"}"#)
    }

    @Test("with include_usage, a chunk without usage says usage: null")
    func usageNull() {
        var chunk = ChatCompletionChunk(id: "c", created: 1, model: "m", delta: .init(content: "x"))
        chunk.reportsUsage = true
        #expect(
            String(decoding: encoder.encode(chunk), as: UTF8.self)
                == #"{"choices":[{"delta":{"content":"x"},"finish_reason":null,"index":0,"logprobs":null}],"created":1,"id":"c","model":"m","object":"chat.completion.chunk","usage":null}"#)
    }

    @Test("the usage chunk: no choices, usage with details")
    func usageChunk() {
        let chunk = ChatCompletionChunk(
            id: "c", created: 1, model: "m", delta: nil,
            usage: Usage(promptTokens: 3, completionTokens: 5, cachedPromptTokens: 2, reasoningTokens: 1))
        #expect(
            String(decoding: encoder.encode(chunk), as: UTF8.self)
                == #"{"choices":[],"created":1,"id":"c","model":"m","object":"chat.completion.chunk","usage":{"completion_tokens":5,"completion_tokens_details":{"reasoning_tokens":1},"prompt_tokens":3,"prompt_tokens_details":{"cached_tokens":2},"total_tokens":8}}"#)
    }

    @Test("usage saturates instead of trapping")
    func usageSaturates() {
        let usage = Usage(promptTokens: Int.max, completionTokens: Int.max, cachedPromptTokens: -5)
        #expect(usage.totalTokens == Limits.maxTurnTokens)
        #expect(usage.promptTokens == Limits.maxTurnTokens)
        #expect(usage.cachedPromptTokens == 0)
        #expect(Usage(promptTokens: -1, completionTokens: 2).promptTokens == 0)
    }

    @Test("[DONE], keep-alive and an in-stream error")
    func frames() {
        #expect(SSE.done == Array("data: [DONE]\n\n".utf8))
        #expect(SSE.keepAlive == Array(": keep-alive\n\n".utf8))
        let frame = String(decoding: SSE.errorEvent(.upstreamError("API Error: 400 x")), as: UTF8.self)
        #expect(frame.hasPrefix("data: {\"error\":{"))
        #expect(frame.hasSuffix("}}\n\n"))
        #expect(frame.dropLast(2).contains("\n") == false)
    }

    @Test("a chat.completion body, reasoning only when present")
    func completion() throws {
        let plain = ChatCompletion(
            id: "chatcmpl-1", created: 7, model: "m", content: "Hi there", finishReason: .stop,
            usage: Usage(promptTokens: 1, completionTokens: 2))
        let body = encoder.body(plain)
        #expect(body.last == UInt8(ascii: "\n"))
        #expect(
            String(decoding: body.dropLast(), as: UTF8.self)
                == #"{"choices":[{"finish_reason":"stop","index":0,"logprobs":null,"message":{"content":"Hi there","role":"assistant"}}],"created":7,"id":"chatcmpl-1","model":"m","object":"chat.completion","usage":{"completion_tokens":2,"completion_tokens_details":{"reasoning_tokens":0},"prompt_tokens":1,"prompt_tokens_details":{"cached_tokens":0},"total_tokens":3}}"#)
        var thinking = plain
        thinking.reasoningContent = "because"
        let object = try FixtureSupport.jsonObject(encoder.encode(thinking))
        let choice = try #require((object["choices"] as? [[String: Any]])?.first)
        #expect((choice["message"] as? [String: Any])?["reasoning_content"] as? String == "because")
    }

    @Test("models: the list and one model")
    func models() {
        let model = ModelObject(id: "sonnet", created: 5, ownedBy: "claude-passthrough")
        #expect(
            String(decoding: encoder.encode(ModelList(data: [model])), as: UTF8.self)
                == #"{"data":[{"created":5,"id":"sonnet","object":"model","owned_by":"claude-passthrough"}],"object":"list"}"#)
    }

    @Test("encoding is deterministic across many values")
    func deterministic() {
        let chunk = ChatCompletionChunk(id: "c", created: 1, model: "m", delta: .init(content: "x"))
        let first = encoder.encode(chunk)
        for _ in 0..<50 { #expect(ResponseEncoder().encode(chunk) == first) }
    }
}
