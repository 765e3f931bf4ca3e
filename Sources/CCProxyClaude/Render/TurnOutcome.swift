import CCProxyCore

/// How a turn ended, as the client must be told.
public enum TurnOutcome: Sendable, Equatable {
    /// claude reported success: the answer ends with `finishReason`, and `usage` is billed and
    /// (non-streaming, or when asked for) sent.
    case completed(finishReason: FinishReason, usage: Usage)
    /// claude reported an error, or ended without a result: a non-streaming request answers
    /// with this error, a stream sends it as an error event (no finish reason, no usage).
    case failed(APIError)
}
