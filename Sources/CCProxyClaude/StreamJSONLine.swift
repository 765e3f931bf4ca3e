import CCProxyCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The fields of a stream-json line that ccproxy reads, all optional except `type`.
struct StreamJSONLine: Decodable {
    var type: String
    var subtype: String?
    var sessionID: String?
    var parentToolUseID: String?
    var apiMessageID: String?
    var isAPIErrorMessage: Bool?
    var event: StreamEventBody?
    var message: MessageBody?
    var result: ClaudeResult

    private enum CodingKeys: String, CodingKey {
        case type, subtype, event, message, result, usage, errors
        case sessionID = "session_id"
        case parentToolUseID = "parent_tool_use_id"
        case apiMessageID = "api_message_id"
        case isAPIErrorMessage = "is_api_error_message"
        case isError = "is_error"
        case stopReason = "stop_reason"
        case apiErrorStatus = "api_error_status"
        case structuredOutput = "structured_output"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        type = try c.decode(String.self, forKey: .type)
        subtype = c.lenient(String.self, .subtype)
        sessionID = c.lenient(String.self, .sessionID)
        parentToolUseID = c.lenient(String.self, .parentToolUseID)
        switch type {
        case "stream_event":
            apiMessageID = c.lenient(String.self, .apiMessageID)
            event = c.lenient(StreamEventBody.self, .event)
        case "assistant", "user":
            isAPIErrorMessage = c.lenient(Bool.self, .isAPIErrorMessage)
            message = c.lenient(MessageBody.self, .message)
        default:
            break
        }
        result = ClaudeResult(isError: false)
        if type == "result" {
            let usage = c.lenient(UsageBody.self, .usage)
            result = ClaudeResult(
                isError: c.lenient(Bool.self, .isError) ?? false,
                subtype: subtype,
                stopReason: c.lenient(String.self, .stopReason),
                resultText: c.lenient(String.self, .result),
                apiErrorStatus: c.lenient(Int.self, .apiErrorStatus),
                usage: usage.map(\.tokenUsage),
                sessionID: sessionID,
                errors: c.lenient([String].self, .errors) ?? [],
                structuredOutput: c.lenient(JSONValue.self, .structuredOutput)
            )
        }
    }
}

/// `event` of a `stream_event` line.
struct StreamEventBody: Decodable {
    var kind: ClaudeStreamEvent.Kind
    var messageID: String?

    private enum CodingKeys: String, CodingKey {
        case type, index, delta, message, contentBlock = "content_block"
    }
    private enum DeltaKeys: String, CodingKey {
        case type, text, thinking, partialJSON = "partial_json", stopReason = "stop_reason"
    }
    private struct Identified: Decodable { var id: String? }
    private struct Typed: Decodable { var type: String?; var id: String?; var name: String? }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = c.lenient(String.self, .type) ?? "unknown"
        let index = c.lenient(Int.self, .index) ?? 0
        switch type {
        case "message_start":
            messageID = c.lenient(Identified.self, .message)?.id
            kind = .messageStart(messageID: messageID)
        case "content_block_start":
            let block = c.lenient(Typed.self, .contentBlock)
            if block?.type == "tool_use", let id = block?.id, let name = block?.name {
                kind = .toolUseStart(index: index, id: id, name: name)
            } else {
                kind = .contentBlockStart(index: index, blockType: block?.type ?? "unknown")
            }
        case "content_block_delta":
            kind = Self.delta(c, index: index)
        case "content_block_stop":
            kind = .contentBlockStop(index: index)
        case "message_delta":
            let delta = try? c.nestedContainer(keyedBy: DeltaKeys.self, forKey: .delta)
            kind = .messageDelta(stopReason: delta?.lenient(String.self, .stopReason))
        case "message_stop":
            kind = .messageStop
        default:
            kind = .other(type: type)
        }
    }

    private static func delta(_ c: KeyedDecodingContainer<CodingKeys>, index: Int) -> ClaudeStreamEvent.Kind {
        guard let delta = try? c.nestedContainer(keyedBy: DeltaKeys.self, forKey: .delta) else {
            return .otherDelta(index: index, type: "unknown")
        }
        let type = delta.lenient(String.self, .type) ?? "unknown"
        switch type {
        case "text_delta":
            return .textDelta(index: index, text: delta.lenient(String.self, .text) ?? "")
        case "thinking_delta":
            return .thinkingDelta(index: index, text: delta.lenient(String.self, .thinking) ?? "")
        case "input_json_delta":
            return .inputJSONDelta(index: index, partialJSON: delta.lenient(String.self, .partialJSON) ?? "")
        default:
            return .otherDelta(index: index, type: type)
        }
    }
}

/// `message` of an `assistant` or `user` line. `content` may be an array of blocks or a
/// plain string (read as one text block).
struct MessageBody: Decodable {
    var id: String?
    var content: [ClaudeContentBlock]
    var usage: UsageBody?

    private enum CodingKeys: String, CodingKey { case id, content, usage }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = c.lenient(String.self, .id)
        usage = c.lenient(UsageBody.self, .usage)
        if let text = c.lenient(String.self, .content) {
            content = [.text(text)]
        } else {
            content = (c.lenient([ContentBlockBody].self, .content) ?? []).map(\.block)
        }
    }
}

/// One content block; unknown or ill-typed blocks become `.other`.
struct ContentBlockBody: Decodable {
    var block: ClaudeContentBlock

    private enum CodingKeys: String, CodingKey {
        case type, text, thinking, id, name, input, content
        case toolUseID = "tool_use_id"
        case isError = "is_error"
    }
    private struct TextPart: Decodable { var type: String?; var text: String? }

    init(from decoder: any Decoder) throws {
        guard let c = try? decoder.container(keyedBy: CodingKeys.self) else {
            block = .other(type: "unknown")
            return
        }
        let type = c.lenient(String.self, .type) ?? "unknown"
        switch type {
        case "text":
            block = .text(c.lenient(String.self, .text) ?? "")
        case "thinking":
            block = .thinking(c.lenient(String.self, .thinking) ?? "")
        case "tool_use":
            block = .toolUse(
                id: c.lenient(String.self, .id) ?? "",
                name: c.lenient(String.self, .name) ?? "",
                input: c.lenient(JSONValue.self, .input)
            )
        case "tool_result":
            var text = c.lenient(String.self, .content) ?? ""
            if let parts = c.lenient([TextPart].self, .content) {
                text = parts.compactMap { $0.type == "text" ? $0.text : nil }.joined()
            }
            block = .toolResult(
                toolUseID: c.lenient(String.self, .toolUseID) ?? "",
                text: text,
                isError: c.lenient(Bool.self, .isError) ?? false
            )
        default:
            block = .other(type: type)
        }
    }
}

/// `usage` of a `result` line.
struct UsageBody: Decodable {
    var input: Int?
    var output: Int?
    var cacheRead: Int?
    var cacheCreation: Int?
    var thinking: Int?

    private enum CodingKeys: String, CodingKey {
        case input = "input_tokens"
        case output = "output_tokens"
        case cacheRead = "cache_read_input_tokens"
        case cacheCreation = "cache_creation_input_tokens"
        case outputDetails = "output_tokens_details"
    }
    private struct OutputDetails: Decodable {
        var thinking: Int?
        private enum CodingKeys: String, CodingKey { case thinking = "thinking_tokens" }
        init(from decoder: any Decoder) throws {
            thinking = try decoder.container(keyedBy: CodingKeys.self).lenient(Int.self, .thinking)
        }
    }

    /// The counts, a missing one read as 0.
    var tokenUsage: ClaudeResult.TokenUsage {
        ClaudeResult.TokenUsage(
            input: input ?? 0, output: output ?? 0, cacheRead: cacheRead ?? 0, cacheCreation: cacheCreation ?? 0,
            thinking: thinking ?? 0)
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        input = c.lenient(Int.self, .input)
        output = c.lenient(Int.self, .output)
        cacheRead = c.lenient(Int.self, .cacheRead)
        cacheCreation = c.lenient(Int.self, .cacheCreation)
        thinking = c.lenient(OutputDetails.self, .outputDetails)?.thinking
    }
}

extension KeyedDecodingContainer {
    /// The value under `key`, or nil when it is absent, null or of another type.
    func lenient<T: Decodable>(_ type: T.Type, _ key: Key) -> T? {
        (try? decodeIfPresent(type, forKey: key)) ?? nil
    }
}
