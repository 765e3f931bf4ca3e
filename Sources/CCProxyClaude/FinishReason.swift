/// OpenAI `finish_reason` values and their mapping from claude's stop reasons.
public enum FinishReason {
    public static let stop = "stop"
    public static let length = "length"
    public static let contentFilter = "content_filter"
    public static let error = "error"

    /// `max_tokens` and `model_context_window_exceeded` → `length`, `refusal` →
    /// `content_filter`, everything else (`end_turn`, `stop_sequence`, `pause_turn`, `tool_use`,
    /// none) → `stop`. `tool_use` maps to `stop` because claude ran the tools itself and no
    /// `tool_calls` are ever sent to the client.
    public static func from(stopReason: String?) -> String {
        switch stopReason {
        case "max_tokens", "model_context_window_exceeded": return length
        case "refusal": return contentFilter
        default: return stop
        }
    }
}
