import CCProxyCore

/// The `result` line that ends a claude turn.
public struct ClaudeResult: Sendable, Equatable {
    /// Token counts as claude reports them (Anthropic semantics: `input` excludes cache reads
    /// and cache writes).
    public struct TokenUsage: Sendable, Equatable {
        public var input: Int
        public var output: Int
        public var cacheRead: Int
        public var cacheCreation: Int
        /// `output_tokens_details.thinking_tokens`: the part of `output` spent thinking.
        public var thinking: Int

        public init(input: Int = 0, output: Int = 0, cacheRead: Int = 0, cacheCreation: Int = 0, thinking: Int = 0) {
            self.input = input
            self.output = output
            self.cacheRead = cacheRead
            self.cacheCreation = cacheCreation
            self.thinking = thinking
        }
    }

    /// `is_error`: true for API errors (e.g. a 400 from the model API), unknown sessions, turns
    /// that failed during execution.
    public var isError: Bool
    /// `success`, `error_during_execution`, `error_max_turns`, …
    public var subtype: String?
    /// The model's last stop reason: `end_turn`, `max_tokens`, `stop_sequence`, …
    public var stopReason: String?
    /// `result`: the final text, or the error text when `isError`.
    public var resultText: String?
    /// `api_error_status`: the HTTP status of a failed model API call.
    public var apiErrorStatus: Int?
    public var usage: TokenUsage?
    public var sessionID: String?
    /// `errors`: messages of a failed turn that has no `result` text (e.g. an unknown session).
    public var errors: [String]
    /// `structured_output`: the JSON document of a turn run with `--json-schema`, validated
    /// by claude against the schema; nil otherwise.
    public var structuredOutput: JSONValue?

    public init(
        isError: Bool,
        subtype: String? = nil,
        stopReason: String? = nil,
        resultText: String? = nil,
        apiErrorStatus: Int? = nil,
        usage: TokenUsage? = nil,
        sessionID: String? = nil,
        errors: [String] = [],
        structuredOutput: JSONValue? = nil
    ) {
        self.structuredOutput = structuredOutput
        self.isError = isError
        self.subtype = subtype
        self.stopReason = stopReason
        self.resultText = resultText
        self.apiErrorStatus = apiErrorStatus
        self.usage = usage
        self.sessionID = sessionID
        self.errors = errors
    }

    /// The best human-readable account of a failed turn: the result text, else the errors
    /// joined with "; ", else "no message (subtype …)". It is a detail, to follow a prefix such
    /// as "claude reported an error: ".
    public var errorDescription: String {
        if let resultText, !resultText.isEmpty { return resultText }
        if !errors.isEmpty { return errors.joined(separator: "; ") }
        return "no message (subtype \(subtype ?? "unknown"))"
    }
}
