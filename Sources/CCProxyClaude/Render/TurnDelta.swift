import CCProxyCore

/// One piece of a turn's output, as a renderer emits it.
///
/// A sink appends deltas in order: a stream sends each as a chunk (`delta.content` /
/// `delta.reasoning_content`), a non-streaming answer concatenates them per case into
/// `message.content` / `message.reasoning_content`. Because both read the same deltas, the two
/// say exactly the same thing.
public enum TurnDelta: Sendable, Equatable {
    /// Text for the answer's `content`: the assistant's text, and in `verbose` or `narrated`
    /// also tool calls, tool results and (verbose, reasoning not requested) thinking.
    case content(String)
    /// Thinking text for `reasoning_content`; only emitted when the request asked for reasoning.
    case reasoning(String)
    /// A piece of a client function call (`ClientCallCollector`): streamed as
    /// `delta.tool_calls`, collected into `message.tool_calls`.
    case toolCall(ToolCallDelta)
}
