import CCProxyCore

/// Picks the calls of the client's functions out of a turn's events and turns them into
/// OpenAI tool-call pieces. Pure, like the renderers: the same events always give the same
/// deltas.
///
/// claude sees the client's functions as the MCP tools `mcp__<server>__<name>` of the server
/// the worker gives it (`prefix` is `mcp__<server>__`). A top-level `tool_use` block of such a
/// tool becomes call number 0, 1, … of the turn:
/// - with partial messages, its `content_block_start` gives the first piece (id and the
///   client's name, `arguments: ""`) and each `input_json_delta` a piece of the arguments;
/// - the `assistant` line that repeats the block completes it: a call that was not streamed
///   is sent whole there (arguments rendered compactly), and one whose streamed arguments
///   were empty gets `{}` (a function without parameters), so that the arguments are always
///   a JSON text.
/// Calls of claude's own tools (Bash, Read, the host's MCP servers) and of subagents are not
/// the client's and are ignored. The calls are `complete` once the message that made them has
/// ended (`message_stop`), or at the latest when claude moves on (a `user` line, `result`):
/// a message can make several calls (`parallel_tool_calls`), and the client gets them all —
/// or only the first, with `parallel: false` (claude is asked for one call at a time, and a
/// second call in the same message is dropped, so the client never gets more than it allowed).
public struct ClientCallCollector: Sendable {
    /// One call as the client gets it in `message.tool_calls`.
    public private(set) var calls: [ToolCall] = []
    /// True once the calls are all known: the turn ends there.
    public private(set) var complete = false
    /// The longest `arguments` of any call, for `Limits.maxToolArgumentsBytes`.
    public var longestArguments: Int { calls.map(\.arguments.utf8.count).max() ?? 0 }

    private let prefix: String
    private let functions: Set<String>
    private let parallel: Bool
    /// claude's ids of calls dropped because `parallel` is false.
    private var dropped: Set<String> = []
    /// claude's tool_use id → the call's index, for calls whose start was streamed.
    private var indexByID: [String: Int] = [:]
    /// (message, block index) → the call's index, for the `input_json_delta`s.
    private var indexByBlock: [BlockKey: Int] = [:]
    /// Calls whose `assistant` line has arrived.
    private var finished: Set<Int> = []
    private var currentMessage: String?
    /// The current message has ended (its `message_stop` arrived); its calls are complete
    /// once every one of them has had its `assistant` line, whichever comes last.
    private var messageStopped = false

    private struct BlockKey: Hashable, Sendable {
        var message: String
        var index: Int
    }

    /// - Parameters:
    ///   - prefix: `mcp__<server>__`, the names of the client's functions as claude sees them.
    ///   - functions: the client's function names (a tool under the prefix with another name
    ///     is not the client's).
    ///   - parallel: `parallel_tool_calls`; false keeps only the first call.
    public init(prefix: String, functions: [String], parallel: Bool = true) {
        self.prefix = prefix
        self.functions = Set(functions)
        self.parallel = parallel
    }

    /// The client's name for claude's tool `name`, or nil when it is not a client function.
    public func clientName(_ name: String) -> String? {
        guard name.hasPrefix(prefix) else { return nil }
        let bare = String(name.dropFirst(prefix.count))
        return functions.contains(bare) ? bare : nil
    }

    /// Feeds one event; returns the tool-call pieces to send now, in order.
    public mutating func consume(_ event: ClaudeEvent) -> [TurnDelta] {
        guard !complete else { return [] }
        switch event {
        case .streamEvent(let streamEvent):
            guard streamEvent.parentToolUseID == nil else { return [] }
            return consume(streamEvent)
        case .assistant(let message):
            guard message.parentToolUseID == nil, !message.isAPIErrorMessage else { return [] }
            return consume(message)
        case .user(_, let parent):
            if parent == nil, !calls.isEmpty { complete = true }
            return []
        case .result:
            if !calls.isEmpty { complete = true }
            return []
        case .system, .other, .unparseable:
            return []
        }
    }

    private mutating func consume(_ event: ClaudeStreamEvent) -> [TurnDelta] {
        switch event.kind {
        case .messageStart(let id):
            currentMessage = event.messageID ?? id
            messageStopped = false
            return []
        case .toolUseStart(let index, let id, let name):
            guard let client = clientName(name), indexByID[id] == nil, !dropped.contains(id) else { return [] }
            guard parallel || calls.isEmpty else {
                dropped.insert(id)
                return []
            }
            let callIndex = calls.count
            calls.append(ToolCall(id: id, name: client, arguments: ""))
            indexByID[id] = callIndex
            indexByBlock[BlockKey(message: messageKey(event.messageID), index: index)] = callIndex
            return [.toolCall(ToolCallDelta(index: callIndex, id: id, name: client))]
        case .inputJSONDelta(let index, let piece):
            guard let callIndex = indexByBlock[BlockKey(message: messageKey(event.messageID), index: index)],
                !piece.isEmpty
            else { return [] }
            calls[callIndex].arguments += piece
            return [.toolCall(ToolCallDelta(index: callIndex, arguments: piece))]
        case .messageStop:
            messageStopped = true
            checkComplete()
            return []
        case .contentBlockStart, .textDelta, .thinkingDelta, .otherDelta, .contentBlockStop, .messageDelta, .other:
            return []
        }
    }

    private mutating func consume(_ message: ClaudeAssistantMessage) -> [TurnDelta] {
        var out: [TurnDelta] = []
        for case .toolUse(let id, let name, let input) in message.blocks {
            guard let client = clientName(name), !dropped.contains(id) else { continue }
            guard indexByID[id] != nil || parallel || calls.isEmpty else {
                dropped.insert(id)
                continue
            }
            let whole = (input ?? .object([:])).rendered(.compact)
            if let callIndex = indexByID[id] {
                if !finished.contains(callIndex), calls[callIndex].arguments.isEmpty {
                    calls[callIndex].arguments = whole
                    out.append(.toolCall(ToolCallDelta(index: callIndex, arguments: whole)))
                }
                finished.insert(callIndex)
            } else {
                let callIndex = calls.count
                calls.append(ToolCall(id: id, name: client, arguments: whole))
                indexByID[id] = callIndex
                finished.insert(callIndex)
                out.append(.toolCall(ToolCallDelta(index: callIndex, id: id, name: client, arguments: whole)))
            }
        }
        checkComplete()
        return out
    }

    private mutating func checkComplete() {
        if messageStopped, !calls.isEmpty, finished.count == calls.count { complete = true }
    }

    private func messageKey(_ messageID: String?) -> String {
        messageID ?? currentMessage ?? ""
    }
}
