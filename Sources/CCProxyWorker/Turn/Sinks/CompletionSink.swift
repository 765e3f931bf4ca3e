// Runs in: a worker (`ccproxy-worker`).

import CCProxyClaude
import CCProxyCore

/// Collects a turn into one `chat.completion` (a non-streaming request).
///
/// A completed turn is answered 200 with the whole text, any reasoning, the finish reason and
/// `usage` (always present). A failed turn is answered with its OpenAI error (a non-2xx status
/// that says why), never with a 200 that hides the failure.
struct CompletionSink: TurnSink {
    private var writer: ResponseWriter
    private let identity: CompletionIdentity
    private var content = ""
    private var reasoning = ""

    init(writer: ResponseWriter, identity: CompletionIdentity) {
        self.writer = writer
        self.identity = identity
    }

    mutating func begin() async throws {}

    /// - Throws: `SinkOverflow` once content and reasoning together pass
    ///   `Limits.maxCompletionBytes` (the driver then stops claude and fails the turn).
    mutating func emit(_ delta: TurnDelta) async throws {
        switch delta {
        case .content(let text): content += text
        case .reasoning(let text): reasoning += text
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
                reasoningContent: reasoning.isEmpty ? nil : reasoning, finishReason: finishReason, usage: usage)
            try await writer.send(status: .ok, body: ResponseEncoder().body(completion))
        case .failed(let error):
            try await writer.send(error: error)
        }
    }
}
