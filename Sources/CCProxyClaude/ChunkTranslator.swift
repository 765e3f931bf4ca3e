import CCProxyCore

/// Translates one claude turn's stream-json events into `chat.completion.chunk`s (text-only
/// mode: the assistant's text, nothing of tools, thinking or subagents).
///
/// Rules:
/// - Text comes from `stream_event` `text_delta`s as they arrive. An `assistant` line adds its
///   text only when no delta was seen for that message (claude ran without partial messages),
///   so text is never sent twice.
/// - The text of successive assistant messages (e.g. before and after a tool run) is separated
///   with `"\n\n"`.
/// - The first chunk, and only it, carries `role: "assistant"`.
/// - Events of subagents (`parent_tool_use_id` set) and claude's synthetic "API Error: …"
///   message are not shown; an error `result` sets `upstreamError`.
/// - If the turn succeeded but produced no text at all, the `result` text is sent.
public struct ChunkTranslator: Sendable {
    public let completionID: String
    public let model: String
    public let created: Int

    /// The turn's `result`, once seen.
    public private(set) var result: ClaudeResult?
    /// The claude session id, from `system/init` or `result`.
    public private(set) var sessionID: String?
    /// Set when the turn failed: an error `result` (API error, unknown session, …) or, after
    /// `finish`, a turn that ended without a result. Status 502, type `upstream_error`. A
    /// non-streaming caller answers with it; a stream ends with finish_reason `error`.
    public private(set) var upstreamError: APIError?
    /// Lines that were not stream-json (skipped; for diagnostics).
    public private(set) var unparseableLines = 0

    private var roleSent = false
    private var textSent = false
    private var lastTextMessage: String?
    private var currentMessage: String?
    private var messagesWithDeltas: Set<String> = []

    public init(completionID: String, model: String, created: Int) {
        self.completionID = completionID
        self.model = model
        self.created = created
    }

    /// Feeds one event; returns the chunks to send now (often none, usually at most one).
    public mutating func consume(_ event: ClaudeEvent) -> [ChatCompletionChunk] {
        switch event {
        case .system(_, let id):
            if sessionID == nil { sessionID = id }
            return []
        case .streamEvent(let streamEvent):
            return consume(streamEvent)
        case .assistant(let message):
            guard message.parentToolUseID == nil, !message.isAPIErrorMessage else { return [] }
            let key = message.messageID ?? currentMessage ?? ""
            guard !messagesWithDeltas.contains(key) else { return [] }
            var text = ""
            for case .text(let piece) in message.blocks { text += piece }
            return text.isEmpty ? [] : [textChunk(text, message: key)]
        case .result(let result):
            self.result = result
            if let id = result.sessionID { sessionID = id }
            if result.isError {
                upstreamError = APIError.upstreamError(result.errorDescription)
                return []
            }
            if !textSent, let text = result.resultText, !text.isEmpty {
                return [textChunk(text, message: "result")]
            }
            return []
        case .unparseable:
            unparseableLines += 1
            return []
        case .user, .other:
            return []
        }
    }

    /// The terminal chunk, to be sent once, after claude exited and all its output was consumed.
    ///
    /// `finish_reason`: `error` when the result is an error or there is no result; otherwise the
    /// mapped stop reason (`stop`, `length`, `content_filter`). `usage` comes from the result:
    /// `prompt_tokens` = input + cache read + cache creation tokens (cache reads also as
    /// `cached_tokens`), `completion_tokens` = output tokens.
    /// - Parameter exitDescription: how claude ended when it did not exit with status 0 (e.g.
    ///   "exit status 1", "killed by signal 9"), nil for a clean exit. It names the failure when
    ///   no result was seen; a successful result stands even after a non-zero exit.
    public mutating func finish(exitDescription: String?) -> ChatCompletionChunk {
        var chunk = ChatCompletionChunk(id: completionID, created: created, model: model)
        if !roleSent {
            chunk.delta.role = "assistant"
            roleSent = true
        }
        guard let result else {
            if upstreamError == nil {
                upstreamError = APIError.upstreamError(
                    "claude ended without a result (\(exitDescription ?? "exit status 0"))"
                )
            }
            chunk.finishReason = "error"
            return chunk
        }
        chunk.finishReason = result.isError ? "error" : FinishReason(claudeStopReason: result.stopReason.map(ClaudeStopReason.init)).rawValue
        if let usage = result.usage {
            let cached = usage.cacheRead
            chunk.usage = Usage(
                promptTokens: usage.input + usage.cacheRead + usage.cacheCreation,
                completionTokens: usage.output,
                cachedPromptTokens: cached > 0 ? cached : nil
            )
        }
        return chunk
    }

    private mutating func consume(_ event: ClaudeStreamEvent) -> [ChatCompletionChunk] {
        guard event.parentToolUseID == nil else { return [] }
        switch event.kind {
        case .messageStart(let id):
            currentMessage = event.messageID ?? id
            return []
        case .textDelta(_, let text):
            let key = event.messageID ?? currentMessage ?? ""
            messagesWithDeltas.insert(key)
            return text.isEmpty ? [] : [textChunk(text, message: key)]
        default:
            return []
        }
    }

    /// A content chunk; the first carries the role, and text from a new message after earlier
    /// text is preceded by a blank line.
    private mutating func textChunk(_ text: String, message key: String) -> ChatCompletionChunk {
        var content = text
        if textSent, lastTextMessage != key { content = "\n\n" + text }
        lastTextMessage = key
        textSent = true
        var chunk = ChatCompletionChunk(id: completionID, created: created, model: model)
        chunk.delta.content = content
        if !roleSent {
            chunk.delta.role = "assistant"
            roleSent = true
        }
        return chunk
    }
}
