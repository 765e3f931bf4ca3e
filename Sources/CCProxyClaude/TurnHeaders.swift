/// The request headers that shape one claude turn, as the worker read them (raw values;
/// the planner trims and validates).
public struct TurnHeaders: Sendable, Equatable {
    /// `X-CC-Claude-Model`: overrides the claude model of the alias or passthrough id.
    public var claudeModel: String?
    /// `X-CC-Effort`: overrides `reasoning_effort`, the alias and the default.
    public var effort: String?
    /// `X-CC-Verbosity`: overrides the token's default verbosity and `default_verbosity`.
    public var verbosity: String?
    /// `X-CC-Session`: the persistent session, before body `session_id` and the model suffix.
    public var session: String?

    public init(claudeModel: String? = nil, effort: String? = nil, verbosity: String? = nil, session: String? = nil) {
        self.claudeModel = claudeModel
        self.effort = effort
        self.verbosity = verbosity
        self.session = session
    }
}
