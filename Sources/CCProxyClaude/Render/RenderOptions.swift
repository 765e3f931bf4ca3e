import CCProxyCore

/// What a client asked to see of a turn, resolved once per request.
public struct RenderOptions: Sendable, Equatable {
    /// How much besides the assistant's text goes into `content`.
    public var verbosity: Verbosity
    /// True when the request asked for reasoning (`reasoning_effort` or `X-CC-Effort`): thinking
    /// is then sent as `reasoning` deltas, and never also as content.
    public var includeReasoning: Bool

    public init(verbosity: Verbosity, includeReasoning: Bool) {
        self.verbosity = verbosity
        self.includeReasoning = includeReasoning
    }
}
