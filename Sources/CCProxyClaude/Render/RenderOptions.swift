import CCProxyCore

/// What a client asked to see of a turn, resolved once per request.
public struct RenderOptions: Sendable, Equatable {
    /// How much besides the assistant's text goes into `content`.
    public var verbosity: Verbosity
    /// True when the request asked for reasoning (`reasoning_effort` or `X-CC-Effort`): thinking
    /// is then sent as `reasoning` deltas, and never also as content.
    public var includeReasoning: Bool
    /// The tool-name prefix of the client's functions (`mcp__ccproxy__`) when the turn offers
    /// them: their calls become `tool_calls` (`ClientCallCollector`), never rendered content.
    public var clientFunctionPrefix: String?
    /// The turn runs with `--json-schema` (`response_format` json_schema or json_object): the
    /// content is the `result`'s `structured_output` alone, rendered compactly; claude's text
    /// and tool lines are not shown (reasoning still is, when asked for).
    public var structuredOutput: Bool

    public init(
        verbosity: Verbosity, includeReasoning: Bool, clientFunctionPrefix: String? = nil, structuredOutput: Bool = false
    ) {
        self.verbosity = verbosity
        self.includeReasoning = includeReasoning
        self.clientFunctionPrefix = clientFunctionPrefix
        self.structuredOutput = structuredOutput
    }
}
