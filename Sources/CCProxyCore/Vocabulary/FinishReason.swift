/// OpenAI's `finish_reason` values that ccproxy sends.
///
/// There is deliberately no `error` case: a failed turn is reported as an OpenAI error (a
/// non-2xx response, or a `data: {"error": …}` event in a stream), never as a finish reason
/// that clients such as litellm treat as the end of a normal answer.
public enum FinishReason: String, Sendable, Codable, Equatable {
    case stop
    case length
    case toolCalls = "tool_calls"
    case contentFilter = "content_filter"

    /// The finish reason for claude's last stop reason: `max_tokens` and
    /// `model_context_window_exceeded` → `length`, `refusal` → `content_filter`, everything else
    /// (`end_turn`, `stop_sequence`, `pause_turn`, `tool_use`, none) → `stop`. `tool_use` is `stop`
    /// because claude ran its own tools; `tool_calls` is only for calls the client must answer.
    public init(claudeStopReason: ClaudeStopReason?) {
        switch claudeStopReason {
        case .maxTokens?, .modelContextWindowExceeded?: self = .length
        case .refusal?: self = .contentFilter
        default: self = .stop
        }
    }
}

/// The Messages API `stop_reason` values claude reports in its `result`.
public enum ClaudeStopReason: Sendable, Equatable {
    case endTurn
    case maxTokens
    case stopSequence
    case toolUse
    case pauseTurn
    case refusal
    case modelContextWindowExceeded
    /// A value this version does not know, kept as sent.
    case other(String)

    /// Parses the wire value.
    public init(_ raw: String) {
        switch raw {
        case "end_turn": self = .endTurn
        case "max_tokens": self = .maxTokens
        case "stop_sequence": self = .stopSequence
        case "tool_use": self = .toolUse
        case "pause_turn": self = .pauseTurn
        case "refusal": self = .refusal
        case "model_context_window_exceeded": self = .modelContextWindowExceeded
        default: self = .other(raw)
        }
    }
}
