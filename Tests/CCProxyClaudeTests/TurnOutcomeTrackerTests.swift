import CCProxyClaude
import CCProxyCore
import Testing

@Suite("TurnOutcomeTracker")
struct TurnOutcomeTrackerTests {
    private static func outcome(
        _ events: [ClaudeEvent], exit: String? = nil, stderr: String = ""
    ) -> TurnOutcome {
        FixtureSupport.track(events).outcome(exitDescription: exit, stderrTail: stderr)
    }
    private static func decoded(_ line: String) -> ClaudeEvent {
        ClaudeEventDecoder.decode(line: Array(line.utf8))
    }

    @Test("a successful fixture: stop, usage from the result, session id from init")
    func text() throws {
        let tracker = FixtureSupport.track(try FixtureSupport.events("text.ndjson"))
        #expect(tracker.sessionID == "26ef9174-ed63-4bcc-81f5-0d8d660f3b05")
        #expect(tracker.result?.resultText == "pong")
        #expect(
            tracker.outcome(exitDescription: nil, stderrTail: "")
                == .completed(
                    finishReason: .stop,
                    usage: Usage(promptTokens: 10, completionTokens: 5, totalTokens: 15, cachedPromptTokens: 0)))
        let bash = Self.outcome(try FixtureSupport.events("bash-tool.ndjson"))
        #expect(
            bash == .completed(finishReason: .stop, usage: Usage(promptTokens: 20, completionTokens: 10, cachedPromptTokens: 0)))
    }

    @Test("a successful result stands after a non-zero exit")
    func successAfterBadExit() throws {
        let outcome = Self.outcome(try FixtureSupport.events("text.ndjson"), exit: "exit status 1", stderr: "warning")
        guard case .completed(.stop, _) = outcome else {
            Issue.record("\(outcome)")
            return
        }
    }

    @Test("api-error-400: 502 naming the API status and claude's text")
    func apiError() throws {
        let outcome = Self.outcome(try FixtureSupport.events("api-error-400.ndjson"), exit: "exit status 1")
        #expect(
            outcome
                == .failed(
                    APIError(
                        status: 502, type: "upstream_error", code: "claude_error",
                        message: "claude reported an API error (status 400): API Error: 400 mock rejects this prompt")))
    }

    @Test("no-such-session: the result's errors, and its session id")
    func unknownSession() throws {
        let events = try FixtureSupport.events("no-such-session.ndjson")
        #expect(FixtureSupport.track(events).sessionID == "99999999-2222-4333-8444-555555555555")
        let stderr = String(decoding: try FixtureSupport.bytes("no-such-session.stderr"), as: UTF8.self)
        #expect(
            Self.outcome(events, exit: "exit status 1", stderr: stderr)
                == .failed(
                    .upstreamError(
                        "claude reported an error: No conversation found with session ID: 99999999-2222-4333-8444-555555555555")))
    }

    @Test("an error result with no text names its subtype")
    func errorWithoutText() {
        #expect(
            Self.outcome([.result(ClaudeResult(isError: true, subtype: "error_max_turns"))])
                == .failed(.upstreamError("claude reported an error: no message (subtype error_max_turns)")))
    }

    @Test("no result: how claude ended, then the end of its stderr")
    func noResult() {
        let partial = ClaudeEvent.streamEvent(ClaudeStreamEvent(kind: .textDelta(index: 0, text: "x"), messageID: "m"))
        #expect(
            Self.outcome([partial], exit: "killed by signal 9")
                == .failed(.upstreamError("claude ended without a result (killed by signal 9)")))
        #expect(
            Self.outcome([], stderr: "  \n")
                == .failed(.upstreamError("claude ended without a result (exit status 0)")))
        #expect(
            Self.outcome([], exit: "exit status 1", stderr: "Error: not logged in\n")
                == .failed(.upstreamError("claude ended without a result (exit status 1): Error: not logged in")))
        let long = String(repeating: "x", count: 1000) + String(repeating: "é", count: Limits.upstreamErrorStderrCharacters)
        #expect(
            Self.outcome([], exit: "exit status 2", stderr: long)
                == .failed(
                    .upstreamError(
                        "claude ended without a result (exit status 2): "
                            + String(repeating: "é", count: Limits.upstreamErrorStderrCharacters))))
    }

    @Test(
        "finish reasons from the result's stop reason",
        arguments: [
            ("end_turn", FinishReason.stop), ("stop_sequence", .stop), ("max_tokens", .length), ("tool_use", .stop),
            ("refusal", .contentFilter), ("model_context_window_exceeded", .length), ("something_new", .stop),
        ]
    )
    func finishReasons(stopReason: String, expected: FinishReason) {
        let outcome = Self.outcome([.result(ClaudeResult(isError: false, stopReason: stopReason))])
        #expect(outcome == .completed(finishReason: expected, usage: Usage(promptTokens: 0, completionTokens: 0, cachedPromptTokens: 0)))
    }

    @Test("usage: cache reads and writes are prompt tokens, thinking tokens are reasoning tokens")
    func usage() {
        let line = #"{"type":"result","subtype":"success","is_error":false,"stop_reason":"end_turn","result":"ok","#
            + #""usage":{"input_tokens":4,"output_tokens":7,"cache_read_input_tokens":100,"#
            + #""cache_creation_input_tokens":20,"output_tokens_details":{"thinking_tokens":3}}}"#
        #expect(
            Self.outcome([Self.decoded(line)])
                == .completed(
                    finishReason: .stop,
                    usage: Usage(
                        promptTokens: 124, completionTokens: 7, totalTokens: 131, cachedPromptTokens: 100,
                        reasoningTokens: 3)))
    }

    @Test("huge and negative token counts saturate and clamp instead of trapping")
    func extremeUsage() {
        let huge = ClaudeResult.TokenUsage(input: .max, output: .max, cacheRead: .max, cacheCreation: 5, thinking: -1)
        #expect(
            Self.outcome([.result(ClaudeResult(isError: false, usage: huge))])
                == .completed(
                    finishReason: .stop,
                    usage: Usage(
                        promptTokens: .max, completionTokens: .max, totalTokens: .max, cachedPromptTokens: .max,
                        reasoningTokens: 0)))
        let negative = ClaudeResult.TokenUsage(input: -5, output: .min, cacheRead: -1, cacheCreation: 3)
        #expect(
            Self.outcome([.result(ClaudeResult(isError: false, usage: negative))])
                == .completed(
                    finishReason: .stop,
                    usage: Usage(promptTokens: 3, completionTokens: 0, totalTokens: 3, cachedPromptTokens: 0)))
        // From the wire: Int.max parses, a number beyond Int reads as absent.
        let line = #"{"type":"result","is_error":false,"usage":{"input_tokens":9223372036854775807,"#
            + #""cache_read_input_tokens":9223372036854775807,"output_tokens":1e30}}"#
        #expect(
            Self.outcome([Self.decoded(line)])
                == .completed(
                    finishReason: .stop,
                    usage: Usage(
                        promptTokens: .max, completionTokens: 0, totalTokens: .max, cachedPromptTokens: .max)))
        // Usage's own default total saturates too.
        #expect(Usage(promptTokens: .max, completionTokens: 1).totalTokens == Limits.maxTurnTokens)
    }

    @Test("session id: from the first system event, replaced by the result's; unparseable lines counted")
    func sessionID() {
        let tracker = FixtureSupport.track([
            .system(subtype: "init", sessionID: "a"),
            .system(subtype: "status", sessionID: "b"),
            Self.decoded("not json"),
            .result(ClaudeResult(isError: false, sessionID: "c")),
        ])
        #expect(tracker.sessionID == "c")
        #expect(tracker.unparseableLines == 1)
        #expect(FixtureSupport.track([.system(subtype: "init", sessionID: "a"), .result(ClaudeResult(isError: false))]).sessionID == "a")
    }
}
