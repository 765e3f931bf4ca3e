import CCProxyCore

/// Turns one claude turn's events into what the client sees, by verbosity. Pure: no I/O, no
/// clock, no randomness; the same events always give the same deltas.
///
/// Rules, in every mode:
/// - Only the top-level conversation shows: events of subagents (`parent_tool_use_id` set) are
///   hidden, and so is claude's synthetic "API Error: …" message (the failure is reported by
///   `TurnOutcomeTracker` instead).
/// - Text comes from `text_delta`s as they arrive. An `assistant` line adds its text (and its
///   thinking) only when no delta was seen for its message, i.e. claude ran without partial
///   messages — so nothing is sent twice, and a streamed turn renders exactly like the same
///   turn without partials.
/// - Text of a new assistant message after earlier text is preceded by `"\n\n"`; reasoning
///   likewise.
/// - A successful turn that produced no text at all sends the `result` text.
/// - Thinking goes to `.reasoning` when `includeReasoning`; otherwise it is content in
///   `verbose` (`VerboseFormat.thinking`) and hidden in `text-only` and `narrated`.
/// - In `verbose` and `narrated`, each tool call is rendered from the complete `assistant`
///   line (its input is whole there, unlike the `input_json_delta`s), and each tool result from
///   the `user` line that carries it (`VerboseFormat`, `NarratedFormat`).
public struct TurnRenderer: Sendable {
    public let options: RenderOptions

    /// Where thinking goes, decided once from the options.
    private enum ThinkingChannel: Sendable {
        case reasoning, content, hidden
    }

    /// A content block of a streamed message.
    private struct BlockKey: Sendable, Equatable {
        var message: String
        var index: Int
    }

    private let thinkingChannel: ThinkingChannel
    /// The message the latest `message_start` opened: events that carry no message id belong
    /// to it.
    private var currentMessage: String?
    /// Messages whose text or thinking arrived as deltas; their `assistant` lines repeat it.
    private var streamedMessages: Set<String> = []
    private var text = MessageSeparator()
    private var reasoning = MessageSeparator()
    /// The streamed thinking block shown as content whose closing line break is still due.
    private var openThinkingBlock: BlockKey?

    public init(options: RenderOptions) {
        self.options = options
        if options.includeReasoning {
            thinkingChannel = .reasoning
        } else {
            switch options.verbosity {
            case .verbose: thinkingChannel = .content
            case .textOnly, .narrated: thinkingChannel = .hidden
            }
        }
    }

    /// Feeds one event; returns what to send now, in order (often nothing).
    public mutating func consume(_ event: ClaudeEvent) -> [TurnDelta] {
        guard options.structuredOutput else { return render(event) }
        var out = render(event).filter { if case .reasoning = $0 { true } else { false } }
        if case .result(let result) = event, !result.isError, let document = result.structuredOutput {
            out.append(.content(document.rendered(.compact)))
        }
        return out
    }

    private mutating func render(_ event: ClaudeEvent) -> [TurnDelta] {
        switch event {
        case .streamEvent(let streamEvent):
            guard streamEvent.parentToolUseID == nil else { return [] }
            return consume(streamEvent)
        case .assistant(let message):
            guard message.parentToolUseID == nil, !message.isAPIErrorMessage else { return [] }
            return consume(message)
        case .user(let blocks, let parentToolUseID):
            guard parentToolUseID == nil else { return [] }
            return blocks.flatMap { block -> [TurnDelta] in
                guard case .toolResult(_, let body, let isError) = block,
                    let rendered = toolResult(body, isError: isError)
                else { return [] }
                return content(rendered)
            }
        case .result(let result):
            // An unfinished thinking block is closed, so the answer ends well-formed.
            var out = closeOpenThinkingBlock()
            if !result.isError, text.isEmpty, let final = result.resultText, !final.isEmpty {
                out += content(final)
            }
            return out
        case .system, .other, .unparseable:
            return []
        }
    }

    // MARK: - Events

    private mutating func consume(_ event: ClaudeStreamEvent) -> [TurnDelta] {
        switch event.kind {
        case .messageStart(let id):
            currentMessage = event.messageID ?? id
            return []
        case .textDelta(_, let piece):
            let message = messageKey(event.messageID)
            streamedMessages.insert(message)
            return piece.isEmpty ? [] : content(text.separate(piece, message: message))
        case .thinkingDelta(let index, let piece):
            let message = messageKey(event.messageID)
            streamedMessages.insert(message)
            return piece.isEmpty ? [] : streamedThinking(piece, block: BlockKey(message: message, index: index))
        case .contentBlockStop(let index):
            guard openThinkingBlock == BlockKey(message: messageKey(event.messageID), index: index) else {
                return []
            }
            return closeOpenThinkingBlock()
        case .contentBlockStart, .toolUseStart, .inputJSONDelta, .otherDelta, .messageDelta, .messageStop, .other:
            return []
        }
    }

    private mutating func consume(_ message: ClaudeAssistantMessage) -> [TurnDelta] {
        let key = message.messageID ?? currentMessage ?? ""
        let streamed = streamedMessages.contains(key)
        var out: [TurnDelta] = []
        for block in message.blocks {
            switch block {
            case .text(let piece):
                if !streamed, !piece.isEmpty { out += content(text.separate(piece, message: key)) }
            case .thinking(let piece):
                if !streamed, !piece.isEmpty { out += wholeThinking(piece, message: key) }
            case .toolUse(_, let name, let input):
                // A call of a client function is the client's to show (`tool_calls`).
                if let prefix = options.clientFunctionPrefix, name.hasPrefix(prefix) { continue }
                if let rendered = toolUse(name: name, input: input) { out += content(rendered) }
            case .toolResult, .other:
                break
            }
        }
        return out
    }

    // MARK: - Thinking

    /// One delta of a thinking block: as reasoning, or (verbose) as content opened by
    /// `VerboseFormat.thinkingOpening` on the block's first delta.
    private mutating func streamedThinking(_ piece: String, block: BlockKey) -> [TurnDelta] {
        switch thinkingChannel {
        case .reasoning:
            return [.reasoning(reasoning.separate(piece, message: block.message))]
        case .content:
            if openThinkingBlock == block { return [.content(piece)] }
            var out = closeOpenThinkingBlock()
            openThinkingBlock = block
            out.append(.content(VerboseFormat.thinkingOpening + piece))
            return out
        case .hidden:
            return []
        }
    }

    /// A thinking block from an `assistant` line, rendered as its deltas would have been.
    private mutating func wholeThinking(_ piece: String, message: String) -> [TurnDelta] {
        switch thinkingChannel {
        case .reasoning: return [.reasoning(reasoning.separate(piece, message: message))]
        case .content: return content(VerboseFormat.thinking(piece))
        case .hidden: return []
        }
    }

    /// The closing line break of a streamed thinking block, if one is open.
    private mutating func closeOpenThinkingBlock() -> [TurnDelta] {
        guard openThinkingBlock != nil else { return [] }
        openThinkingBlock = nil
        return [.content(VerboseFormat.thinkingClosing)]
    }

    // MARK: - Tools

    private func toolUse(name: String, input: JSONValue?) -> String? {
        switch options.verbosity {
        case .textOnly: return nil
        case .verbose: return VerboseFormat.toolUse(name: name, input: input)
        case .narrated: return NarratedFormat.toolUse(name: name, input: input)
        }
    }

    private func toolResult(_ body: String, isError: Bool) -> String? {
        switch options.verbosity {
        case .textOnly: return nil
        case .verbose: return VerboseFormat.toolResult(body, isError: isError)
        case .narrated: return NarratedFormat.toolResult(body, isError: isError)
        }
    }

    // MARK: - Helpers

    /// Content that is not part of a streamed thinking block: it closes an open one first (a
    /// block whose `content_block_stop` went missing must not swallow what follows).
    private mutating func content(_ piece: String) -> [TurnDelta] {
        closeOpenThinkingBlock() + [.content(piece)]
    }

    private func messageKey(_ messageID: String?) -> String {
        messageID ?? currentMessage ?? ""
    }
}
