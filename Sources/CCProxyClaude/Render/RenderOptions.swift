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

    public init(verbosity: Verbosity, includeReasoning: Bool, clientFunctionPrefix: String? = nil) {
        self.verbosity = verbosity
        self.includeReasoning = includeReasoning
        self.clientFunctionPrefix = clientFunctionPrefix
    }
}
