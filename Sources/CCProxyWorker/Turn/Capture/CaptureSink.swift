// Runs in: a worker (`ccproxy-worker`).

import CCProxyClaude
import CCProxyCore
import Foundation

/// A tee on a turn's sink: everything goes to `inner` unchanged, and a copy to the capture.
/// The capture never changes what the client gets, nor fails it.
struct CaptureSink<Inner: TurnSink>: TurnSink {
    var inner: Inner
    let capture: TurnCapture
    /// Whether the answer is collected (non-streamed): then the response line holds it.
    let collects: Bool
    private var content = ""
    private var reasoning = ""

    init(inner: Inner, capture: TurnCapture, collects: Bool) {
        self.inner = inner
        self.capture = capture
        self.collects = collects
    }

    mutating func begin() async throws { try await inner.begin() }

    mutating func emit(_ delta: TurnDelta) async throws {
        try await inner.emit(delta)
        switch delta {
        case .content(let text):
            if collects { content += text }
            capture.recordChunk(TurnDeltaRecord(field: "content", text: text))
        case .reasoning(let text):
            if collects { reasoning += text }
            capture.recordChunk(TurnDeltaRecord(field: "reasoning_content", text: text))
        case .toolCall(let piece):
            capture.recordChunk(TurnDeltaRecord(field: "tool_calls[\(piece.index)]", text: piece.arguments))
        }
    }

    mutating func tick() async throws { try await inner.tick() }

    mutating func finish(_ outcome: TurnOutcome) async throws {
        defer {
            switch outcome {
            case .completed(let finishReason, let usage):
                var fields: [String: Any] = [
                    "outcome": "completed", "finish_reason": finishReason.rawValue,
                    "usage": ["prompt_tokens": usage.promptTokens, "completion_tokens": usage.completionTokens],
                ]
                if collects {
                    fields["content"] = content
                    if !reasoning.isEmpty { fields["reasoning_content"] = reasoning }
                }
                capture.recordResponse(fields)
            case .failed(let error):
                capture.recordResponse(["outcome": "failed", "error": TurnCapture.describe(error)])
            }
        }
        try await inner.finish(outcome)
    }

    mutating func observe(rawLine: [UInt8]) {
        capture.recordClaudeLine(rawLine)
        inner.observe(rawLine: rawLine)
    }
}

extension TurnCapture {
    /// An error as the client saw it.
    static func describe(_ error: APIError) -> [String: Any] {
        ["status": error.status, "type": error.type, "code": error.code ?? NSNull(), "message": error.message]
    }
}
