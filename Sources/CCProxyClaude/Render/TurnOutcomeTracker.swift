import CCProxyCore

/// Watches a turn's events for what decides its outcome: the `result` line and the session id.
/// Pure, like the renderers; the runner adds how the process ended and its stderr.
public struct TurnOutcomeTracker: Sendable {
    /// The turn's `result`, once seen.
    public private(set) var result: ClaudeResult?
    /// The claude session id: from the first `system` event (`init` carries it, and every
    /// later one repeats it), replaced by the `result`'s when that has one.
    public private(set) var sessionID: String?
    /// Lines that were not stream-json (skipped; for diagnostics).
    public private(set) var unparseableLines = 0
    /// The turn ran with `--json-schema`: a successful `result` without `structured_output`
    /// (claude gave up asking the model for it) is a failure, not an answer.
    public let requiresStructuredOutput: Bool
    /// The newest usage of each API message, from `assistant` lines (subagents' included:
    /// their tokens were spent too), in first-seen order.
    private var messageUsage: [(id: String, usage: ClaudeResult.TokenUsage)] = []

    public init(requiresStructuredOutput: Bool = false) {
        self.requiresStructuredOutput = requiresStructuredOutput
    }

    /// Feeds one event (every event of the turn, in order, subagents' included).
    public mutating func consume(_ event: ClaudeEvent) {
        switch event {
        case .system(_, let id):
            if sessionID == nil { sessionID = id }
        case .result(let result):
            self.result = result
            if let id = result.sessionID { sessionID = id }
        case .unparseable:
            unparseableLines += 1
        case .assistant(let message):
            guard let usage = message.usage else { break }
            let id = message.messageID ?? ""
            if let index = messageUsage.firstIndex(where: { $0.id == id }) {
                messageUsage[index].usage = usage
            } else {
                messageUsage.append((id, usage))
            }
        case .streamEvent, .user, .other:
            break
        }
    }

    /// The tokens of the turn so far, summed over its API messages (saturating at
    /// `Limits.maxTurnTokens`): what a turn that ends without a `result` has spent.
    public var usageSoFar: ClaudeResult.TokenUsage {
        func sum(_ pick: (ClaudeResult.TokenUsage) -> Int) -> Int {
            messageUsage.reduce(0) { total, entry in
                let value = max(0, pick(entry.usage))
                return total > Limits.maxTurnTokens - min(value, Limits.maxTurnTokens) ? Limits.maxTurnTokens : total + value
            }
        }
        return ClaudeResult.TokenUsage(
            input: sum(\.input), output: sum(\.output), cacheRead: sum(\.cacheRead),
            cacheCreation: sum(\.cacheCreation), thinking: sum(\.thinking))
    }

    /// The outcome of a turn that ended with calls of client functions (no `result`):
    /// `tool_calls`, with the usage so far.
    public func clientCallsOutcome() -> TurnOutcome {
        .completed(finishReason: .toolCalls, usage: Usage(claudeTokens: usageSoFar))
    }

    /// The outcome, once claude has exited and all its output was consumed.
    ///
    /// - A successful `result` completes the turn, even after a non-zero exit (the answer was
    ///   whole): finish reason from its stop reason, usage from its counts.
    /// - An error `result` fails it with 502 `upstream_error`: "claude reported an API error
    ///   (status N): <text>" when the API status is known, else "claude reported an error:
    ///   <text>".
    /// - No result fails it with "claude ended without a result (<how it ended>)", followed by
    ///   ": <stderr>" (its last `Limits.upstreamErrorStderrCharacters` characters) when claude
    ///   wrote any.
    /// - Parameters:
    ///   - exitDescription: how claude ended when not with status 0 ("exit status 1", "killed
    ///     by signal 9"), nil for a clean exit.
    ///   - stderrTail: the end of claude's stderr, possibly empty.
    public func outcome(exitDescription: String?, stderrTail: String) -> TurnOutcome {
        guard let result else {
            if requiresStructuredOutput, let refused = Self.refusedSchema(stderrTail) { return .failed(refused) }
            var message = "claude ended without a result (\(exitDescription ?? "exit status 0"))"
            let stderr = stderrTail.trimmingWhitespace()
            if !stderr.isEmpty { message += ": " + stderr.suffix(Limits.upstreamErrorStderrCharacters) }
            return .failed(.upstreamError(message))
        }
        guard result.isError else {
            if requiresStructuredOutput, result.structuredOutput == nil {
                return .failed(.upstreamError("claude ended without the structured output response_format asks for"))
            }
            return .completed(
                finishReason: FinishReason(claudeStopReason: result.stopReason.map(ClaudeStopReason.init)),
                usage: Usage(claudeTokens: result.usage)
            )
        }
        if let status = result.apiErrorStatus {
            return .failed(.upstreamError("claude reported an API error (status \(status)): \(result.errorDescription)"))
        }
        return .failed(.upstreamError("claude reported an error: \(result.errorDescription)"))
    }

    /// claude's start-up refusal of a `--json-schema` it cannot take ("--json-schema is not a
    /// valid JSON Schema: …"), as the client's 400; nil for any other stderr.
    static func refusedSchema(_ stderr: String) -> APIError? {
        let marker = "--json-schema is not a valid JSON Schema"
        guard let range = stderr.range(of: marker) else { return nil }
        let line = String(stderr[range.upperBound...].prefix { $0 != "\n" })
        let reason = String(line.trimmingPrefix(":")).trimmingWhitespace()
        return APIError.invalidRequest(
            "response_format.json_schema.schema is not a JSON Schema claude can use" + (reason.isEmpty ? "" : ": " + reason),
            code: "invalid_schema", param: "response_format.json_schema.schema")
    }
}
