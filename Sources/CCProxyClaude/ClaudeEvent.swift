import CCProxyCore

/// One parsed line of claude's `--output-format stream-json` output.
public enum ClaudeEvent: Sendable, Equatable {
    /// `{"type":"system",…}`: `init` (carries the session id), `status`, `thinking_tokens`,
    /// `api_retry`, …
    case system(subtype: String?, sessionID: String?)
    /// `{"type":"stream_event",…}`: one raw Messages API streaming event (with
    /// `--include-partial-messages`).
    case streamEvent(ClaudeStreamEvent)
    /// `{"type":"assistant",…}`: a finished assistant content block (claude prints one such
    /// line per block; several lines may share a message id).
    case assistant(ClaudeAssistantMessage)
    /// `{"type":"user",…}`: tool results fed back to the model.
    case user(blocks: [ClaudeContentBlock], parentToolUseID: String?)
    /// `{"type":"result",…}`: the end of the turn.
    case result(ClaudeResult)
    /// Any other `type` (`rate_limit_event`, …).
    case other(type: String)
    /// A line that is not a JSON object with a string `type`.
    case unparseable(reason: String)
}

/// A Messages API streaming event as claude forwards it.
public struct ClaudeStreamEvent: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case messageStart(messageID: String?)
        case contentBlockStart(index: Int, blockType: String)
        /// The start of a `tool_use` block: the call's id and the tool's name come first, its
        /// input follows as `inputJSONDelta`s.
        case toolUseStart(index: Int, id: String, name: String)
        case textDelta(index: Int, text: String)
        case thinkingDelta(index: Int, text: String)
        case inputJSONDelta(index: Int, partialJSON: String)
        /// Another delta type (`signature_delta`, `citations_delta`, …).
        case otherDelta(index: Int, type: String)
        case contentBlockStop(index: Int)
        case messageDelta(stopReason: String?)
        case messageStop
        case other(type: String)
    }

    public var kind: Kind
    /// The API message this event belongs to (`api_message_id`), when claude says.
    public var messageID: String?
    /// Non-nil for events of a subagent (the Task tool use that started it).
    public var parentToolUseID: String?

    public init(kind: Kind, messageID: String? = nil, parentToolUseID: String? = nil) {
        self.kind = kind
        self.messageID = messageID
        self.parentToolUseID = parentToolUseID
    }
}

/// An `assistant` line.
public struct ClaudeAssistantMessage: Sendable, Equatable {
    public var messageID: String?
    public var blocks: [ClaudeContentBlock]
    /// Non-nil for messages of a subagent.
    public var parentToolUseID: String?
    /// True for the synthetic message claude prints for a failed API call ("API Error: 400 …");
    /// the same text comes back in the error `result`.
    public var isAPIErrorMessage: Bool
    /// The API message's `usage` as of this line (claude prints one line per block, each with
    /// the counts so far); for a turn that ends without a `result` (a client function call).
    public var usage: ClaudeResult.TokenUsage?

    public init(
        messageID: String?,
        blocks: [ClaudeContentBlock],
        parentToolUseID: String? = nil,
        isAPIErrorMessage: Bool = false,
        usage: ClaudeResult.TokenUsage? = nil
    ) {
        self.usage = usage
        self.messageID = messageID
        self.blocks = blocks
        self.parentToolUseID = parentToolUseID
        self.isAPIErrorMessage = isAPIErrorMessage
    }
}

/// A content block of an `assistant` or `user` line.
public enum ClaudeContentBlock: Sendable, Equatable {
    case text(String)
    case thinking(String)
    /// `input` is the tool's JSON input, nil when absent.
    case toolUse(id: String, name: String, input: JSONValue?)
    /// `text` is the result's string content or its text parts concatenated.
    case toolResult(toolUseID: String, text: String, isError: Bool)
    case other(type: String)
}
