#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Parses one line of claude's stream-json output.
///
/// Total: never throws, never traps. Fields that do not have the expected type are treated as
/// absent, so one odd field does not cost the whole line; only a line that is not a JSON object
/// with a string `type` is `unparseable`. Unknown fields are skipped without being materialised.
public enum ClaudeEventDecoder {
    /// Decodes `line` (one JSON object, without its newline).
    public static func decode(line: [UInt8]) -> ClaudeEvent {
        let envelope: StreamJSONLine
        do {
            envelope = try JSONDecoder().decode(StreamJSONLine.self, from: Data(line))
        } catch {
            return .unparseable(reason: reason(error))
        }
        switch envelope.type {
        case "system":
            return .system(subtype: envelope.subtype, sessionID: envelope.sessionID)
        case "stream_event":
            return .streamEvent(
                ClaudeStreamEvent(
                    kind: envelope.event?.kind ?? .other(type: "unknown"),
                    messageID: envelope.apiMessageID ?? envelope.event?.messageID,
                    parentToolUseID: envelope.parentToolUseID
                )
            )
        case "assistant":
            return .assistant(
                ClaudeAssistantMessage(
                    messageID: envelope.message?.id,
                    blocks: envelope.message?.content ?? [],
                    parentToolUseID: envelope.parentToolUseID,
                    isAPIErrorMessage: envelope.isAPIErrorMessage ?? false,
                    usage: envelope.message?.usage.map(\.tokenUsage)
                )
            )
        case "user":
            return .user(blocks: envelope.message?.content ?? [], parentToolUseID: envelope.parentToolUseID)
        case "result":
            return .result(envelope.result)
        default:
            return .other(type: envelope.type)
        }
    }

    private static func reason(_ error: any Error) -> String {
        if let decoding = error as? DecodingError, case .keyNotFound = decoding {
            return "no string `type`"
        }
        if let decoding = error as? DecodingError, case .typeMismatch = decoding {
            return "not an object with a string `type`"
        }
        return "invalid JSON"
    }
}
