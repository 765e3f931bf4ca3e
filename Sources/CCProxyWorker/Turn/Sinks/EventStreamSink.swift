// Runs in: a worker (`ccproxy-worker`).

import CCProxyClaude
import CCProxyCore

/// Streams a turn as OpenAI `chat.completion.chunk` server-sent events.
///
/// - The first chunk with content carries `role: "assistant"`; reasoning goes in
///   `reasoning_content`.
/// - A completed turn ends with a chunk whose delta is empty and whose `finish_reason` is set,
///   then, only when the client asked (`stream_options.include_usage`), a chunk with
///   `"choices": []` and `usage`, then `data: [DONE]`.
/// - A failed turn ends with `data: {"error": …}` (what the openai SDKs raise) and `[DONE]`,
///   with no finish reason before it: a client must not mistake a failure for an answer.
/// - A call of a client function streams as OpenAI does: `delta.tool_calls` with the call's
///   `index`, its id, type and name first, then pieces of its arguments; the turn then ends
///   with `finish_reason: "tool_calls"`.
/// - While nothing has been written for `keepAlive`, a tick writes `: keep-alive`.
struct EventStreamSink: TurnSink {
    private var writer: ResponseWriter
    private let identity: CompletionIdentity
    private let includeUsage: Bool
    private let keepAlive: Duration?
    private let encoder = ResponseEncoder()
    private var roleSent = false
    private var lastWrite = ContinuousClock.now

    init(writer: ResponseWriter, identity: CompletionIdentity, includeUsage: Bool, keepAlive: Duration?) {
        self.writer = writer
        self.identity = identity
        self.includeUsage = includeUsage
        self.keepAlive = keepAlive
    }

    mutating func begin() async throws {
        try await writer.startEventStream()
        lastWrite = .now
    }

    mutating func emit(_ delta: TurnDelta) async throws {
        var chunkDelta = ChatCompletionChunk.Delta()
        switch delta {
        case .content(let text): chunkDelta.content = text
        case .reasoning(let text): chunkDelta.reasoningContent = text
        case .toolCall(let piece): chunkDelta.toolCalls = [piece]
        }
        if !roleSent {
            chunkDelta.role = "assistant"
            roleSent = true
        }
        try await write(encoder.event(chunk(delta: chunkDelta)))
    }

    mutating func tick() async throws {
        guard let keepAlive, ContinuousClock.now - lastWrite >= keepAlive else { return }
        try await write(SSE.keepAlive)
    }

    mutating func finish(_ outcome: TurnOutcome) async throws {
        switch outcome {
        case .completed(let finishReason, let usage):
            var terminal = chunk(delta: ChatCompletionChunk.Delta(role: roleSent ? nil : "assistant"))
            terminal.finishReason = finishReason
            try await write(encoder.event(terminal))
            if includeUsage {
                try await write(encoder.event(chunk(delta: nil, usage: usage)))
            }
        case .failed(let error):
            try await write(SSE.errorEvent(error))
        }
        try await write(SSE.done)
        try await writer.endEventStream()
    }

    private func chunk(delta: ChatCompletionChunk.Delta?, usage: Usage? = nil) -> ChatCompletionChunk {
        var chunk = ChatCompletionChunk(id: identity.id, created: identity.created, model: identity.model, delta: delta, usage: usage)
        chunk.reportsUsage = includeUsage
        return chunk
    }

    private mutating func write(_ bytes: [UInt8]) async throws {
        try await writer.streamBytes(bytes)
        lastWrite = .now
    }
}
