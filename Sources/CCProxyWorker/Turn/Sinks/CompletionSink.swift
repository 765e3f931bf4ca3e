// Runs in: a worker (`ccproxy-worker`).

import CCProxyClaude
import CCProxyCore

/// Collects a turn into one `chat.completion` (a non-streaming request).
///
/// A completed turn is answered 200 with the whole text, any reasoning, the finish reason and
/// `usage` (always present). A failed turn is answered with its OpenAI error (a non-2xx status
/// that says why), never with a 200 that hides the failure. Calls of client functions become
/// `message.tool_calls`; when `tool_choice` demanded a call and the turn ended without one,
/// the answer carries `X-CC-Tool-Choice-Unmet: true` (its `finish_reason` stays what claude's
/// stop gives, usually `stop`).
struct CompletionSink: TurnSink {
    private var writer: ResponseWriter
    private let identity: CompletionIdentity
    private let callDemanded: Bool
    private var content = ""
    private var reasoning = ""
    private var calls: [ToolCall] = []

    init(writer: ResponseWriter, identity: CompletionIdentity, callDemanded: Bool = false) {
        self.writer = writer
        self.identity = identity
        self.callDemanded = callDemanded
    }

    mutating func begin() async throws {}

    /// - Throws: `SinkOverflow` once content and reasoning together pass
    ///   `Limits.maxCompletionBytes` (the driver then stops claude and fails the turn).
    mutating func emit(_ delta: TurnDelta) async throws {
        switch delta {
        case .content(let text): content += text
        case .reasoning(let text): reasoning += text
        case .toolCall(let piece):
            if piece.index == calls.count, let id = piece.id, let name = piece.name {
                calls.append(ToolCall(id: id, name: name, arguments: piece.arguments))
            } else if calls.indices.contains(piece.index) {
                calls[piece.index].arguments += piece.arguments
            }
        }
        if content.utf8.count + reasoning.utf8.count > Limits.maxCompletionBytes { throw SinkOverflow() }
    }

    /// Nothing to keep alive: no byte of a JSON response can be sent before it is complete.
    mutating func tick() async throws {}

    mutating func finish(_ outcome: TurnOutcome) async throws {
        switch outcome {
        case .completed(let finishReason, let usage):
            let completion = ChatCompletion(
                id: identity.id, created: identity.created, model: identity.model, content: content,
                reasoningContent: reasoning.isEmpty ? nil : reasoning, finishReason: finishReason, usage: usage,
                toolCalls: finishReason == .toolCalls ? calls : [])
            if callDemanded, finishReason != .toolCalls {
                writer.extraHeaders.append(("X-CC-Tool-Choice-Unmet", "true"))
            }
            try await writer.send(status: .ok, body: ResponseEncoder().body(completion))
        case .failed(let error):
            try await writer.send(error: error)
        }
    }
}
