/// Everything needed to run one claude turn for one chat request, decided before spawning.
///
/// Session flags (`--session-id`, `--resume`) and the system prompt file flag are the worker's:
/// it knows the session state and where it can write files.
public struct TurnPlan: Sendable, Equatable {
    /// The model id echoed as `model` in every response object.
    public var modelID: String
    /// argv after the executable: `-p --input-format stream-json --output-format stream-json
    /// --verbose --include-partial-messages [--model M] [--effort E] [--permission-mode P]`.
    /// Never contains the prompt or the system prompt.
    public var arguments: [String]
    /// The alias `system_prompt`, then `"\n\n"`, then the request's system (and developer)
    /// messages joined with `"\n\n"`; nil when both are empty. The worker writes it to a file
    /// and adds `--append-system-prompt-file`.
    public var systemPrompt: String?
    /// The whole conversation as one stream-json user message line plus `"\n"`:
    /// `{"type":"user","message":{"role":"user","content":[{"type":"text","text":…}, images…]}}`.
    public var standardInput: [UInt8]
    /// Like `standardInput`, but for `--resume` of a persistent session, where claude already
    /// holds the earlier turns: only the trailing user message (without the "Conversation so
    /// far" preamble), or "Continue the assistant response." when the conversation ends with a
    /// non-user message.
    public var resumeStandardInput: [UInt8]
    /// The alias' workspace name; resolving it (and any `X-CC-Workspace` header) is the worker's.
    public var workspaceName: String?

    public init(
        modelID: String,
        arguments: [String],
        systemPrompt: String?,
        standardInput: [UInt8],
        resumeStandardInput: [UInt8],
        workspaceName: String?
    ) {
        self.modelID = modelID
        self.arguments = arguments
        self.systemPrompt = systemPrompt
        self.standardInput = standardInput
        self.resumeStandardInput = resumeStandardInput
        self.workspaceName = workspaceName
    }
}
